"""A build whose engine is killed during a RUN, on a private dockerd: the step container it leaves is found by its
step's marks even when the " ---> Running in <id>" line never reached Portside, and removed; the user's own
container, made from the same image with the same command before the build, stays (issue 15)."""

from __future__ import annotations

import secrets
import threading
import time

import docker.errors

from gui.core.build.leftovers import StepTrace, left_behind
from gui.core.build.progress import BuildProgress
from gui.core.build.spec import BuildSpec
from gui.core.engine.actions import RemoveContainer
from gui.core.engine.build_request import open_build
from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from tests.engine import engine_helpers as eh

DEADLINE_S = 60  # a killed dockerd restores its containers before it answers again
STEP_COMMAND = ["/bin/sh", "-c", "sleep 30"]


def exists(api, container: str) -> bool:
    try:
        api.inspect_container(container)
    except docker.errors.NotFound:
        return False
    return True


def test_a_killed_engines_step_container_is_found_without_its_running_in_line(
    private_dockerd, docker_client, busybox_image, test_labels, tmp_path
):
    private_dockerd.load_image(docker_client, busybox_image)
    client = private_dockerd.client()
    engine = Engine(Endpoint(private_dockerd.host, "DOCKER_HOST"), client.api.api_version)
    token = secrets.token_hex(6)
    project = tmp_path / "app"
    project.mkdir()
    # The first step is built ahead, so its image is known: the user makes a container of their own from it.
    # (No labels: they would add a step. The private engine goes, with all it holds, after the test.)
    (project / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN echo {token} > /token\n")
    layer, _log = client.images.build(path=str(project), rm=True, forcerm=True)
    users = client.containers.create(layer.id, STEP_COMMAND, labels=test_labels)  # same image, same command
    time.sleep(1.1)  # Created is in whole seconds: the user's container is made in a second before the build's
    (project / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN echo {token} > /token\nRUN sleep 30\n")

    spec = BuildSpec(project, tags=(f"portside-test/leftover-{token}:1",))
    progress = BuildProgress()
    named: list[str] = []
    running = threading.Event()
    started = time.time()
    stream = open_build(engine, spec)

    def read():  # the StreamWorker's thread, in miniature, that never gets the "Running in" line
        try:
            for message in stream:
                text = message.get("stream", "") if isinstance(message, dict) else ""
                if text.startswith(" ---> Running in ") and progress.current_instruction == "RUN sleep 30":
                    named.append(text.split()[-1])
                    running.set()
                    continue
                progress.feed(message)
        except Exception:  # the engine died under it
            pass
        finally:
            running.set()

    reader = threading.Thread(target=read, name="build-reader")
    reader.start()
    try:
        assert running.wait(DEADLINE_S) and named, "the build never reached its RUN sleep 30"
        private_dockerd.kill()
        reader.join(DEADLINE_S)
        assert not reader.is_alive()
    finally:
        stream.close()
    ended = time.time()
    private_dockerd.start()

    trace = StepTrace.of(progress, started, ended)
    assert trace is not None and layer.id.removeprefix("sha256:").startswith(trace.image)
    assert progress.step_containers == []  # the log named none: the old clean-up had nothing to remove
    assert eh.wait_until(lambda: any(row.id.startswith(named[0]) for row in engine.containers()), DEADLINE_S)
    found = left_behind(trace, engine.containers())
    assert [container[:12] for container in found] == named
    assert users.id not in found

    engine.perform(RemoveContainer(found[0], force=True))
    assert not exists(engine.api, found[0])
    assert exists(engine.api, users.id)  # the user's own container stays
    engine.close()
