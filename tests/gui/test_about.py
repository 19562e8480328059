"""Help > About Portside, opened from the menu as a user would: Portside's, the engine's, Qt's and Python's versions."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QApplication

from gui.core.engine.connection import EngineState
from gui.core.version import version
from gui.views.about_dialog import AboutDialog


def open_about(window, qtbot) -> AboutDialog:
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    about = next(a for a in help_menu.actions() if a.text() == "&About Portside")
    about.trigger()
    qtbot.waitUntil(lambda: window.findChild(AboutDialog) is not None and window.findChild(AboutDialog).isVisible())
    return window.findChild(AboutDialog)


def test_about_shows_every_version(window, qtbot):
    dialog = open_about(window, qtbot)
    assert dialog.windowTitle() == "About Portside"
    assert version() != "unknown"  # the editable install has metadata
    texts = {name: label.text() for name, label in dialog.values.items()}
    assert texts == {
        "Portside": version(),
        "Docker engine": "Docker 27.0.0 (API 1.46)",
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
    }
    dialog.copy_button.click()
    assert QApplication.clipboard().text().splitlines()[:2] == [
        f"Portside: {version()}",
        "Docker engine: Docker 27.0.0 (API 1.46)",
    ]
    dialog.close()


def test_about_after_the_engine_went_away_says_not_connected(window, engine, engine_state, qtbot):
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()  # the engine goes away: its event stream ends
    qtbot.waitUntil(lambda: window.current_page == "engine", timeout=5000)
    dialog = open_about(window, qtbot)
    assert dialog.values["Docker engine"].text() == "not connected"
    assert dialog.values["Portside"].text() == version()
    dialog.close()
