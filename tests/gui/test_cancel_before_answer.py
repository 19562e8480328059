"""Cancel works against an engine that took the request and never answers (issue 15).

Found with the fault proxy (tests/engine/test_fault_modes.py, mode stall): a build or a pull whose request the
engine never answered could not be cancelled. The stream's reader was still waiting for the answer, so there
was no socket to close; `ended` never came, and the dialog said "Cancelling…" for ever with Build (or Pull)
disabled. Now the worker lets that reader go, as closing the window does, and ends at once.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.workers import streams
from gui.workers.streams import StreamWorker
from tests.fakes.silent_socket import SilentEngine


@pytest.fixture
def silent(tmp_path):
    server = SilentEngine(tmp_path / "silent.sock")
    yield server
    server.close()  # hangs up: the reader that was let go ends before the thread check


@pytest.fixture
def engine(silent):
    engine = Engine(Endpoint(silent.host, "DOCKER_HOST"), "1.41")
    yield engine
    engine.close()


@pytest.fixture
def session(engine):
    """A session that believes it is connected to the silent engine (no diagnosis: it was fine a moment ago)."""
    from gui.workers.session import EngineSession

    session = EngineSession(diagnose_fn=lambda: None)
    session.engine = engine
    yield session
    session.stop()


def test_cancelling_a_stream_the_engine_never_answered_ends_it(qtbot, silent, engine):
    answered = threading.Event()

    def open_logs():
        try:
            return engine.logs("web")
        finally:
            answered.set()

    worker = StreamWorker(open_logs, name="logs")
    worker.start()
    assert silent.accepted.acquire(timeout=10)  # the request went out; the engine says nothing
    with qtbot.waitSignal(worker.ended, timeout=5000) as ended:
        worker.cancel()
    assert ended.args == [None]  # cancelled: no error for the user
    assert worker.cancelled and not worker.running
    assert not answered.is_set()  # it ended without the engine's answer: the reader was let go
    silent.hang_up()
    qtbot.waitUntil(answered.is_set, timeout=10_000)
    qtbot.waitUntil(lambda: not streams.abandoned_readers(), timeout=10_000)


def test_a_build_the_engine_never_answers_can_be_cancelled(qtbot, tmp_path, silent, session):
    from gui.core.build.history import BuildHistory
    from gui.views.build.build_dialog import BuildDialog
    from gui.workers.build_runner import BuildRunner

    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM busybox\nRUN echo hi\n", encoding="utf-8")
    runner = BuildRunner(session, BuildHistory(tmp_path / "builds"))
    dialog = BuildDialog(session, runner, tmp_path / "app", "Dockerfile", "app:1")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    assert silent.accepted.acquire(timeout=10)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_label.text().startswith("Build cancelled"), timeout=5000)
    assert dialog.step_label.text() == "Cancelled"
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)  # the user can build again
    runner.dispose()


def test_a_pull_the_engine_never_answers_can_be_cancelled(qtbot, silent, session):
    from gui.views.registry.pull_dialog import PullDialog

    dialog = PullDialog(session)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.reference_edit, "busybox:1.36")
    qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    assert silent.accepted.acquire(timeout=10)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.status_label.text() == "Pull cancelled.", timeout=5000)
    assert dialog.pull_button.isEnabled() and not dialog.cancel_button.isEnabled()
