"""While the engine restarts (dockerd restores its containers first), the window says "The Docker engine is
starting" with a spinner, and once it answers goes back to the page the user was on (issue 15)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar

from gui.core.engine.connection import EngineState
from gui.views.main_window import PAGES


@pytest.fixture
def saved_on_containers(settings):
    """The page saved when Portside last quit: Containers."""
    settings.setValue("window/page", "containers")
    return settings


def click_page(qtbot, window, name: str) -> None:
    item = window.sidebar.item(PAGES.index(name))
    qtbot.mouseClick(
        window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=window.sidebar.visualItemRect(item).center()
    )
    assert window.current_page == name


def status_spinner(window) -> QProgressBar | None:
    return window.statusBar().findChild(QProgressBar, "engine-starting-status")


def engine_goes(qtbot, window, session, engine_state, state: EngineState) -> None:
    engine_state.state = state
    session.check()
    qtbot.waitUntil(lambda: session.diagnosis is not None and session.diagnosis.state is state, timeout=5000)


def test_a_starting_engine_shows_a_spinner_not_cannot_be_reached(engine_state, window, session, qtbot):
    engine_state.state = EngineState.STARTING
    session.check()
    page = window.engine_page
    qtbot.waitUntil(lambda: page.title.text() == "The Docker engine is starting", timeout=5000)
    assert "cannot be reached" not in page.summary.text()
    assert page.starting_bar.isVisible() and page.starting_bar.maximum() == 0  # busy: it moves to and fro
    assert status_spinner(window) is not None and status_spinner(window).isVisible()
    assert "The Docker engine is starting" in window.engine_label.text()
    assert window.current_page == "engine"

    engine_goes(qtbot, window, session, engine_state, EngineState.CONNECTED)
    assert not page.starting_bar.isVisible()
    assert not status_spinner(window).isVisible()


def test_after_a_restart_the_user_is_back_on_their_page(
    saved_on_containers, engine_state, engine, window, session, qtbot
):
    qtbot.waitUntil(lambda: window.current_page == "containers", timeout=5000)  # the page saved at start-up
    click_page(qtbot, window, "images")

    # dockerd restarts: the event stream ends, the socket is gone a moment, then takes connections it does not answer.
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    qtbot.waitUntil(lambda: window.current_page == "engine", timeout=5000)
    engine_goes(qtbot, window, session, engine_state, EngineState.STARTING)
    assert window.engine_page.starting_bar.isVisible()

    engine_goes(qtbot, window, session, engine_state, EngineState.CONNECTED)
    qtbot.waitUntil(lambda: window.current_page == "images", timeout=5000)  # not Containers, saved at start-up


def test_a_user_who_moved_on_meanwhile_stays_where_they_are(
    saved_on_containers, engine_state, engine, window, session, qtbot
):
    qtbot.waitUntil(lambda: window.current_page == "containers", timeout=5000)
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    qtbot.waitUntil(lambda: window.current_page == "engine", timeout=5000)
    click_page(qtbot, window, "builds")  # writing a Dockerfile needs no engine
    engine_goes(qtbot, window, session, engine_state, EngineState.CONNECTED)
    qtbot.waitUntil(lambda: session.snapshot is not None and window.containers_page.model.rowCount() > 0, timeout=5000)
    assert window.current_page == "builds"
