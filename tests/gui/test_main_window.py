"""The main window as a user sees it, with a fake engine behind the core boundary."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from gui.core.engine import actions
from gui.core.engine.connection import EngineState
from gui.models.lists import CONTAINER_PORTS_COLUMN
from gui.models.table import ROW_ROLE
from tests.fakes import fake_engine
from tests.gui.user_actions import answer_message_boxes, select, toolbar_button


@pytest.fixture
def settings(tmp_path):
    """A returning user's settings (the very first start opens on Learn: tests/gui/learn)."""
    settings = QSettings(str(tmp_path / "portside.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/page", "containers")
    return settings


def visible_names(page) -> list[str]:
    return sorted(page.proxy.index(row, 0).data() for row in range(page.proxy.rowCount()))


def test_opens_on_containers_with_every_container(window):
    assert window.current_page == "containers"
    assert visible_names(window.containers_page) == ["old-job", "trainer", "web"]
    assert "Docker 27.0.0" in window.engine_label.text()


def test_filter_and_running_only(window, qtbot):
    page = window.containers_page
    qtbot.keyClicks(page.filter_edit, "train")
    assert visible_names(page) == ["trainer"]
    page.filter_edit.clear()
    page.show_all.click()
    assert visible_names(page) == ["trainer", "web"]


def test_stop_from_the_toolbar_stops_and_teaches_the_command(window, engine, qtbot):
    page = window.containers_page
    select(page, "web")
    assert "docker stop web" in page.stop_action.toolTip()
    qtbot.mouseClick(toolbar_button(page, page.stop_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r.name == "web" and r.state == "exited" for r in page.model.rows), timeout=5000)
    assert actions.StopContainer("web") in engine.performed
    assert "docker stop web" in window.commands.commands()


def test_container_started_elsewhere_appears_from_the_event_stream(window, engine, qtbot):
    engine.add_container(fake_engine.container("from-terminal"))
    qtbot.waitUntil(lambda: "from-terminal" in visible_names(window.containers_page), timeout=5000)


def test_remove_asks_first_and_offers_volumes(window, engine, qtbot):
    page = window.containers_page
    select(page, "old-job")
    seen = []
    answer_message_boxes(qtbot, "Remove", seen=seen)
    page.remove_action.trigger()
    qtbot.waitUntil(lambda: "old-job" not in visible_names(page), timeout=5000)
    assert "Remove 1 container(s): old-job?" in seen[0]
    assert actions.RemoveContainer("old-job") in engine.performed


def test_cancelled_remove_does_nothing(window, engine, qtbot):
    select(window.containers_page, "web")
    seen = []
    answer_message_boxes(qtbot, "Cancel", seen=seen)
    window.containers_page.remove_action.trigger()
    assert seen and "Remove 1 container(s): web?" in seen[0]  # it did ask
    # An action is recorded in the Commands panel the moment it is handed to a worker: nothing was.
    assert not [command for command in window.commands.commands() if command.startswith("docker rm")]
    # And no worker removes it later: every job handed out has run, none of them a removal.
    assert window.session.tasks.wait_idle(10_000)
    assert not any(isinstance(a, actions.RemoveContainer) for a in engine.performed)
    assert "web" in visible_names(window.containers_page)


def test_port_link_opens_the_browser_on_loopback(window, qtbot, opened_urls):
    page = window.containers_page
    row = next(r for r in range(page.proxy.rowCount()) if page.proxy.index(r, 0).data() == "web")
    index = page.proxy.index(row, CONTAINER_PORTS_COLUMN)
    rect = page.table.visualRect(index)
    qtbot.mouseClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft() + QPoint(8, rect.height() // 2)
    )
    qtbot.waitUntil(lambda: opened_urls == ["http://127.0.0.1:5000"], timeout=3000)


def test_engine_not_running_shows_the_fix_then_recovers(window, engine, engine_state, qtbot):
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()  # the engine goes away: its event stream ends
    qtbot.waitUntil(lambda: window.current_page == "engine", timeout=5000)
    assert window.engine_page.title.text() == "The Docker engine is not running"
    assert window.engine_page.steps.count() == 4
    assert not window.containers_page.stop_action.isEnabled()
    engine_state.state = EngineState.CONNECTED
    window.engine_page.check_button.click()
    qtbot.waitUntil(lambda: window.current_page == "containers", timeout=5000)
    qtbot.waitUntil(lambda: len(engine.event_streams) >= 2 and not engine.event_streams[-1].cancelled, timeout=5000)


def test_permission_denied_screen_warns_about_root_equivalence(qtbot, session, settings, engine_state, history):
    from gui.views.main_window import MainWindow

    engine_state.state = EngineState.PERMISSION_DENIED
    main = MainWindow(session, settings, history)
    qtbot.addWidget(main)
    session.start()
    qtbot.waitUntil(lambda: main.engine_page.title.text() == "Your account may not use the Docker engine", timeout=5000)
    assert "root access" in main.engine_page.warning.text()
    assert main.engine_page.warning.isVisibleTo(main)


def test_image_in_use_offers_force_then_removes(window, engine, qtbot):
    window.show_page("images")
    page = window.images_page
    select(page, "web")
    seen = []
    answer_message_boxes(qtbot, "Remove", "Force remove", seen=seen)
    page.remove_action.trigger()
    qtbot.waitUntil(lambda: "web" not in visible_names(page), timeout=5000)
    assert "Force removal" in seen[1]
    assert actions.RemoveImage("web:1.0", force=True) in engine.performed


def test_remove_dangling_shows_space_first(window, engine, qtbot):
    engine.dangling = (3, 250 * 1024**2)
    window.show_page("images")
    seen = []
    answer_message_boxes(qtbot, "Remove", seen=seen)
    window.images_page.prune_action.trigger()
    qtbot.waitUntil(lambda: actions.PruneDanglingImages() in engine.performed, timeout=5000)
    assert "3 dangling" in seen[0] and "250.0 MiB" in seen[0]
    qtbot.waitUntil(lambda: "freed 250.0 MiB" in window.statusBar().currentMessage(), timeout=5000)


def test_settings_remember_page_and_show_all(window, settings, session, qtbot, history):
    from gui.views.main_window import MainWindow

    window.show_page("images")
    window.containers_page.show_all.setChecked(False)
    window.close()
    again = MainWindow(session, settings, history)
    qtbot.addWidget(again)
    assert again.containers_page.show_all.isChecked() is False
    again.on_diagnosis(session.diagnosis)
    assert again.current_page == "images"


def test_rows_carry_the_engine_data(window):
    page = window.containers_page
    rows = [page.proxy.index(r, 0).data(ROW_ROLE) for r in range(page.proxy.rowCount())]
    assert {row.name for row in rows} == {"web", "trainer", "old-job"}


def run_dialog(window):
    return next(dialog for dialog in window._dialogs if dialog.objectName() == "run-dialog")


def test_run_from_images_shows_the_new_container_selected_with_its_log(window, engine, qtbot):
    window.show_page("images")
    select(window.images_page, "web")
    assert "docker run web:1.0" in window.images_page.run_action.toolTip()
    qtbot.mouseClick(toolbar_button(window.images_page, window.images_page.run_action), Qt.MouseButton.LeftButton)
    dialog = run_dialog(window)
    qtbot.waitUntil(lambda: dialog.ready and dialog.run_button.isEnabled(), timeout=5000)
    dialog.general.name_edit.setText("web-two")
    dialog.open_logs_box.setChecked(True)
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: [row.name for row in window.containers_page.selected_rows()] == ["web-two"], timeout=5000)
    assert window.current_page == "containers"
    assert engine.runs[-1].spec.name == "web-two"
    assert any(
        command.startswith("docker run --detach --name web-two -p 127.0.0.1:") for command in window.commands.commands()
    )
    new_id = window.containers_page.selected_rows()[0].id
    qtbot.waitUntil(lambda: new_id in window.logs_windows and window.logs_windows[new_id].isVisible(), timeout=5000)
    assert window.containers_page.browser_action.isEnabled() == bool(
        window.containers_page.selected_rows()[0].browser_url
    )


def test_run_again_with_changes_fills_the_dialog_from_the_container(window, engine, qtbot):
    select(window.containers_page, "web")
    window.containers_page.run_again_action.trigger()
    qtbot.waitUntil(lambda: any(d.objectName() == "run-dialog" for d in window._dialogs), timeout=5000)
    dialog = run_dialog(window)
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    spec = dialog.spec()
    assert spec.image == "web:1.0"
    assert [(port.container, port.all_interfaces) for port in spec.ports] == [("80", False)]
    assert any(var.name == "API_TOKEN" for var in spec.env)  # the container's own setting comes back...
    assert "s3cret" not in dialog.preview.toPlainText()  # ...masked in the command shown


def test_open_in_browser_follows_the_selected_container(window, qtbot, opened_urls):
    page = window.containers_page
    select(page, "trainer")
    assert not page.browser_action.isEnabled()  # it publishes nothing
    select(page, "web")
    assert page.browser_action.isEnabled()
    page.browser_action.trigger()
    qtbot.waitUntil(lambda: opened_urls == ["http://127.0.0.1:5000"], timeout=3000)


def cell_text(page, name: str, column: int) -> str:
    for row in range(page.proxy.rowCount()):
        if page.proxy.index(row, 0).data() == name:
            return page.proxy.index(row, column).data() or ""
    raise AssertionError(f"{name} not shown")


def test_containers_list_shows_live_cpu_and_memory(window, qtbot, stats_feed):
    from gui.models.lists import USAGE_COLUMNS

    page = window.containers_page
    cpu_column, gpu_column = USAGE_COLUMNS[0], USAGE_COLUMNS[1]
    qtbot.waitUntil(lambda: cell_text(page, "web", cpu_column).endswith(" %"), timeout=10_000)
    assert cell_text(page, "web", cpu_column + 1).endswith("B")  # memory, in human units
    assert cell_text(page, "old-job", cpu_column) == ""  # a stopped container has no figures
    assert "100 % is one full CPU" in page.proxy.index(0, cpu_column).data(
        Qt.ItemDataRole.ToolTipRole
    ) or "appears once" in page.proxy.index(0, cpu_column).data(Qt.ItemDataRole.ToolTipRole)
    qtbot.waitUntil(lambda: window.monitor.gpus is not None, timeout=10_000)
    assert page.table.isColumnHidden(gpu_column)  # no NVIDIA GPU here: no GPU column


def test_usage_opens_the_container_page_and_back_returns(window, qtbot):
    page = window.containers_page
    select(page, "web")
    qtbot.mouseClick(toolbar_button(page, page.monitor_action), Qt.MouseButton.LeftButton)
    assert window.current_page == "container"
    assert "web" in window.container_page.title.text()
    qtbot.mouseClick(window.container_page.back, Qt.MouseButton.LeftButton)
    assert window.current_page == "containers"
    window.show_page("monitor")
    assert window.current_page == "monitor" and window.monitor_page.isVisible()


def test_no_label_or_tooltip_shows_markdown_backticks(window):
    """A command in a sentence is written plainly (or in <code> in rich text), never as `markdown`."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

    texts = []
    for widget in window.findChildren(QWidget):
        texts += [widget.toolTip(), widget.statusTip(), widget.accessibleName()]
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
    for action in window.findChildren(QAction):
        texts += [action.text(), action.toolTip(), action.statusTip()]
    assert [text for text in texts if "`" in text] == []


def test_the_window_title_and_the_commands_say_which_engine(window, qtbot, monkeypatch):
    from gui.core.settings import contexts

    qtbot.waitUntil(lambda: window.session.connected, timeout=5000)
    assert window.windowTitle() == "Portside — default engine"
    window.session.commandIssued.emit("docker stop web", "Stop")
    assert window.commands.list.item(window.commands.list.count() - 1).text() == "docker stop web"
    monkeypatch.setattr(contexts, "_chosen", "gpu-server")
    window.session.commandIssued.emit("docker stop web", "Stop")
    assert window.commands.list.item(window.commands.list.count() - 1).text() == "docker --context gpu-server stop web"
    window.on_diagnosis(window.session.diagnosis)
    assert window.windowTitle() == "Portside — gpu-server"


def test_the_monitor_says_its_host_numbers_are_this_computer_s_when_the_engine_is_elsewhere(window, qtbot):
    import dataclasses

    from gui.core.engine.connection import Endpoint

    qtbot.waitUntil(lambda: window.session.connected, timeout=5000)
    assert window.monitor_page.host.title() == "This computer"
    remote = dataclasses.replace(window.session.diagnosis, endpoint=Endpoint("ssh://me@gpu-box", "context gpu-box"))
    window.on_diagnosis(remote)
    assert window.monitor_page.host.title() == "This computer (not the engine's)"
    assert "ssh://me@gpu-box" in window.monitor_page.gpus.toolTip()
    assert window.windowTitle() == "Portside — gpu-box"
