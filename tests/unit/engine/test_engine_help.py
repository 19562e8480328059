"""The engine advice knows where the address came from: DOCKER_HOST or a context that names another engine
gets advice about that address, not `systemctl start docker` (issue 14)."""

from __future__ import annotations

import pytest

from gui.core.engine import doctor
from gui.core.engine import help as engine_help
from gui.core.engine.connection import DEFAULT_UNIX_HOST, Diagnosis, Endpoint, EngineState

REMOTE = "tcp://10.0.0.5:2375"
NO_ANSWER = (EngineState.NOT_RUNNING, EngineState.UNREACHABLE, EngineState.NOT_INSTALLED)


def everything_said(advice: engine_help.Advice) -> str:
    return "\n".join([advice.title, advice.summary, *advice.steps.values()])


@pytest.mark.parametrize("state", NO_ANSWER)
def test_docker_host_elsewhere_names_the_address_and_how_to_unset_it(state):
    advice = engine_help.advice(Diagnosis(Endpoint(REMOTE, "DOCKER_HOST"), state, "Connection refused"))
    assert f"DOCKER_HOST is set to {REMOTE}, and nothing answers there." in advice.summary
    assert "unset DOCKER_HOST" in advice.summary
    assert "unset DOCKER_HOST" in advice.steps["Debian / Ubuntu"]
    assert "set DOCKER_HOST=" in advice.steps["Windows"]
    assert set(advice.steps) == set(engine_help.PLATFORMS)
    assert "systemctl" not in everything_said(advice)
    assert "install" not in everything_said(advice).lower()


@pytest.mark.parametrize("state", NO_ANSWER)
def test_context_elsewhere_names_the_context_and_how_to_switch_back(state):
    endpoint = Endpoint("ssh://me@gpu-box", "context gpu-box")
    advice = engine_help.advice(Diagnosis(endpoint, state))
    assert "Your docker context gpu-box points to ssh://me@gpu-box, and nothing answers there." in advice.summary
    assert "docker context use default" in advice.summary
    assert "docker context inspect gpu-box" in advice.steps["Fedora"]
    assert "docker context use default" in advice.steps["Windows"]
    assert "systemctl" not in everything_said(advice)


def test_this_computers_engine_still_gets_the_start_it_steps():
    for endpoint in (Endpoint(DEFAULT_UNIX_HOST, "default"), Endpoint(DEFAULT_UNIX_HOST, "DOCKER_HOST")):
        advice = engine_help.advice(Diagnosis(endpoint, EngineState.NOT_RUNNING))
        assert advice == engine_help.advice_for(EngineState.NOT_RUNNING)
        assert "sudo systemctl start docker" in advice.steps["Debian / Ubuntu"]


@pytest.mark.parametrize("state", [EngineState.PERMISSION_DENIED, EngineState.API_TOO_OLD, EngineState.CONNECTED])
def test_an_engine_that_answers_elsewhere_keeps_the_state_advice(state):
    advice = engine_help.advice(Diagnosis(Endpoint(REMOTE, "DOCKER_HOST"), state))
    assert advice == engine_help.advice_for(state)


def test_endpoint_knows_its_context_and_whether_it_is_elsewhere():
    assert Endpoint("ssh://box", "context box").context == "box"
    assert Endpoint(REMOTE, "DOCKER_HOST").context is None
    assert Endpoint(REMOTE, "DOCKER_HOST").elsewhere
    assert Endpoint("unix:///run/user/1000/docker.sock", "context rootless").elsewhere
    assert not Endpoint(DEFAULT_UNIX_HOST, "DOCKER_HOST").elsewhere
    assert not Endpoint(DEFAULT_UNIX_HOST, "default").elsewhere


def test_status_line_and_doctor_say_the_same():
    diagnosis = Diagnosis(Endpoint(REMOTE, "DOCKER_HOST"), EngineState.NOT_RUNNING, "Connection refused")
    assert engine_help.status_line(diagnosis) == f"Nothing answers at DOCKER_HOST ({REMOTE})"
    engine = {item.name: item for item in doctor.checks(diagnosis, "Debian / Ubuntu")}["engine"]
    assert not engine.ok
    assert engine.value == "Nothing answers at DOCKER_HOST: Connection refused"
    assert f"DOCKER_HOST is set to {REMOTE}, and nothing answers there." in engine.fix
    assert "unset DOCKER_HOST" in engine.fix
    assert "systemctl" not in engine.fix
