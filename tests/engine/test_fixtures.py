"""Proof that the engine fixtures in conftest.py do what they promise."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import docker.errors
import pytest
import requests

from tests.engine import engine_helpers as eh
from tests.engine import images

ROOT = Path(__file__).resolve().parents[2]


def test_busybox_runs_echo(docker_client, busybox_image, test_labels, docker_cli):
    out = docker_client.containers.run(busybox_image, ["echo", "hello"], labels=test_labels)
    assert out == b"hello\n"

    label_args = [a for k, v in test_labels.items() for a in ("--label", f"{k}={v}")]
    proc = docker_cli("run", "--rm", *label_args, busybox_image, "echo", "hello")
    assert proc.stdout == "hello\n"


def test_build_image_with_files_and_http_server(docker_client, busybox_image, test_labels):
    case = test_labels[eh.CASE_LABEL]
    image = images.build_image(
        docker_client,
        f"portside-test/httpd:{case}",
        f'FROM {busybox_image}\nCOPY index.html /var/www/\nEXPOSE 80\nCMD ["httpd", "-f", "-p", "80", "-h", "/var/www"]\n',
        test_labels,
        files={"index.html": "portside says hi\n"},
    )
    assert image.labels[eh.CASE_LABEL] == case
    assert image.labels[eh.SHARED_LABEL] == "0"  # not mistaken for the shared image
    assert "80/tcp" in image.attrs["Config"]["ExposedPorts"]

    server = docker_client.containers.run(
        image.id, detach=True, labels=test_labels, ports={"80/tcp": ("127.0.0.1", None)}
    )
    server.reload()
    port = server.attrs["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]
    session = requests.Session()
    session.trust_env = False  # straight to 127.0.0.1, never via a proxy
    assert eh.wait_until(lambda: _get_ok(session, f"http://127.0.0.1:{port}/index.html"), 10)
    assert session.get(f"http://127.0.0.1:{port}/index.html", timeout=5).text == "portside says hi\n"


def _get_ok(session, url) -> bool:
    try:
        return session.get(url, timeout=1).ok
    except requests.RequestException:
        return False


# --- cleanup: what a test leaves behind is removed after it, passed or failed ---------------------------------

# Two tests in a pytest session of their own, with this folder's fixtures: one passes and one fails, each leaving
# objects behind and writing down what they were. A session of its own, so that the check runs alone (-k) and in
# any order, and the failing test is a real failure.
_LEAVE_BEHIND = """
import json
import os

from tests.engine.test_fixtures import leave_objects


def write_down(outcome, objects):
    with open(os.environ["PORTSIDE_LEFT_BEHIND"], "a", encoding="utf-8") as report:
        report.write(json.dumps({"outcome": outcome, **objects}) + "\\n")


def test_passes_leaving_objects(docker_client, busybox_image, test_labels):
    write_down("passed", leave_objects(docker_client, busybox_image, test_labels))


def test_fails_leaving_objects(docker_client, busybox_image, test_labels):
    write_down("failed", leave_objects(docker_client, busybox_image, test_labels))
    raise AssertionError("fails on purpose: cleanup must run after a failure too")
"""


def leave_objects(client, busybox_image, labels) -> dict:
    """A container (running, on a network of its own), its image, a volume and the container's anonymous volume,
    all left for the cleanup after the test."""
    case = labels[eh.CASE_LABEL]
    # VOLUME gives each container an anonymous, unlabelled volume: removing
    # the container "with volumes" must take it along.
    image = images.build_image(
        client, f"portside-test/leftover:{case}", f"FROM {busybox_image}\nVOLUME /data\n", labels
    )
    container = client.containers.run(image.id, ["sleep", "300"], detach=True, labels=labels)
    container.reload()
    (anon,) = [m["Name"] for m in container.attrs["Mounts"] if m["Type"] == "volume"]
    volume = client.volumes.create(labels=labels)
    network = client.networks.create(f"portside-test-{case}", labels=labels)
    network.connect(container)
    return {
        "case": case,
        "containers": [container.id],
        "images": [image.id],
        "volumes": [volume.name, anon],
        "networks": [network.id],
    }


def test_cleanup_removes_what_a_passing_and_a_failing_test_left(docker_client, busybox_image, tmp_path):
    session = tmp_path / "session"
    session.mkdir()
    (session / "conftest.py").write_text('pytest_plugins = ["tests.engine.conftest"]\n', encoding="utf-8")
    (session / "test_leave_behind.py").write_text(_LEAVE_BEHIND, encoding="utf-8")
    report = tmp_path / "left-behind.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTSIDE_LEFT_BEHIND": str(report)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(session)],
        cwd=session,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    left = {entry.pop("outcome"): entry for entry in map(json.loads, report.read_text(encoding="utf-8").splitlines())}
    assert set(left) == {"passed", "failed"}
    assert left["passed"]["case"] != left["failed"]["case"]
    getters = {
        "containers": docker_client.containers.get,
        "images": docker_client.images.get,
        "volumes": docker_client.volumes.get,
        "networks": docker_client.networks.get,
    }
    survived = []
    for outcome, objects in left.items():
        for kind, get in getters.items():
            for ident in objects[kind]:
                try:
                    get(ident)
                except docker.errors.NotFound:
                    continue
                survived.append(f"{kind[:-1]} {ident} of the {outcome} test")
    assert not survived, f"survived cleanup: {survived}"


# --- private dockerd ---------------------------------------------------------


def test_private_dockerd_stop_and_start(private_dockerd, docker_client, busybox_image, test_labels, docker_cli):
    client = private_dockerd.client()
    private_dockerd.load_image(docker_client, busybox_image)
    assert client.containers.run(busybox_image, ["echo", "private"], remove=True) == b"private\n"
    client.containers.create(busybox_image, ["true"], name="survivor")

    # The main engine keeps working next to it (its docker0 bridge included).
    assert docker_cli("run", "--rm", "--label", f"{eh.TEST_LABEL}=1", busybox_image, "echo", "main").stdout == "main\n"

    private_dockerd.stop()
    assert not eh.ping_socket(private_dockerd.socket_path)
    with pytest.raises(requests.exceptions.ConnectionError):
        client.ping()
    assert docker_client.ping()  # the shared engine was not touched

    private_dockerd.start()
    client = private_dockerd.client()
    assert client.ping()
    assert busybox_image in client.images.get(busybox_image).tags
    assert client.containers.get("survivor").status == "created"
    # And the CLI reaches it through .host.
    assert "survivor" in docker_cli("ps", "-a", "--format", "{{.Names}}", host=private_dockerd.host).stdout


def test_private_dockerd_survives_a_crash(private_dockerd, docker_client, busybox_image):
    client = private_dockerd.client()
    private_dockerd.load_image(docker_client, busybox_image)
    # Exits on SIGTERM, so the restart does not sit out the 10 s stop timeout.
    client.containers.run(
        busybox_image, ["sh", "-c", "trap 'exit 0' TERM; sleep 300 & wait"], detach=True, name="runner"
    )

    private_dockerd.kill()  # SIGKILL: no clean shutdown
    assert not eh.ping_socket(private_dockerd.socket_path)

    private_dockerd.start()
    client = private_dockerd.client()
    # Without live-restore the engine stops what was running before the crash.
    assert client.containers.get("runner").status == "exited"
    assert client.containers.run(busybox_image, ["echo", "again"], remove=True) == b"again\n"


# --- registry ----------------------------------------------------------------


def test_registry_login_push_pull_round_trip(local_registry, docker_client, busybox_image, test_labels, docker_cli):
    reg = local_registry.address
    case = test_labels[eh.CASE_LABEL]
    token = secrets.token_hex(8)
    # A layer that exists nowhere but in this test: the pull below must fetch it.
    ref = f"{reg}/portside-test/roundtrip:{case}"
    image = images.build_image(docker_client, ref, f"FROM {busybox_image}\nRUN echo {token} > /token\n", test_labels)

    # Signed out, the registry refuses the push. (The CLI's credential store is shared by the tests' CLI calls.)
    docker_cli("logout", reg)
    denied = docker_cli("push", ref, check=False)
    assert denied.returncode != 0 and "no basic auth credentials" in denied.stderr

    docker_cli("login", reg, "--username", local_registry.username, "--password-stdin", input=local_registry.password)
    docker_cli("push", ref)

    # The shared busybox pushes too (the tutorial's "verify with docker push").
    busybox_ref = f"{reg}/{busybox_image}"
    docker_client.images.get(busybox_image).tag(busybox_ref)
    try:
        docker_cli("push", busybox_ref)
    finally:
        docker_client.images.remove(busybox_ref)  # untag only

    docker_client.images.remove(image.id, force=True)
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(ref)

    docker_cli("pull", ref)
    assert docker_client.images.get(ref).id == image.id
    label_args = ["--label", f"{eh.CASE_LABEL}={case}"]
    assert docker_cli("run", "--rm", *label_args, ref, "cat", "/token").stdout == f"{token}\n"

    docker_cli("logout", reg)
