"""Running containers on the real engine: what a user starts answers, and what fails is explained and cleaned up.
GPU runs, which depend on how the engine is set up, are in test_gpu_host_engine.py."""

from __future__ import annotations

import socket
import time
import urllib.request

import pytest

from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.core.errors import EngineError
from gui.core.run.context import load_context, preflight
from gui.core.run.spec import EnvVar, MountSpec, PortSpec, RunContainer, RunFailed, RunSpec
from tests.engine import engine_helpers as eh

pytestmark = pytest.mark.engine

PAGE = "hello from a container"
# busybox httpd serving one page, in the foreground (-f) so the container lives as long as the server.
HTTPD = f"sh -c 'mkdir -p /www && echo \"{PAGE}\" > /www/index.html && exec httpd -f -p 80 -h /www'"


@pytest.fixture
def engine(docker_client):
    engine = Engine(Endpoint(eh.engine_url(), "DOCKER_HOST"), docker_client.api.api_version)
    yield engine
    engine.close()


def labelled(spec: RunSpec, test_labels: dict[str, str]) -> RunSpec:
    from dataclasses import replace

    return replace(spec, labels=tuple(test_labels.items()))


def fetch(url: str, deadline_s: float = 30) -> str | None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            return opener.open(url, timeout=2).read().decode()
        except OSError:
            time.sleep(0.2)
    return None


def labelled_containers(docker_client, test_labels) -> list:
    return docker_client.api.containers(all=True, filters={"label": f"{eh.CASE_LABEL}={test_labels[eh.CASE_LABEL]}"})


def test_an_http_server_answers_on_its_loopback_port(engine, docker_client, busybox_image, test_labels):
    port = eh.free_port()
    spec = labelled(
        RunSpec(
            busybox_image,
            name=f"web-{test_labels[eh.CASE_LABEL]}",
            command=HTTPD,
            ports=(PortSpec("80", str(port)),),
            env=(EnvVar("HF_TOKEN", "hf_secret"),),
        ),
        test_labels,
    )
    assert spec.errors == []
    action = RunContainer(spec)
    assert f"-p 127.0.0.1:{port}:80" in action.command
    assert "hf_secret" not in action.command  # the learner sees the command, never the secret

    container_id = engine.perform(action)

    assert fetch(f"http://127.0.0.1:{port}/") == PAGE + "\n"
    inspected = docker_client.api.inspect_container(container_id)
    assert inspected["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
    assert "HF_TOKEN=hf_secret" in inspected["Config"]["Env"]  # ...and the container gets the real value


def test_a_port_taken_by_another_program_is_flagged_before_start(engine, busybox_image, test_labels):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        taken = listener.getsockname()[1]
        spec = labelled(RunSpec(busybox_image, command=HTTPD, ports=(PortSpec("80", str(taken)),)), test_labels)

        problems = preflight(spec, load_context(engine, busybox_image, gpu_support=None))

    port_problems = [p for p in problems if p.field == "ports" and not p.warning]
    assert len(port_problems) == 1
    assert f"Port {taken}" in port_problems[0].message and "is free" in port_problems[0].message


def test_a_port_taken_after_the_check_fails_cleanly_and_leaves_nothing(
    engine, docker_client, busybox_image, test_labels
):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        taken = listener.getsockname()[1]
        spec = labelled(RunSpec(busybox_image, command=HTTPD, ports=(PortSpec("80", str(taken)),)), test_labels)
        with pytest.raises(RunFailed) as failed:
            engine.perform(RunContainer(spec))

    assert str(taken) in failed.value.message and "in use" in failed.value.message
    assert "Traceback" not in failed.value.message
    assert labelled_containers(docker_client, test_labels) == []  # the half-made container is gone


def test_a_name_in_use_is_flagged_with_a_free_one(engine, docker_client, busybox_image, test_labels):
    name = f"taken-{test_labels[eh.CASE_LABEL]}"
    docker_client.api.create_container(busybox_image, "true", name=name, labels=test_labels)
    spec = labelled(RunSpec(busybox_image, name=name, command="true"), test_labels)

    problems = preflight(spec, load_context(engine, busybox_image, gpu_support=None))
    assert any(p.field == "name" and f"{name}-2" in p.message for p in problems)

    with pytest.raises(EngineError) as failed:  # and if it is run anyway, the engine's refusal is a sentence
        engine.perform(RunContainer(spec))
    assert f"the name {name} is taken" in failed.value.message.lower()


def test_a_missing_image_is_explained(engine, test_labels):
    spec = labelled(RunSpec("portside-test/never-built:1", command="true"), test_labels)
    problems = preflight(spec, load_context(engine, spec.image, gpu_support=None))
    assert any(p.field == "image" and "Pull it" in p.message for p in problems)
    with pytest.raises(EngineError) as failed:
        engine.perform(RunContainer(spec))
    assert "not on this engine" in failed.value.message


def test_a_missing_bind_folder_is_explained(engine, docker_client, busybox_image, test_labels, tmp_path):
    missing = tmp_path / "no-such-models"
    spec = labelled(
        RunSpec(busybox_image, command="true", mounts=(MountSpec("bind", str(missing), "/models", True),)), test_labels
    )
    with pytest.raises(EngineError) as failed:
        engine.perform(RunContainer(spec))
    assert str(missing) in failed.value.message and "does not exist" in failed.value.message
    assert labelled_containers(docker_client, test_labels) == []


def test_a_read_only_model_folder_is_readable_not_writable(engine, docker_client, busybox_image, test_labels, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "weights.txt").write_text("42\n")
    script = "cat /models/weights.txt; touch /models/new 2>/dev/null && echo wrote || echo read-only"
    spec = labelled(
        RunSpec(
            busybox_image,
            command=f"sh -c '{script}'",
            mounts=(MountSpec("bind", str(models), "/models", read_only=True),),
        ),
        test_labels,
    )
    container_id = engine.perform(RunContainer(spec))
    assert eh.wait_until(lambda: docker_client.api.inspect_container(container_id)["State"]["Status"] == "exited", 30)
    assert docker_client.api.logs(container_id).decode().split() == ["42", "read-only"]
    assert not (models / "new").exists()


def test_limits_reach_the_container(engine, docker_client, busybox_image, test_labels):
    spec = labelled(
        RunSpec(busybox_image, command="sleep 30", memory="64m", cpus="0.5", shm_size="256m", restart="unless-stopped"),
        test_labels,
    )
    container_id = engine.perform(RunContainer(spec))
    host_config = docker_client.api.inspect_container(container_id)["HostConfig"]
    assert host_config["Memory"] == 64 * 1024**2
    assert host_config["NanoCpus"] == 500_000_000
    assert host_config["ShmSize"] == 256 * 1024**2
    assert host_config["RestartPolicy"]["Name"] == "unless-stopped"
    out = docker_client.api.exec_start(docker_client.api.exec_create(container_id, "df -k /dev/shm")).decode()
    assert str(256 * 1024) in out


def test_auto_remove_leaves_nothing_after_exit(engine, docker_client, busybox_image, test_labels):
    spec = labelled(RunSpec(busybox_image, command="true", auto_remove=True), test_labels)
    engine.perform(RunContainer(spec))
    assert eh.wait_until(lambda: labelled_containers(docker_client, test_labels) == [], 30)
