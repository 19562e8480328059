"""The Builds page while the engine is down: writing and checking a Dockerfile needs no engine, building does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.core.engine.connection import EngineState
from tests.gui.user_actions import toolbar_button


@pytest.fixture
def engine_down(engine_state):
    engine_state.state = EngineState.NOT_RUNNING
    return engine_state


def click_sidebar(window, qtbot, title: str) -> None:
    [item] = window.sidebar.findItems(title, Qt.MatchFlag.MatchExactly)
    rect = window.sidebar.visualItemRect(item)
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def action_named(page, text: str):
    return next(action for action in page.toolbar.actions() if action.text() == text)


def test_builds_page_works_without_the_engine(engine_down, window, session, qtbot):
    qtbot.waitUntil(lambda: window.engine_page.title.text() == "The Docker engine is not running", timeout=5000)
    click_sidebar(window, qtbot, "Build")
    assert window.current_page == "builds"
    page = window.builds_page
    for text in ("New Dockerfile…", "Open Dockerfile…"):
        assert toolbar_button(page, action_named(page, text)).isEnabled(), text
    build = toolbar_button(page, page.build_action)
    assert not build.isEnabled()
    assert "Needs the Docker engine" in page.build_action.toolTip()

    with qtbot.waitSignal(session.diagnosisChanged, timeout=5000):
        session.check()  # the retry every few seconds: the user stays where they are
    assert window.current_page == "builds"

    qtbot.mouseClick(toolbar_button(page, action_named(page, "New Dockerfile…")), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(type(d).__name__ == "DockerfileWizard" for d in window._dialogs), timeout=5000)
    wizard = next(d for d in window._dialogs if type(d).__name__ == "DockerfileWizard")
    assert wizard.isVisible()
    wizard.close()

    engine_down.state = EngineState.CONNECTED
    with qtbot.waitSignal(session.diagnosisChanged, timeout=5000):
        session.check()
    qtbot.waitUntil(build.isEnabled, timeout=5000)
    assert window.current_page == "builds"
    assert "Needs the Docker engine" not in page.build_action.toolTip()


def test_pages_that_list_the_engine_stay_closed_while_it_is_down(engine_down, window, qtbot):
    qtbot.waitUntil(lambda: window.engine_page.title.text() == "The Docker engine is not running", timeout=5000)
    click_sidebar(window, qtbot, "Images")
    assert window.current_page == "engine"
