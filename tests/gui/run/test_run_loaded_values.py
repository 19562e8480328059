"""Values the Run dialog loads rather than the user types (a preset or saved settings from disk, a container's
inspect data for "run again with changes") go through the same checks: a bad one is shown in the form, with
what Docker says about it, never a traceback."""

from __future__ import annotations

import json

from gui.core.run.spec import RunSpec
from tests.gui.run.test_run_dialog import memory, open_dialog, wait_checked  # noqa: F401 (fixtures)


def test_a_corrupt_preset_is_shown_in_the_form(open_dialog, memory, qtbot):  # noqa: F811
    memory.save_preset("odd", RunSpec("web:1.0", memory="1g"))
    data = json.loads(memory.path.read_text())
    data["presets"]["odd"] |= {
        "memory": 5,  # a number where text belongs: 5 bytes
        "restart": "sometimes",  # not a policy: the form's list cannot hold it
        "cpus": "0.001",  # finer than the form once allowed, fine for Docker
        "labels": 7,  # not a list at all
        "gpus": {"mode": ["x"], "device_ids": 5},
        "ports": [{"container": "80", "host": "[::1]:8080"}, "junk"],
    }
    memory.path.write_text(json.dumps(data))

    dialog = open_dialog()
    dialog.presets_menu.aboutToShow.emit()
    action = next(action for action in dialog.presets_menu.actions() if action.text().replace("&", "") == "Apply odd")
    action.trigger()
    wait_checked(qtbot, dialog)

    shown = dialog.problems_label.text()
    assert dialog.resources.memory_edit.text() == "5"
    assert "at least 6 MB" in shown
    assert "A loaded value was changed, because Docker refuses it" in shown
    assert "no, on-failure, always or unless-stopped" in shown
    assert "cpus" not in {problem.field for problem in dialog.problems}
    assert "[::1]:8080:80" in dialog.preview.toPlainText()
    assert not dialog.run_button.isEnabled()


def test_odd_inspect_data_is_shown_in_the_form(open_dialog, qtbot):  # noqa: F811
    inspected = {
        "Name": "/odd",
        "Config": {"Image": "web:1.0", "Env": ["=x", 5, "MODE=fast"], "Labels": ["not", "a", "dict"], "Cmd": "sh"},
        "HostConfig": {
            "Memory": 1024,
            "NanoCpus": "lots",
            "ShmSize": None,
            "PortBindings": {"abc/tcp": [{}], "80/tcp": [{"HostIp": "::1", "HostPort": "8080"}, "junk"]},
            "RestartPolicy": {"Name": "always", "MaximumRetryCount": "x"},
            "Mounts": [5, {"Type": "volume", "Target": "/data"}],
            "DeviceRequests": [{"Capabilities": "gpu", "Count": "two"}],
        },
    }
    spec = RunSpec.from_inspect(inspected, {"Config": "not a dict"})
    dialog = open_dialog(initial=spec)

    shown = dialog.problems_label.text()
    assert "at least 6 MB" in shown  # 1024 bytes
    assert "Enter a name for this variable" in shown  # "=x": no name
    preview = dialog.preview.toPlainText()
    assert "[::1]:8080:80" in preview
    assert "type=volume,target=/data" in preview  # an anonymous volume
    assert not dialog.run_button.isEnabled()
    assert "all interfaces" not in shown  # the junk binding is skipped, not read as every interface


def test_a_loaded_sctp_port_stays_sctp(qtbot):
    """docker run -p 9000:9000/sctp is valid: a loaded sctp port must not silently become tcp."""
    from gui.core.run.spec import PortSpec
    from gui.views.run.tables import PortsTable

    table = PortsTable()
    qtbot.addWidget(table)
    table.set_values([PortSpec(container="9000", host="9000", protocol="sctp")])
    assert [port.protocol for port in table.values()] == ["sctp"]
