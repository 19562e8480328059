"""The Run dialog driven like a user would: type, click, read what it says, press Run; the fake engine records
what ran."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog, QLineEdit, QMessageBox

from gui.core.errors import EngineError
from gui.core.run.gpus import GpuInfo, GpuInventory
from gui.core.run.memory import RunMemory
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec
from gui.core.secrets import MASK
from gui.views.run import dialog as run_dialog
from gui.views.run.command_preview import COMMAND_TITLE, COMMAND_TITLE_INVALID
from gui.views.run.dialog import NOT_CONNECTED, RunDialog
from tests.fakes import fake_engine

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def memory(tmp_path):
    return RunMemory(tmp_path / "run-settings.json")


@pytest.fixture
def open_dialog(connected, memory, qtbot):
    dialogs = []

    def open_(image: str = "web:1.0", initial: RunSpec | None = None, wait: bool = True) -> RunDialog:
        dialog = RunDialog(connected, image, initial, memory)
        qtbot.addWidget(dialog)
        dialog.show()
        dialogs.append(dialog)
        if wait:
            qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
            wait_checked(qtbot, dialog)
        return dialog

    yield open_
    for dialog in dialogs:
        dialog.close()
    connected.tasks.wait_idle()


def wait_checked(qtbot, dialog: RunDialog) -> None:
    """Waits for the host check that follows an edit (ports in use, names taken)."""
    qtbot.waitUntil(lambda: not dialog._check_timer.isActive() and dialog.session.tasks.active == 0, timeout=5000)


def add_port(qtbot, dialog: RunDialog, host: str, container: str) -> dict:
    table = dialog.ports.table
    qtbot.mouseClick(table.add_button, LEFT)
    row = table.row_widgets(table.row_count() - 1)
    qtbot.keyClicks(row["host"], host)
    qtbot.keyClicks(row["container"], container)
    return row


def add_env(qtbot, dialog: RunDialog, name: str, value: str) -> dict:
    table = dialog.env.table
    qtbot.mouseClick(table.add_button, LEFT)
    row = table.row_widgets(table.row_count() - 1)
    qtbot.keyClicks(row["name"], name)
    qtbot.keyClicks(row["value"], value)
    return row


def click_option(qtbot, button) -> None:
    """Clicks a radio button or check box on its indicator (Qt ignores clicks right of a short label)."""
    qtbot.mouseClick(button, LEFT, pos=QPoint(button.height() // 2, button.height() // 2))


def press_run(qtbot, dialog: RunDialog) -> None:
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.run_button, LEFT)


def test_opens_with_the_images_port_published_on_loopback(open_dialog):
    dialog = open_dialog()
    assert dialog.windowTitle() == "Run web:1.0"
    table = dialog.ports.table
    assert table.row_count() == 1
    row = table.row_widgets(0)
    assert row["container"].text() == "80"
    assert row["host"].text() not in ("", "5000")  # 80 needs root; 5000 is taken by the container "web"
    assert not row["all_interfaces"].isChecked()
    assert f"127.0.0.1:{row['host'].text()}:80" in dialog.preview.toPlainText()
    assert "python app.py" in dialog.general.command_edit.placeholderText()  # the image's CMD
    assert "80/tcp" in dialog.ports.exposed_label.text()
    assert dialog.run_button.isEnabled()


def test_what_is_typed_is_what_runs(open_dialog, engine, connected, qtbot):
    dialog = open_dialog()
    commands = []
    connected.commandIssued.connect(lambda command, _what: commands.append(command))
    qtbot.keyClicks(dialog.general.name_edit, "my-web")
    add_port(qtbot, dialog, "8080", "8000")
    qtbot.keyClicks(dialog.general.command_edit, "python serve.py --port 8000")
    preview = dialog.preview.toPlainText()
    assert "--name my-web" in preview and "127.0.0.1:8080:8000" in preview
    assert preview.endswith("web:1.0 python serve.py --port 8000")

    qtbot.mouseClick(dialog.copy_button, LEFT)
    assert QApplication.clipboard().text() == preview
    click_option(qtbot, dialog.keep_failed_box)
    click_option(qtbot, dialog.open_logs_box)
    assert dialog.open_logs_after

    with qtbot.waitSignal(dialog.started, timeout=5000) as started:
        qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)
        qtbot.keyClick(dialog.general.name_edit, Qt.Key.Key_Return)  # Enter runs
    container_id, spec = started.args
    assert [action.spec for action in engine.runs] == [spec]
    assert engine.runs[0].keep_failed
    assert spec.name == "my-web" and PortSpec("8000", "8080") in spec.ports
    assert spec.command == "python serve.py --port 8000"
    assert engine.containers_by_id[container_id].name == "my-web"
    assert commands == [spec.command_line]  # the learner sees exactly what ran
    assert not dialog.isVisible()


def test_secret_values_are_masked_but_run_for_real_and_never_remembered(open_dialog, engine, memory, qtbot):
    dialog = open_dialog()
    qtbot.keyClicks(dialog.general.name_edit, "llm")
    token = add_env(qtbot, dialog, "HF_TOKEN", "hf_abc123")
    add_env(qtbot, dialog, "MODE", "fast")
    assert token["value"].echoMode() == QLineEdit.EchoMode.Password
    preview = dialog.preview.toPlainText()
    assert f"HF_TOKEN={MASK}" in preview and "hf_abc123" not in preview and "MODE=fast" in preview
    click_option(qtbot, dialog.env.reveal_box)
    assert token["value"].echoMode() == QLineEdit.EchoMode.Normal
    assert "hf_abc123" not in dialog.preview.toPlainText()  # revealing the field does not unmask the command

    press_run(qtbot, dialog)
    qtbot.waitUntil(lambda: bool(engine.runs), timeout=5000)
    assert EnvVar("HF_TOKEN", "hf_abc123") in engine.runs[0].spec.env
    assert "hf_abc123" not in engine.runs[0].command
    qtbot.waitUntil(lambda: memory.path.exists(), timeout=5000)
    assert "hf_abc123" not in memory.path.read_text()


def test_a_bad_memory_limit_is_explained_and_blocks_run(open_dialog, engine, qtbot):
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.resources)
    qtbot.keyClicks(dialog.resources.memory_edit, "5x")
    error = dialog.resources.findChild(type(dialog.error_label), "memory-error")
    assert error.isVisibleTo(dialog) and error.text()
    assert not dialog.run_button.isEnabled()
    assert "--memory 5x" in dialog.preview.toPlainText()  # as typed, and said to be invalid
    assert dialog.command_title.text() == COMMAND_TITLE_INVALID
    assert not dialog.tabs.tabIcon(dialog.tabs.indexOf(dialog.resources)).isNull()
    assert "Resources" in dialog.problems_label.text()
    qtbot.keyClick(dialog.resources.memory_edit, Qt.Key.Key_Return)  # Enter does nothing while Run is disabled
    assert engine.runs == [] and dialog.isVisible()

    dialog.resources.memory_edit.clear()
    qtbot.keyClicks(dialog.resources.memory_edit, "512m")
    assert not error.isVisibleTo(dialog)
    assert "--memory 512m" in dialog.preview.toPlainText()
    assert dialog.command_title.text() == COMMAND_TITLE
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)
    assert dialog.tabs.tabIcon(dialog.tabs.indexOf(dialog.resources)).isNull()


def test_a_bad_port_row_is_marked(open_dialog, qtbot):
    dialog = open_dialog()
    add_port(qtbot, dialog, "70000", "80")
    table = dialog.ports.table
    header = table.table.verticalHeaderItem(1)
    assert header is not None and not header.icon().isNull() and "65535" in header.toolTip()
    assert not table.table.verticalHeaderItem(0).toolTip()
    assert dialog.ports.findChild(type(dialog.error_label), "ports-error").text().startswith("Row 2:")
    assert not dialog.run_button.isEnabled()
    qtbot.mouseClick(table.add_button, LEFT)  # an empty row in between is no value, but keeps its number
    qtbot.mouseClick(table.add_button, LEFT)
    qtbot.keyClicks(table.row_widgets(3)["container"], "0")
    assert "Row 4: Container port 0" in dialog.problems_label.text()  # a warning: Docker accepts it
    assert "Container port 0" in table.table.verticalHeaderItem(3).toolTip()
    for row in (3, 2, 1):
        qtbot.mouseClick(table.row_widgets(row)["_remove"], LEFT)
    assert table.row_count() == 1
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)


def test_privileged_asks_first(open_dialog, qtbot):
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.advanced)
    box = dialog.advanced.privileged_box

    def answer(button_text: str) -> None:
        qtbot.waitUntil(lambda: dialog.advanced.confirm_box is not None, timeout=5000)
        confirm = dialog.advanced.confirm_box
        assert "every device" in confirm.text()
        button = next(b for b in confirm.buttons() if b.text().replace("&", "") == button_text)
        qtbot.mouseClick(button, LEFT)

    click_option(qtbot, box)
    assert not box.isChecked()  # not before the user agrees
    answer("Cancel")
    assert not box.isChecked() and "--privileged" not in dialog.preview.toPlainText()

    click_option(qtbot, box)
    answer("Run Privileged")
    assert box.isChecked()
    assert "--privileged" in dialog.preview.toPlainText()
    warning = dialog.advanced.findChild(type(dialog.error_label), "privileged-warning")
    assert warning.isVisibleTo(dialog) and warning.text()
    assert dialog.run_button.isEnabled()  # a warning, not an error


def test_gpus_are_disabled_with_the_reason_when_the_engine_cannot_give_them(open_dialog):
    dialog = open_dialog()  # the fake engine reports no GPU support, and this machine has no NVIDIA driver
    section = dialog.gpus
    dialog.tabs.setCurrentWidget(section)
    assert section.none_radio.isChecked() and section.none_radio.isEnabled()
    assert not any(radio.isEnabled() for radio in (section.all_radio, section.count_radio, section.chosen_radio))
    assert section.reason_label.isVisibleTo(dialog) and section.reason_label.text()


def test_requested_gpus_can_be_undone_when_the_engine_cannot_give_them(open_dialog, qtbot):
    """Run again with changes, from a container that had GPUs, on an engine without the toolkit."""
    dialog = open_dialog(initial=RunSpec(image="web:1.0", gpus=GpuSpec(GpuMode.ALL), shm_size="1g"))
    section = dialog.gpus
    dialog.tabs.setCurrentWidget(section)
    assert section.all_radio.isChecked() and section.all_radio.isEnabled()  # shown as it was asked
    assert section.findChild(type(dialog.error_label), "gpus-error").isVisibleTo(dialog)
    assert not dialog.run_button.isEnabled()
    click_option(qtbot, section.none_radio)
    assert not section.all_radio.isEnabled()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)


def test_chosen_gpus_reach_the_command(open_dialog, engine, monkeypatch, qtbot):
    inventory = GpuInventory(
        gpus=(
            GpuInfo(0, "NVIDIA H100 80GB HBM3", "GPU-aaa", 80 * 1024**3),
            GpuInfo(1, "NVIDIA H100 80GB HBM3", "GPU-bbb", 80 * 1024**3),
        ),
        driver_version="535.104.05",
        cuda_version=(12, 2),
        unavailable_reason=None,
    )
    config = dict(fake_engine.DEFAULT_IMAGE_CONFIG, Env=["NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=470"])
    engine.image_inspects["web:1.0"] = {"Id": "sha256:web", "Config": config}
    real_load = run_dialog.load_context
    monkeypatch.setattr(
        run_dialog,
        "load_context",
        lambda engine, image, _support: replace(
            real_load(engine, image, "nvidia runtime"), gpu_support="nvidia runtime", gpus=inventory
        ),
    )
    dialog = open_dialog()
    section = dialog.gpus
    dialog.tabs.setCurrentWidget(section)
    assert not section.reason_label.isVisibleTo(dialog)
    assert section.gpu_list.count() == 2 and "H100" in section.gpu_list.item(1).text()
    click_option(qtbot, section.chosen_radio)
    section.gpu_list.item(1).setCheckState(Qt.CheckState.Checked)  # the user ticks GPU 1
    assert dialog.spec().gpus.mode is GpuMode.CHOSEN and dialog.spec().gpus.device_ids == ("1",)
    assert "--gpus" in dialog.preview.toPlainText() and "device=1" in dialog.preview.toPlainText()
    warning = dialog.resources.findChild(type(dialog.error_label), "shm_size-warning")
    assert "/dev/shm" in warning.text()  # GPUs with Docker's 64 MB shared memory: a hint, not a block
    assert "/dev/shm" in dialog.problems_label.text()
    wait_checked(qtbot, dialog)
    cuda = section.findChild(type(dialog.error_label), "gpus-warning")
    assert cuda.isVisibleTo(dialog) and "12.4" in cuda.text() and "12.2" in cuda.text()
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)


def test_an_engine_error_is_shown_in_the_dialog_and_nothing_typed_is_lost(open_dialog, engine, qtbot):
    dialog = open_dialog()
    engine.run_error = EngineError(
        "Port 5001 on the host is already in use. Pick another host port.",
        "driver failed programming external connectivity: port is already allocated",
    )
    qtbot.keyClicks(dialog.general.name_edit, "my-web")
    add_env(qtbot, dialog, "MODE", "fast")
    press_run(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog), timeout=5000)
    assert dialog.error_label.text() == engine.run_error.message
    assert "port is already allocated" in dialog.error_label.toolTip()
    assert dialog.isVisible() and dialog.general.name_edit.text() == "my-web"
    assert EnvVar("MODE", "fast") in dialog.spec().env
    assert dialog.run_button.isEnabled() and dialog.tabs.isEnabled()

    engine.run_error = None
    with qtbot.waitSignal(dialog.started, timeout=5000):
        press_run(qtbot, dialog)
    assert not dialog.error_label.isVisibleTo(dialog)


def test_run_checks_the_host_again(open_dialog, engine, qtbot):
    """A port taken after the form was checked stops the run, with the reason next to the row."""
    dialog = open_dialog()
    add_port(qtbot, dialog, "18080", "8000")
    wait_checked(qtbot, dialog)
    assert dialog.run_button.isEnabled()
    engine.add_container(
        fake_engine.container("late", ports=[fake_engine.PublishedPort(18080, 80, "tcp", "127.0.0.1")])
    )
    qtbot.mouseClick(dialog.run_button, LEFT)
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog), timeout=5000)
    assert engine.runs == []
    assert "18080" in dialog.ports.table.table.verticalHeaderItem(1).toolTip()
    assert not dialog.run_button.isEnabled()


def test_settings_come_back_on_the_next_open_without_secrets(open_dialog, engine, memory, qtbot):
    dialog = open_dialog()
    qtbot.keyClicks(dialog.general.name_edit, "api")
    add_env(qtbot, dialog, "MODE", "fast")
    add_env(qtbot, dialog, "OPENAI_API_KEY", "sk-123")
    dialog.tabs.setCurrentWidget(dialog.resources)
    qtbot.keyClicks(dialog.resources.memory_edit, "2g")
    with qtbot.waitSignal(dialog.started, timeout=5000):
        press_run(qtbot, dialog)
    qtbot.waitUntil(lambda: memory.last_for("web:1.0") is not None, timeout=5000)

    again = open_dialog("web:1.0")
    assert again.general.name_edit.text() == "api-2"  # "api" now names the running container
    assert again.resources.memory_edit.text() == "2g"
    assert EnvVar("MODE", "fast") in again.spec().env
    assert EnvVar("OPENAI_API_KEY", "") in again.spec().env
    assert "OPENAI_API_KEY" in again.status_label.text()  # asks for the secret again
    assert engine.runs and len(engine.runs) == 1


def test_run_again_with_changes_starts_from_the_given_spec(open_dialog, qtbot):
    initial = RunSpec(
        image="web:1.0",
        name="web",
        ports=(PortSpec("80", "5000"),),
        env=(EnvVar("MODE", "slow"),),
        mounts=(MountSpec("volume", "web-data", "/data"),),
    )
    dialog = open_dialog(initial=initial)
    assert dialog.general.name_edit.text() == "web-2"
    assert dialog.volumes.table.row_widgets(0)["source"].text() == "web-data"
    assert "type=volume" in dialog.preview.toPlainText()
    ports = dialog.ports.table
    assert ports.row_widgets(0)["host"].text() == "5000"
    assert "5000" in ports.table.verticalHeaderItem(0).toolTip()  # taken by the container "web"
    assert not dialog.run_button.isEnabled()
    ports.row_widgets(0)["host"].clear()
    qtbot.keyClicks(ports.row_widgets(0)["host"], "18081")
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)


def test_presets_save_apply_and_delete(open_dialog, memory, qtbot):
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.resources)
    qtbot.keyClicks(dialog.resources.shm_edit, "2g")

    def menu_action(text: str):
        dialog.presets_menu.aboutToShow.emit()
        actions = dialog.presets_menu.actions()
        for action in list(actions):
            if action.menu():
                actions += action.menu().actions()
        return next(action for action in actions if action.text().replace("&", "") == text)

    menu_action("Save as Preset…").trigger()
    ask = dialog.findChild(QInputDialog, "preset-name")
    ask.setTextValue("big-shm")
    ask.accept()
    qtbot.waitUntil(lambda: "big-shm" in dialog.presets, timeout=5000)
    assert "big-shm" in memory.presets()

    dialog.resources.shm_edit.clear()
    menu_action("Apply big-shm").trigger()
    assert dialog.resources.shm_edit.text() == "2g"
    assert "--shm-size 2g" in dialog.preview.toPlainText()

    menu_action("big-shm").trigger()  # in the Delete submenu
    qtbot.waitUntil(lambda: "big-shm" not in dialog.presets, timeout=5000)
    assert memory.presets() == {}


def test_importing_a_env_file_adds_variables_and_names_the_empty_ones(open_dialog, tmp_path, monkeypatch, qtbot):
    env_file = tmp_path / "app.env"
    env_file.write_text("MODE=fast\nHF_TOKEN=hf_xyz\nOPENAI_API_KEY\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(env_file), ""))
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.env)
    qtbot.mouseClick(dialog.env.import_button, LEFT)
    qtbot.waitUntil(lambda: dialog.env.table.row_count() == 3, timeout=5000)
    env = dialog.spec().env
    assert EnvVar("MODE", "fast") in env and EnvVar("HF_TOKEN", "hf_xyz") in env
    assert EnvVar("OPENAI_API_KEY", "") in env
    report = dialog.env.import_label.text()
    assert "Added 3 variables" in report and "OPENAI_API_KEY has no value" in report
    assert dialog.env.table.row_widgets(1)["value"].echoMode() == QLineEdit.EchoMode.Password


def test_an_unreadable_env_file_is_a_sentence(open_dialog, tmp_path, qtbot):
    dialog = open_dialog()
    dialog.tabs.setCurrentWidget(dialog.env)
    dialog.import_env_file(str(tmp_path / "missing.env"))
    qtbot.waitUntil(lambda: dialog.env.import_label.isVisibleTo(dialog), timeout=5000)
    assert "could not read" in dialog.env.import_label.text()
    assert dialog.env.table.row_count() == 0


def test_an_image_the_engine_lacks_is_explained(open_dialog):
    dialog = open_dialog("nothere:1.0")
    assert not dialog.run_button.isEnabled()
    assert "Pull" in dialog.problems_label.text()


def test_without_an_engine_the_dialog_says_so(session, memory, qtbot):
    dialog = RunDialog(session, "web:1.0", None, memory)  # the session never connected
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.error_label.text().endswith(NOT_CONNECTED)
    assert dialog.retry_button.isVisibleTo(dialog)
    assert not dialog.run_button.isEnabled() and not dialog.tabs.isEnabled()
    dialog.close()
    session.tasks.wait_idle()


def test_escape_cancels(open_dialog, engine, qtbot):
    dialog = open_dialog()
    qtbot.keyClick(dialog.general.name_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert engine.runs == []


def test_sizes_follow_the_font(open_dialog):
    dialog = open_dialog()
    metrics = dialog.fontMetrics()
    assert dialog.sizeHint().width() >= metrics.averageCharWidth() * 110
    assert dialog.width() >= dialog.tabs.tabBar().sizeHint().width()  # every tab title shows
    lines = dialog.preview.height() / dialog.preview.fontMetrics().lineSpacing()
    assert 3 <= lines < 5


@pytest.fixture(autouse=True)
def _no_modal_left(qtbot):
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            widget.close()


def test_the_command_names_the_engine_while_another_one_is_chosen(open_dialog, monkeypatch):
    from gui.core.settings import contexts

    monkeypatch.setattr(contexts, "_chosen", "gpu-box")
    dialog = open_dialog()
    assert dialog.preview.toPlainText().startswith("docker --context gpu-box run ")
