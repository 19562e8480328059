"""An engine error on screen goes away by itself once the engine is fine again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from gui.core.engine import actions
from gui.core.engine.connection import EngineState
from gui.core.errors import EngineError
from tests.fakes import fake_engine

SLOW = "Could not read the lists: the engine took too long to answer. Try again."


@pytest.fixture
def settings(tmp_path):
    settings = QSettings(str(tmp_path / "portside.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/page", "containers")
    return settings


def error_boxes(window) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def test_the_not_connected_error_goes_when_the_engine_is_back(window, engine, engine_state, qtbot):
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()  # the engine goes away
    qtbot.waitUntil(lambda: window.current_page == "engine" and not window.session.connected, timeout=5000)
    # A start asked for just as the engine went: the session says it is not connected.
    window.session.perform(actions.StartContainer("old-job"))
    qtbot.waitUntil(lambda: len(error_boxes(window)) == 1, timeout=3000)
    assert "not connected" in error_boxes(window)[0].text()

    engine_state.state = EngineState.CONNECTED
    window.engine_page.check_button.click()
    qtbot.waitUntil(lambda: not error_boxes(window), timeout=5000)
    assert window.statusBar().currentMessage() == "The Docker engine answers again."
    assert window.engine_page.title.text() != "The Docker engine is not running"


def test_a_failed_refresh_goes_when_the_lists_are_read_again(window, engine, qtbot, monkeypatch):
    def too_slow():
        raise EngineError(SLOW)

    answers = engine.snapshot
    monkeypatch.setattr(engine, "snapshot", too_slow)
    engine.add_container(fake_engine.container("slow"))  # an event: the lists are read again, and that fails
    qtbot.waitUntil(lambda: [box.text() for box in error_boxes(window)] == [SLOW], timeout=5000)

    monkeypatch.setattr(engine, "snapshot", answers)
    engine.add_container(fake_engine.container("fine"))
    qtbot.waitUntil(lambda: not error_boxes(window), timeout=5000)
    assert "fine" in {row.name for row in window.containers_page.model.rows}


def test_repeated_engine_errors_show_one_box(window, engine, qtbot, monkeypatch):
    def too_slow():
        raise EngineError(SLOW)

    failures = []
    window.session.actionFailed.connect(failures.append)
    monkeypatch.setattr(engine, "snapshot", too_slow)
    for count, name in enumerate(("one", "two", "three"), start=1):
        engine.add_container(fake_engine.container(name))
        qtbot.waitUntil(lambda count=count: len(failures) == count, timeout=5000)
    assert len(error_boxes(window)) == 1


def test_a_pages_own_engine_gone_box_goes_when_the_engine_is_back(window, engine, qtbot):
    """Pages show their own boxes for a failed action; "the engine stopped answering" is stale once it answers."""
    from gui.core.errors import EngineGone
    from gui.views.widgets import feedback

    gone = EngineGone("Could not stop web: the engine stopped answering. Start it, then try again.")
    feedback.show_error(window.containers_page, "Could not stop web", gone)
    feedback.show_error(window.containers_page, "Could not remove web", EngineError("The container is in use."))
    qtbot.waitUntil(lambda: len(error_boxes(window)) == 2, timeout=3000)

    engine.add_container(fake_engine.container("fresh"))  # an event: the lists are read again, and that works
    qtbot.waitUntil(lambda: [box.text() for box in error_boxes(window)] == ["The container is in use."], timeout=5000)
    for box in error_boxes(window):
        box.close()
