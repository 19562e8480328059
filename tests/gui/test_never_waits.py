"""A slow or silent engine never makes the window wait (issue 15).

Closing a stream, toggling a Logs window's timestamps, stopping the session or the Monitor and quitting all
return at once; a thread left blocked on the engine is abandoned and ends by itself once its socket closes.

How "at once" is told without timing anything: the blocked call ends when the test says so, or by itself after
FALLBACK_S. Code that waits for the blocked thread returns only after it ended (at the fallback, sooner than its
old 5 s bound); code that does not wait returns while the thread is still blocked.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.workers import streams
from gui.workers.streams import StreamWorker
from tests.fakes import fake_engine
from tests.fakes.silent_socket import SilentEngine

FALLBACK_S = 4.0
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def silent(tmp_path):
    server = SilentEngine(tmp_path / "silent.sock")
    yield server
    server.close()  # hangs up: a reader still blocked on it ends before the thread check


def hang_up_when(server: SilentEngine, returned: threading.Event) -> None:
    """The engine hangs up once the test is back from the call (or after FALLBACK_S, whichever comes first)."""
    threading.Thread(target=lambda: (returned.wait(FALLBACK_S), server.hang_up()), daemon=True).start()


def test_disposing_a_stream_the_engine_never_answers_returns_at_once(qtbot, silent):
    engine = Engine(Endpoint(silent.host, "DOCKER_HOST"), "1.41")
    opened = threading.Event()  # the engine answered (or the connection failed)

    def open_logs():
        try:
            return engine.logs("web")
        finally:
            opened.set()

    worker = StreamWorker(open_logs, name="logs")
    worker.start()
    assert silent.accepted.acquire(timeout=10)  # the request went out; the engine says nothing
    returned = threading.Event()
    hang_up_when(silent, returned)
    worker.dispose()
    reader_still_blocked = not opened.is_set()
    returned.set()
    assert reader_still_blocked  # dispose gave up on the reader instead of waiting for it...
    qtbot.waitUntil(opened.is_set, timeout=10_000)  # ...which ends as soon as the engine hangs up
    qtbot.waitUntil(lambda: not streams.abandoned_readers(), timeout=10_000)
    engine.close()


def test_cancel_closes_the_socket_of_an_open_stream(qtbot, tmp_path):
    server = SilentEngine(tmp_path / "stream.sock", mode="stream")
    engine = Engine(Endpoint(server.host, "DOCKER_HOST"), "1.41")
    opened = threading.Event()

    def open_events():
        stream = engine.events()
        opened.set()
        return stream

    worker = StreamWorker(open_events, name="events")
    ended = []
    worker.ended.connect(ended.append)
    worker.start()
    try:
        assert opened.wait(10)  # headers read: the reader now waits for events that never come
        worker.cancel()
        qtbot.waitUntil(lambda: bool(ended), timeout=5000)
        assert ended == [None]  # cancelled: no error for the user
        assert server.connections == 1  # the engine never hung up: Portside closed its end of the socket
    finally:
        server.close()
        engine.close()


def slow_logs(engine, monkeypatch) -> tuple[threading.Event, list, list]:
    """engine.logs answers only once `release` is set (or after FALLBACK_S); `calls` and `answered` count."""
    release, calls, answered = threading.Event(), [], []
    original = engine.logs

    def logs(*args, **kwargs):
        calls.append(kwargs.get("timestamps"))
        release.wait(FALLBACK_S)
        answered.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, "logs", logs)
    return release, calls, answered


def test_logs_window_of_a_slow_engine_toggles_and_closes_at_once(window, engine, qtbot, monkeypatch):
    web = next(r for r in engine.containers_by_id.values() if r.name == "web")
    engine.log_lines[web.id] = [b"ready\n"]
    release, calls, answered = slow_logs(engine, monkeypatch)
    window.open_logs(web)
    logs = window.logs_windows[web.id]
    qtbot.addWidget(logs)
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)

    try:
        logs.timestamps_box.click()  # the first stream is still opening: it is given up, a new one asked for
        toggled_while_blocked = not answered
        qtbot.waitUntil(lambda: len(calls) == 2, timeout=5000)
        logs.close()
        closed_while_blocked = not answered
    finally:
        release.set()
    assert toggled_while_blocked and closed_while_blocked
    assert "--timestamps" in logs.command_label.text()
    qtbot.waitUntil(lambda: len(answered) == 2, timeout=10_000)
    # Both readers see their cancel once the engine answers, close the stream and end.
    qtbot.waitUntil(lambda: len(engine.log_streams) == 2 and all(s.cancelled for s in engine.log_streams), timeout=5000)
    qtbot.waitUntil(lambda: not streams.abandoned_readers(), timeout=5000)


def test_stopping_the_session_does_not_wait_for_a_silent_engine(qtbot, engine):
    from gui.workers.session import EngineSession

    entered, release, answered = threading.Event(), threading.Event(), []

    def stuck_diagnosis():
        entered.set()
        release.wait(FALLBACK_S)
        answered.append(1)
        return fake_engine.diagnosis()

    session = EngineSession(diagnose_fn=stuck_diagnosis, engine_factory=lambda _diagnosis: engine)
    session.start()
    assert entered.wait(5)
    session.stop()
    stopped_while_blocked = not answered
    release.set()
    assert stopped_while_blocked
    qtbot.waitUntil(lambda: bool(answered), timeout=5000)
    qtbot.wait(50)  # the late answer reaches a stopped session: it connects nothing
    assert not session.connected


def test_stopping_the_session_does_not_wait_for_a_stuck_list_read(qtbot, session, engine, monkeypatch):
    session.start()
    qtbot.waitUntil(lambda: session.snapshot is not None, timeout=5000)
    entered, release, answered = threading.Event(), threading.Event(), []
    original = engine.snapshot

    def stuck_snapshot():
        entered.set()
        release.wait(FALLBACK_S)
        answered.append(1)
        return original()

    monkeypatch.setattr(engine, "snapshot", stuck_snapshot)
    session.refresh()
    assert entered.wait(5)
    session.stop()
    stopped_while_blocked = not answered
    release.set()
    assert stopped_while_blocked
    qtbot.waitUntil(lambda: bool(answered), timeout=5000)


def test_stopping_the_monitor_does_not_wait_for_a_stuck_host_sample(qtbot, session, monkeypatch):
    from gui.workers.monitor import service as monitor_module
    from gui.workers.monitor.service import MonitorService

    entered, release, answered = threading.Event(), threading.Event(), []

    def stuck_sample(*_args):
        entered.set()
        release.wait(FALLBACK_S)
        answered.append(1)
        return None, None, {}

    monkeypatch.setattr(monitor_module, "_sample_system", stuck_sample)
    monitor = MonitorService(session, interval_ms=monitor_module.MIN_INTERVAL_MS)
    session.start()
    monitor.start()
    assert entered.wait(5)
    monitor.stop()
    stopped_while_blocked = not answered
    release.set()
    assert stopped_while_blocked
    qtbot.waitUntil(lambda: bool(answered), timeout=5000)
    qtbot.wait(50)  # its late result is dropped
    assert monitor.host is None
    with qtbot.waitSignal(monitor.destroyed, timeout=5000):
        monitor.deleteLater()


def run_app(tmp_path: Path, host: str, quit_after_ms: int) -> subprocess.CompletedProcess:
    home = tmp_path / "home"
    env = {
        **os.environ,
        "DOCKER_HOST": host,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        **{name: str(home / name.lower()) for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")},
    }
    env.pop("DOCKER_CONTEXT", None)
    return subprocess.run(
        [sys.executable, "-m", "gui", "--quit-after", str(quit_after_ms)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a safety net against a hang, not a measure
    )


@pytest.mark.parametrize("mode", ["silent", "starting"])
def test_quitting_against_a_silent_engine_exits_cleanly(tmp_path, mode):
    server = SilentEngine(tmp_path / "engine.sock", mode=mode)
    try:
        result = run_app(tmp_path, server.host, 1500)
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "RuntimeError" not in result.stderr, result.stderr
