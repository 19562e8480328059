"""The Engine page while the engine is down: the user's platform tab survives the retries."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPlainTextEdit

from gui.core.engine import help as engine_help
from gui.core.engine.connection import EngineState
from gui.views.engine.engine_page import EnginePage
from tests.fakes import fake_engine


@pytest.fixture
def engine_down(engine_state):
    engine_state.state = EngineState.NOT_RUNNING
    return engine_state


def click_tab(qtbot, page: EnginePage, index: int) -> None:
    bar = page.steps.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())


def other_tab(page: EnginePage) -> int:
    """A tab that is not the one the page picked for this computer."""
    return 1 if page.steps.currentIndex() != 1 else 2


def test_a_retry_keeps_the_tab_the_user_chose(engine_down, window, session, qtbot):
    page = window.engine_page
    qtbot.waitUntil(lambda: page.steps.count() == len(engine_help.PLATFORMS), timeout=5000)
    chosen = other_tab(page)
    click_tab(qtbot, page, chosen)
    assert page.steps.currentIndex() == chosen
    shown = page.steps.currentWidget()
    with qtbot.waitSignal(session.diagnosisChanged, timeout=5000):
        qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)  # the same answer comes back
    assert page.steps.currentIndex() == chosen
    assert page.steps.currentWidget() is shown  # not rebuilt: its scroll position stays too
    assert window.current_page == "engine"


def test_a_new_problem_keeps_the_platform_the_user_chose(qtbot):
    page = EnginePage()
    qtbot.addWidget(page)
    page.show()
    page.show_diagnosis(fake_engine.diagnosis(EngineState.NOT_RUNNING))
    chosen = other_tab(page)
    click_tab(qtbot, page, chosen)
    page.show_diagnosis(fake_engine.diagnosis(EngineState.PERMISSION_DENIED))
    assert page.title.text() == "Your account may not use the Docker engine"
    assert page.steps.currentIndex() == chosen
    platform = engine_help.PLATFORMS[chosen]
    shown = page.steps.currentWidget().findChild(QPlainTextEdit).toPlainText()
    assert shown == engine_help.advice_for(EngineState.PERMISSION_DENIED).steps[platform]


def test_back_from_connected_shows_the_steps_again(qtbot):
    page = EnginePage()
    qtbot.addWidget(page)
    page.show_diagnosis(fake_engine.diagnosis(EngineState.NOT_RUNNING))
    page.show_diagnosis(fake_engine.diagnosis(EngineState.CONNECTED))
    assert page.steps.count() == 0
    page.show_diagnosis(fake_engine.diagnosis(EngineState.NOT_RUNNING))
    assert page.steps.count() == len(engine_help.PLATFORMS)
