"""A log or event stream whose engine never answers ends with EngineNotAnswering (issue 15); once answered, its
body has no time limit (a quiet container's log may say nothing for hours). gui.core.engine.client."""

from __future__ import annotations

import threading

import pytest

from gui.core.engine import client as client_module
from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.core.errors import EngineNotAnswering, explain
from tests.fakes.quiet_log_engine import CONTAINER_ID, STARTED_AT, QuietLogEngine

LIMIT_S = 0.2  # the time limit on the first answer, for these tests
DEADLINE_S = 30  # how long a test waits for a call to end before calling it stuck


@pytest.fixture(autouse=True)
def short_answer_limit(monkeypatch):
    monkeypatch.setattr(client_module, "STREAM_ANSWER_TIMEOUT_S", LIMIT_S)


@pytest.fixture
def server(tmp_path):
    engine = QuietLogEngine(tmp_path / "engine.sock")
    yield engine
    engine.close()  # hangs up: a call still waiting on it ends


def in_thread(fn) -> tuple[threading.Thread, dict]:
    """Runs fn on a daemon thread; the box gets its result or its error (as the stream workers explain it)."""
    box: dict = {}

    def run():
        try:
            box["result"] = fn()
        except Exception as exc:
            box["error"] = explain(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


@pytest.mark.parametrize("stream", ["logs", "events"])
def test_a_stream_the_engine_never_answers_ends_with_not_answering(server, stream):
    server.answering = False
    engine = Engine(Endpoint(server.host, "DOCKER_HOST"), "1.41")
    opening = (lambda: engine.logs(CONTAINER_ID, timestamps=True)) if stream == "logs" else engine.events
    thread, box = in_thread(opening)
    thread.join(DEADLINE_S)
    assert not thread.is_alive(), "still waiting for an engine that never answers"
    assert isinstance(box.get("error"), EngineNotAnswering), box
    assert server.requests  # it was asked, and said nothing
    engine.close()


@pytest.mark.parametrize("stream", ["logs", "events"])
def test_an_answered_stream_may_stay_quiet_far_longer_than_the_limit(server, stream):
    engine = Engine(Endpoint(server.host, "DOCKER_HOST"), "1.41")
    opened = engine.logs(CONTAINER_ID, timestamps=True) if stream == "logs" else engine.events()
    if stream == "logs":
        assert opened.started_at == STARTED_AT  # when the followed run began: a later end is told from a restart
    reader, box = in_thread(lambda: list(opened))
    reader.join(LIMIT_S * 5)  # five times the limit on the first answer, and the body is still being read
    assert reader.is_alive() and not box
    opened.close()  # the user closes the window
    reader.join(DEADLINE_S)
    assert not reader.is_alive() and "error" not in box, box
    engine.close()
