"""The Add engine dialog typed in as a user would: checked as typed, its CLI twin shown, the context written where
the docker CLI keeps it, a typed engine tested before it is kept."""

from __future__ import annotations

import stat

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from gui.core.engine.context_writer import tls_folder
from gui.core.engine.engine_address import PLAIN_WARNING
from gui.core.settings.contexts import DockerContext, read_contexts
from gui.views.engine.add_engine_dialog import AddEngineDialog
from tests.unit.engine.tls_files import make_tls_files

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    return tmp_path / "docker"


@pytest.fixture
def open_dialog(qtbot, docker_config):
    def open_(existing=()) -> AddEngineDialog:
        dialog = AddEngineDialog(existing)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.announced = []
        dialog.engineAdded.connect(lambda name: dialog.announced.append(("added", name)))
        dialog.switchRequested.connect(lambda name: dialog.announced.append(("switch", name)))
        dialog.commandIssued.connect(lambda command, _what: dialog.announced.append(("command", command)))
        return dialog

    return open_


def field(dialog, name: str):
    return dialog.findChild(QLineEdit, name) or dialog.findChild(QComboBox, name) or dialog.findChild(QCheckBox, name)


def label(dialog, name: str) -> str:
    found = dialog.findChild(QLabel, name)
    return found.text() if found.isVisible() else ""


def type_into(qtbot, dialog, name: str, text: str) -> None:
    edit = field(dialog, name)
    edit.clear()
    qtbot.keyClicks(edit, text)


def choose_kind(qtbot, dialog, text: str) -> None:
    combo = field(dialog, "engine-kind")
    combo.setFocus()
    index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key.Key_Down)


def test_an_ssh_engine_is_checked_as_typed_and_written_for_the_docker_cli(qtbot, open_dialog):
    dialog = open_dialog()
    type_into(qtbot, dialog, "engine-name", "x")
    assert "at least two" in label(dialog, "engine-problem")
    assert not dialog.add_button.isEnabled()
    type_into(qtbot, dialog, "engine-name", "gpu-box")
    choose_kind(qtbot, dialog, "SSH")
    type_into(qtbot, dialog, "engine-address", "me@gpu box")
    assert "'gpu box' is not a host name" in label(dialog, "engine-problem")
    assert not dialog.add_button.isEnabled() and not dialog.test_button.isEnabled()
    type_into(qtbot, dialog, "engine-address", "me@gpu-box:2222")
    assert label(dialog, "engine-problem") == ""
    assert label(dialog, "engine-command") == "docker context create gpu-box --docker host=ssh://me@gpu-box:2222"

    qtbot.mouseClick(dialog.add_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert dialog.announced == [
        ("command", "docker context create gpu-box --docker host=ssh://me@gpu-box:2222"),
        ("added", "gpu-box"),
        ("switch", "gpu-box"),
    ]
    assert read_contexts() == (DockerContext("gpu-box", "ssh://me@gpu-box:2222"),)


def test_a_name_in_use_is_refused_as_typed(qtbot, open_dialog):
    dialog = open_dialog(existing=["gpu-box"])
    type_into(qtbot, dialog, "engine-name", "gpu-box")
    assert "already a docker context named 'gpu-box'" in label(dialog, "engine-problem")
    assert not dialog.add_button.isEnabled()


def test_tls_asks_for_the_files_and_copies_them_privately(qtbot, open_dialog, tmp_path, docker_config):
    tls = make_tls_files(tmp_path / "from-the-admin")
    dialog = open_dialog()
    type_into(qtbot, dialog, "engine-name", "lab")
    type_into(qtbot, dialog, "engine-description", "the lab's server")
    choose_kind(qtbot, dialog, "TCP with TLS")
    type_into(qtbot, dialog, "engine-address", "10.0.0.5")
    assert field(dialog, "engine-ca").isVisible()
    assert "CA certificate" in label(dialog, "engine-problem")
    type_into(qtbot, dialog, "engine-ca", str(tls.ca))
    type_into(qtbot, dialog, "engine-cert", str(tls.cert))
    assert "both the client certificate" in label(dialog, "engine-problem")
    type_into(qtbot, dialog, "engine-key", str(tls.key))
    assert label(dialog, "engine-command") == (
        "docker context create lab --description 'the lab'\"'\"'s server' --docker "
        f"host=tcp://10.0.0.5:2376,ca={tls.ca},cert={tls.cert},key={tls.key}"
    )
    field(dialog, "engine-switch").setChecked(False)
    qtbot.mouseClick(dialog.add_button, LEFT)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    assert ("switch", "lab") not in dialog.announced and ("added", "lab") in dialog.announced
    key = tls_folder("lab") / "docker" / "key.pem"
    assert key.read_bytes() == tls.key.read_bytes() and stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_key_that_does_not_fit_is_said_and_the_dialog_stays(qtbot, open_dialog, tmp_path):
    tls = make_tls_files(tmp_path / "from-the-admin")
    dialog = open_dialog()
    type_into(qtbot, dialog, "engine-name", "lab")
    choose_kind(qtbot, dialog, "TCP with TLS")
    type_into(qtbot, dialog, "engine-address", "10.0.0.5")
    for name, path in (("engine-ca", tls.ca), ("engine-cert", tls.cert), ("engine-key", tls.other_key)):
        type_into(qtbot, dialog, name, str(path))
    qtbot.mouseClick(dialog.add_button, LEFT)
    qtbot.waitUntil(lambda: "does not open the certificate" in label(dialog, "engine-problem"), timeout=10000)
    assert dialog.isVisible() and dialog.add_button.isEnabled()
    assert read_contexts() == ()


def test_tcp_without_tls_warns_that_anyone_on_the_network_can_run_containers(qtbot, open_dialog):
    dialog = open_dialog()
    assert label(dialog, "engine-plain-warning") == ""
    choose_kind(qtbot, dialog, "TCP without TLS")
    assert label(dialog, "engine-plain-warning") == PLAIN_WARNING
    assert "as root" in PLAIN_WARNING
    assert not field(dialog, "engine-ca").isVisible()


def test_test_connection_says_when_nothing_answers_at_the_typed_address(qtbot, open_dialog, tmp_path):
    dialog = open_dialog()
    socket_path = tmp_path / "nobody-listens.sock"
    type_into(qtbot, dialog, "engine-address", str(socket_path))  # the first kind: this computer's socket
    qtbot.mouseClick(dialog.test_button, LEFT)
    qtbot.waitUntil(lambda: label(dialog, "engine-status").startswith("Not connected"), timeout=15000)
    assert f"unix://{socket_path}" in label(dialog, "engine-status")
    assert dialog.test_button.isEnabled()
    assert dialog.announced == []  # testing writes nothing
    assert read_contexts() == ()
