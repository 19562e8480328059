"""An engine whose socket takes connections but that does not answer yet is "starting", not "cannot be reached"
(issue 15): dockerd restoring its containers after a restart, or saying so with a 5xx."""

from __future__ import annotations

import pytest

from gui.core.engine import connection, doctor
from gui.core.engine import help as engine_help
from gui.core.engine.connection import DEFAULT_UNIX_HOST, Diagnosis, Endpoint, EngineState, diagnose
from tests.fakes.silent_socket import SilentEngine


@pytest.fixture(autouse=True)
def quick_ping(monkeypatch):
    monkeypatch.setattr(connection, "PING_TIMEOUT_S", 0.3)


@pytest.mark.parametrize("mode", ["silent", "starting", "drop"])
def test_a_socket_that_takes_the_connection_but_does_not_answer_is_starting(tmp_path, mode):
    server = SilentEngine(tmp_path / "engine.sock", mode=mode)
    try:
        diagnosis = diagnose(Endpoint(server.host, "DOCKER_HOST"))
    finally:
        server.close()
    assert diagnosis.state is EngineState.STARTING
    assert diagnosis.starting and not diagnosis.usable
    assert diagnosis.detail  # what exactly it did, for the Details line


def test_the_503_answer_is_in_the_details(tmp_path):
    server = SilentEngine(tmp_path / "engine.sock", mode="starting")
    try:
        diagnosis = diagnose(Endpoint(server.host, "DOCKER_HOST"))
    finally:
        server.close()
    assert "503" in diagnosis.detail and "starting" in diagnosis.detail


def test_starting_advice_says_wait_and_how_to_look():
    for endpoint in (Endpoint(DEFAULT_UNIX_HOST, "default"), Endpoint("tcp://10.0.0.5:2375", "DOCKER_HOST")):
        diagnosis = Diagnosis(endpoint, EngineState.STARTING, "no answer")
        advice = engine_help.advice(diagnosis)
        assert advice.title == "The Docker engine is starting"
        assert "cannot be reached" not in advice.summary
        assert "connects the moment it answers" in advice.summary
        assert set(advice.steps) == set(engine_help.PLATFORMS)
        assert "journalctl -u docker" in advice.steps["Debian / Ubuntu"]
        assert engine_help.status_line(diagnosis) == f"The Docker engine is starting ({endpoint.host})"
        assert doctor.exit_code(diagnosis) != 0
