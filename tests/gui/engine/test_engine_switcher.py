"""The engine switcher at the top of the sidebar, used as a user would: the contexts listed with the one in use
marked, a choice saved as the Settings page saves it, and Add engine… and Manage in Settings… from the same list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLineEdit

from gui.core.settings import contexts, preferences
from gui.views.engine.add_engine_dialog import AddEngineDialog
from gui.views.engine.engine_switcher import ADD_TEXT, FOUND_TEXT, IN_USE, MANAGE_TEXT, EngineSwitcher

LEFT = Qt.MouseButton.LeftButton
# The list is a popup, which the offscreen platform cannot give the keyboard to (it says so, harmlessly).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support grabbing the keyboard", extend=True)


@pytest.fixture
def switcher(qtbot, settings, docker_config):
    widget = EngineSwitcher(settings)
    qtbot.addWidget(widget)
    widget.show()
    widget.chosen, widget.manage = [], []
    widget.engineChosen.connect(widget.chosen.append)
    widget.settingsRequested.connect(lambda: widget.manage.append(True))
    qtbot.waitUntil(lambda: widget.findText("gpu-box", Qt.MatchFlag.MatchEndsWith) >= 0, timeout=5000)
    return widget


def entries(switcher: EngineSwitcher) -> list[str]:
    return [switcher.itemText(index) for index in range(switcher.count()) if switcher.itemText(index)]


def pick(qtbot, switcher: EngineSwitcher, text: str) -> None:
    """Opens the list with the keyboard, moves to the entry and presses Enter."""
    switcher.setFocus()
    qtbot.keyClick(switcher, Qt.Key.Key_Down)  # opens the list: it does not switch engines
    view = switcher.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    index = switcher.findText(text, Qt.MatchFlag.MatchEndsWith)
    assert index >= 0, f"{text!r} is not offered"
    view.setCurrentIndex(switcher.model().index(index, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5000)


def test_the_contexts_are_listed_with_the_engine_in_use_marked(switcher):
    assert entries(switcher) == [IN_USE + FOUND_TEXT, "gpu-box", "rootless", ADD_TEXT, MANAGE_TEXT]
    assert "this computer's socket" in switcher.toolTip()
    gpu_box = switcher.findText("gpu-box")
    assert switcher.itemData(gpu_box, Qt.ItemDataRole.ToolTipRole) == "gpu-box: ssh://me@gpu-box"


def test_choosing_an_engine_saves_it_uses_it_and_says_so(qtbot, switcher, settings):
    pick(qtbot, switcher, "gpu-box")
    assert switcher.chosen == ["gpu-box"]
    assert contexts.chosen() == "gpu-box"
    assert switcher.currentText() == IN_USE + "gpu-box"
    assert "ssh://me@gpu-box" in switcher.toolTip()
    settings.sync()
    saved, _problems = preferences.load(QSettings(settings.fileName(), QSettings.Format.IniFormat))
    assert saved.engine == "gpu-box"


def test_arrow_keys_on_the_closed_box_do_not_switch_engines(qtbot, switcher):
    switcher.setFocus()
    qtbot.keyClick(switcher, Qt.Key.Key_Down)  # on a plain combo box: the next engine, connected at once
    qtbot.waitUntil(switcher.view().isVisible, timeout=5000)  # the list opened instead
    assert switcher.chosen == [] and contexts.chosen() == ""
    qtbot.keyClick(switcher.view(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not switcher.view().isVisible(), timeout=5000)
    assert switcher.chosen == [] and switcher.currentText() == IN_USE + FOUND_TEXT


def test_manage_in_settings_asks_for_the_settings_page_and_keeps_the_engine(qtbot, switcher):
    pick(qtbot, switcher, MANAGE_TEXT)
    assert switcher.manage == [True] and switcher.chosen == []
    assert switcher.currentText() == IN_USE + FOUND_TEXT


def test_an_engine_chosen_in_settings_is_marked_here_too(qtbot, switcher):
    switcher.show_chosen("rootless")
    assert switcher.currentText() == IN_USE + "rootless"
    assert switcher.chosen == []  # the Settings page connects; the switcher only shows it


def test_add_engine_opens_the_dialog_and_the_new_engine_is_listed_and_used(qtbot, switcher):
    pick(qtbot, switcher, ADD_TEXT)
    qtbot.waitUntil(lambda: switcher.add_dialog is not None and switcher.add_dialog.isVisible(), timeout=5000)
    dialog: AddEngineDialog = switcher.add_dialog
    assert switcher.currentText() == IN_USE + FOUND_TEXT  # the action is not an engine
    qtbot.keyClicks(dialog.findChild(QLineEdit, "engine-name"), "gpu-box")
    assert "already a docker context named 'gpu-box'" in dialog.problem_label.text()
    name = dialog.findChild(QLineEdit, "engine-name")
    name.clear()
    qtbot.keyClicks(name, "lab-box")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "engine-address"), "/run/lab/docker.sock")
    qtbot.mouseClick(dialog.add_button, LEFT)  # "Switch to it now" is ticked
    qtbot.waitUntil(lambda: switcher.chosen == ["lab-box"], timeout=10000)
    qtbot.waitUntil(lambda: "lab-box" in entries(switcher) or IN_USE + "lab-box" in entries(switcher), timeout=5000)
    assert switcher.currentText() == IN_USE + "lab-box"
    assert "unix:///run/lab/docker.sock" in switcher.toolTip()
