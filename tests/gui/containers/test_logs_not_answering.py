"""A log whose engine takes the request and never answers: the follower says the engine is not answering (instead of
"Following…" for ever), asks again, and follows once the engine answers (issue 15). A real Engine (docker-py)
against a scripted engine on a Unix socket (tests/fakes/quiet_log_engine.py)."""

from __future__ import annotations

import pytest

from gui.core.engine import client as client_module
from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.workers.log_follower import ENGINE_BACK, NOT_ANSWERING, LogFollower
from tests.fakes import fake_engine
from tests.fakes.quiet_log_engine import CONTAINER_ID, QuietLogEngine


@pytest.fixture
def silent_then_answering(tmp_path, monkeypatch):
    monkeypatch.setattr(client_module, "STREAM_ANSWER_TIMEOUT_S", 0.3)
    server = QuietLogEngine(tmp_path / "engine.sock", answering=False)
    yield server
    server.close()


def test_an_engine_that_never_answers_is_said_and_asked_again(qtbot, silent_then_answering):
    from gui.workers.session import EngineSession

    server = silent_then_answering
    session = EngineSession(diagnose_fn=fake_engine.diagnosis)  # never started: the engine is set by hand
    session.engine = Engine(Endpoint(server.host, "DOCKER_HOST"), "1.41")
    follower = LogFollower(session, CONTAINER_ID, "quiet")
    said: list[str] = []
    follower.status.connect(said.append)
    try:
        follower.start(timestamps=False)
        qtbot.waitUntil(lambda: NOT_ANSWERING in said, timeout=30_000)
        asked = len(server.requests)
        qtbot.waitUntil(lambda: len(server.requests) > asked, timeout=30_000)  # it asks again by itself
        assert ENGINE_BACK not in said  # asking again is not the engine being back

        server.answering = True
        qtbot.waitUntil(lambda: said[-1:] == [ENGINE_BACK], timeout=30_000)
        qtbot.waitUntil(lambda: server.asked(f"/containers/{CONTAINER_ID}/logs") >= 1, timeout=10_000)
        assert follower.following and follower.state == "following"
    finally:
        follower.stop()
        session.stop()
