"""Stopping a container as a user sees it: "Stopping (up to 10 s)…" while Docker waits, progress in the status bar,
Stop disabled meanwhile, exit codes in plain words, and why a stop that took the whole wait ended in 137."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.models.lists import CONTAINER_STATE_COLUMN, CONTAINER_STATUS_COLUMN
from tests.fakes import fake_engine
from tests.gui.user_actions import select, toolbar_button


def cell(page, name: str, column: int, role=Qt.ItemDataRole.DisplayRole) -> str:
    for row in range(page.proxy.rowCount()):
        if page.proxy.index(row, 0).data() == name:
            return page.proxy.index(row, column).data(role) or ""
    raise AssertionError(f"{name} not shown")


def status_of(page, name: str) -> str:
    return cell(page, name, CONTAINER_STATUS_COLUMN)


@pytest.fixture
def slow_stop(engine):
    """Every stop waits until the test lets it end, as a container that takes its time does."""
    gate = threading.Event()
    engine.stop_gate = gate
    yield gate
    gate.set()  # never leave the worker waiting


def test_a_stop_in_flight_says_stopping_and_cannot_be_repeated(window, engine, qtbot, slow_stop):
    page = window.containers_page
    select(page, "web")
    qtbot.mouseClick(toolbar_button(page, page.stop_action), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: status_of(page, "web") == "Stopping (up to 10 s)…", timeout=5000)
    assert "waits up to 10 seconds" in cell(page, "web", CONTAINER_STATUS_COLUMN, Qt.ItemDataRole.ToolTipRole)
    assert "Stopping web" in window.statusBar().currentMessage()
    assert "of up to 10 s" in window.statusBar().currentMessage()
    assert not page.stop_action.isEnabled()
    assert not page.restart_action.isEnabled()
    assert page.logs_action.isEnabled()  # everything else still works meanwhile

    slow_stop.set()
    qtbot.waitUntil(lambda: status_of(page, "web").startswith("Exited"), timeout=5000)
    assert page.start_action.isEnabled()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Stopped web."), timeout=5000)
    assert "finished normally" in window.statusBar().currentMessage()
    assert window.findChild(QMessageBox, "forced-stop-advice") is None  # nothing to explain


def test_a_stop_that_took_the_whole_wait_explains_sigterm_and_the_fix(window, engine, qtbot):
    engine.stop_exit_code, engine.stop_seconds = 137, 10.01  # killed after the 10 s docker stop waits
    page = window.containers_page
    select(page, "web")
    qtbot.mouseClick(toolbar_button(page, page.stop_action), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "forced-stop-advice") is not None, timeout=5000)
    box = window.findChild(QMessageBox, "forced-stop-advice")
    assert box.isVisible()
    assert "10 seconds" in box.text() and "SIGTERM" in box.text() and "PID 1" in box.text()
    assert "--init" in box.informativeText() and "STOPSIGNAL" in box.informativeText()
    assert 'CMD ["python", "app.py"]' in box.informativeText()
    qtbot.waitUntil(lambda: status_of(page, "web").startswith("Exited (137)"), timeout=5000)
    tooltip = cell(page, "web", CONTAINER_STATUS_COLUMN, Qt.ItemDataRole.ToolTipRole)
    assert "Stopped by force (SIGKILL" in tooltip
    box.close()


def test_a_polite_stop_explains_nothing_more(window, engine, qtbot):
    engine.stop_exit_code, engine.stop_seconds = 143, 0.2
    page = window.containers_page
    select(page, "web")
    qtbot.mouseClick(toolbar_button(page, page.stop_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Stopped politely" in window.statusBar().currentMessage(), timeout=5000)
    assert window.findChild(QMessageBox, "forced-stop-advice") is None


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("Exited (0) 1 minute ago", "finished normally"),
        ("Exited (1) 1 minute ago", "stopped with an error"),
        ("Exited (125) 1 minute ago", "docker run itself failed"),
        ("Exited (126) 1 minute ago", "cannot be run"),
        ("Exited (127) 1 minute ago", "Command not found"),
        ("Exited (137) 1 minute ago", "Stopped by force (SIGKILL"),
        ("Exited (139) 1 minute ago", "segmentation fault"),
        ("Exited (143) 1 minute ago", "Stopped politely (SIGTERM"),
        ("Exited (42) 1 minute ago", "the program's own error code"),
    ],
)
def test_the_status_tooltip_explains_the_exit_code(window, engine, qtbot, status, words):
    engine.add_container(fake_engine.replace_row(fake_engine.container("ended", state="exited"), status=status))
    page = window.containers_page
    qtbot.waitUntil(lambda: "ended" in [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())])
    for column in (CONTAINER_STATE_COLUMN, CONTAINER_STATUS_COLUMN):  # State and Status
        tooltip = cell(page, "ended", column, Qt.ItemDataRole.ToolTipRole)
        assert tooltip.startswith(status) and words in tooltip
