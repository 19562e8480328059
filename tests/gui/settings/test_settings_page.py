"""The Settings page driven as a user would: each change is saved at once and read back by a new page, a broken
saved value is named, the folders open and copy, and the engine chosen is the one Portside connects to."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QPushButton

from gui.core.settings import contexts
from gui.views.run.table_sections import PortsSection
from gui.views.settings.settings_page import NEW_CONTAINERS_NOTE, SettingsPage

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def open_page(qtbot, docker_config):
    def open_(settings: QSettings) -> SettingsPage:
        page = SettingsPage(settings)
        page.applied = []
        page.apply_appearance = page.applied.append  # the tests' application keeps its own look
        qtbot.addWidget(page)
        page.resize(900, 700)
        page.show()
        qtbot.waitUntil(lambda: page.combos["engine"].count() >= 3, timeout=5000)  # the contexts are read
        return page

    return open_


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Picks an entry the way a keyboard user does: focus the box and type the start of its text."""
    combo.setFocus()
    index = combo.findText(text, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, f"{text!r} is not offered"
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < index else Qt.Key.Key_Up)


def test_each_change_is_saved_at_once_and_a_new_page_reads_it_back(qtbot, settings, open_page):
    page = open_page(settings)
    assert page.findChild(type(page.engine_note), "settings-new-containers-note").text() == NEW_CONTAINERS_NOTE
    announced = []
    page.appearanceChanged.connect(announced.append)
    choose(qtbot, page.combos["appearance"], "Dark")  # by way of Light, as the arrow keys go
    assert announced == page.applied == ["light", "dark"]
    choose(qtbot, page.combos["bind_address"], "Every interface")
    choose(qtbot, page.combos["restart"], "Always, unless you stopped it")
    choose(qtbot, page.combos["gpus"], "All GPUs")
    choose(qtbot, page.combos["engine"], "gpu-box")
    settings.sync()

    stored = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert [stored.value(f"preferences/{name}") for name in ("engine", "appearance", "bind_address", "restart")] == [
        "gpu-box",
        "dark",
        "0.0.0.0",
        "unless-stopped",
    ]
    again = open_page(stored)
    assert {name: combo.currentText() for name, combo in again.combos.items()} == {
        "engine": "gpu-box: ssh://me@gpu-box",
        "appearance": "Dark",
        "bind_address": "Every interface (0.0.0.0)",
        "restart": "Always, unless you stopped it (unless-stopped)",
        "gpus": "All GPUs (--gpus all)",
    }
    assert not again.problems_label.isVisible()

    choose(qtbot, again.combos["appearance"], "Follow the system")  # back to the default: nothing stored
    assert stored.value("preferences/appearance") is None and again.applied[-1] == "system"


def test_connect_now_chooses_the_engine_the_session_looks_for(qtbot, settings, open_page):
    page = open_page(settings)
    assert page.combos["engine"].itemText(0).startswith("The engine Portside finds: unix:///var/run/docker.sock")
    assert [page.combos["engine"].itemText(i) for i in (1, 2)] == [
        "gpu-box: ssh://me@gpu-box",
        "rootless: unix:///run/user/1000/docker.sock",
    ]
    choose(qtbot, page.combos["engine"], "rootless")
    assert contexts.chosen() == ""  # saved for the next start; the engine in use stays until asked
    with qtbot.waitSignal(page.engineChosen) as chosen:
        qtbot.mouseClick(page.connect_button, LEFT)
    assert chosen.args == ["rootless"] and contexts.chosen() == "rootless"


def test_every_control_says_what_it_does_and_its_cli_twin(settings, open_page):
    page = open_page(settings)
    tips = {name: combo.toolTip() for name, combo in page.combos.items()}
    assert "docker context use NAME" in tips["engine"]
    assert "-p 127.0.0.1:5000:5000" in tips["bind_address"]
    assert "--restart unless-stopped" in tips["restart"]
    assert "--gpus all" in tips["gpus"]
    assert all(button.toolTip() for button in page.findChildren(QPushButton))


def test_a_broken_saved_value_falls_back_and_is_named(qtbot, settings, open_page, expect_log_warnings):
    settings.setValue("preferences/appearance", "purple")
    settings.setValue("preferences/restart", "sometimes")
    settings.setValue("preferences/bind_address", "my laptop")
    page = open_page(settings)
    assert page.problems_label.isVisible()
    assert page.problems_label.text().splitlines() == [
        "The saved appearance 'purple' was not understood; using Follow the system.",
        "The saved bind address 'my laptop' is not an IP address; using This computer only (127.0.0.1).",
        "The saved restart policy 'sometimes' was not understood; using Never (no).",
    ]
    assert page.combos["appearance"].currentText() == "Follow the system"
    assert page.combos["restart"].currentText() == "Never (no)"

    choose(qtbot, page.combos["restart"], "When it fails")  # a value picked: its sentence goes
    assert "restart policy" not in page.problems_label.text()
    assert settings.value("preferences/restart") == "on-failure"


def test_every_interface_warns_in_the_run_dialogs_words(qtbot, settings, open_page):
    page = open_page(settings)
    assert not page.bind_warning.isVisible()
    choose(qtbot, page.combos["bind_address"], "Every interface")
    assert page.bind_warning.isVisible()
    ports = PortsSection()
    qtbot.addWidget(ports)
    qtbot.mouseClick(ports.table.add_button, LEFT)
    run_dialog_words = ports.table.row_widgets(0)["all_interfaces"].toolTip()
    shared = "every network interface (0.0.0.0), not only 127.0.0.1: other computers on your network can then reach"
    assert shared in run_dialog_words.lower() and shared in page.bind_warning.text()
    choose(qtbot, page.combos["bind_address"], "This computer only")
    assert not page.bind_warning.isVisible()


def test_the_data_folders_open_and_copy(qtbot, settings, open_page):
    page = open_page(settings)
    opened = []
    page.open_url = lambda url: opened.append(url.toLocalFile()) or True
    titles = [folder.title for folder in page.folders]
    assert titles[:3] == ["Settings", "Preferences", "Data"] and "Logs" in titles
    data = page.folders[titles.index("Data")]
    open_button, copy_button = page.folder_buttons["Data"]
    qtbot.mouseClick(open_button, LEFT, pos=QPoint(5, 5))
    assert opened == [str(data.path)] and not page.folder_status.isVisible()
    qtbot.mouseClick(copy_button, LEFT, pos=QPoint(5, 5))
    assert QGuiApplication.clipboard().text() == str(data.path)
    assert page.folder_status.text() == f"Copied {data.path}."

    page.open_url = lambda _url: False  # no file manager, or the folder is not made yet
    qtbot.mouseClick(open_button, LEFT, pos=QPoint(5, 5))
    assert page.folder_status.text().startswith(f"Could not open {data.path}.")


def test_a_saved_context_that_is_gone_is_named_and_stays_until_another_is_chosen(qtbot, settings, open_page):
    settings.setValue("preferences/engine", "old-box")
    page = open_page(settings)
    combo = page.combos["engine"]
    assert combo.currentText() == "old-box (not found)"
    assert page.engine_note.text().startswith("The docker context 'old-box' was not found")
    choose(qtbot, combo, "rootless")
    assert "not found" not in page.engine_note.text() and settings.value("preferences/engine") == "rootless"


def test_docker_host_is_said_to_win_over_the_choice(qtbot, settings, open_page, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    page = open_page(settings)
    assert page.combos["engine"].itemText(0) == "The engine Portside finds: tcp://127.0.0.1:2375 (from DOCKER_HOST)"
    assert page.engine_note.text().startswith("DOCKER_HOST is set (tcp://127.0.0.1:2375): it wins over this choice")


def test_remove_takes_a_context_away_after_asking_and_never_the_one_in_use(qtbot, settings, open_page, docker_config):
    from tests.gui.user_actions import answer_message_boxes

    page = open_page(settings)
    engine = page.combos["engine"]
    qtbot.waitUntil(lambda: engine.findText("rootless", Qt.MatchFlag.MatchStartsWith) >= 0, timeout=5000)
    choose(qtbot, engine, "gpu-box")
    qtbot.mouseClick(page.connect_button, LEFT)  # gpu-box is now the engine in use
    qtbot.mouseClick(page.remove_button, LEFT)
    assert "Nothing removed: the engine in use" in page.engine_note.text()

    choose(qtbot, engine, "rootless")
    seen: list[str] = []
    answer_message_boxes(qtbot, "Remove", seen=seen)
    qtbot.mouseClick(page.remove_button, LEFT)
    qtbot.waitUntil(lambda: engine.findText("rootless", Qt.MatchFlag.MatchStartsWith) < 0, timeout=5000)
    assert not list((docker_config / "contexts" / "meta").glob("*/meta.json"))[1:]  # only gpu-box's is left
    assert seen == [
        "Remove the docker context rootless? The engine itself is not touched; the docker CLI loses it too."
    ]
