"""Helpers for tests that talk to a real Docker engine: labels, clients,
waiting, and cleanup by label.

Imported by tests/engine/conftest.py and by the tests themselves
(`from tests.engine import engine_helpers as eh`). Neighbours of one job each:
images.py (test images), cli_env.py (the docker CLI), private_engine.py (a
private dockerd), registry_server.py (a real registry), processes.py (their
processes and mounts).

Everything here is plain Python (no fixtures) so it can be reused from a
debugger or a one-off script.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors

# --- labels -----------------------------------------------------------------

TEST_LABEL = "io.portside.test"
CASE_LABEL = "io.portside.test.case"
SHARED_LABEL = "io.portside.test.shared"
RECIPE_LABEL = "io.portside.test.recipe"

BUSYBOX_REPO = "portside-test/busybox"  # the shared image images.py builds; the sweep keeps it

DEFAULT_ENGINE_URL = "unix:///var/run/docker.sock"


def engine_url() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_ENGINE_URL


# Salted per pytest process: two sessions running the same test at once (two
# developers, or xdist workers) must not clean up each other's objects.
SESSION_SALT = secrets.token_hex(4)


def case_id(nodeid: str) -> str:
    """Short id for one test in this session: label values stay short."""
    return hashlib.sha1(f"{SESSION_SALT}:{nodeid}".encode()).hexdigest()[:12]


def labels_for(nodeid: str) -> dict[str, str]:
    return {TEST_LABEL: "1", CASE_LABEL: case_id(nodeid)}


# --- engine connection, waiting, ports -------------------------------------


def connect(url: str | None = None) -> docker.DockerClient:
    """Client for `url` (default: DOCKER_HOST or the system socket), pinged.

    version="auto" matters: docker-py 7.1 would otherwise speak API 1.44+,
    which a 20.10 engine (API 1.41) rejects.
    """
    client = docker.DockerClient(base_url=url or engine_url(), version="auto")
    try:
        client.ping()
    except Exception:
        client.close()
        raise
    return client


def ping_socket(path: str | os.PathLike, timeout: float = 2.0) -> bool:
    """True when a Docker engine answers GET /_ping on the unix socket `path`.

    Raw HTTP on purpose: cheap enough to poll, and no docker-py client state.
    """
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect(str(path))
            s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            data = b""
            while chunk := s.recv(4096):
                data += chunk
    except OSError:
        return False
    status_line = data.partition(b"\r\n")[0]
    return b" 200 " in status_line and data.endswith(b"OK")


def wait_until(predicate: Callable[[], bool], deadline_s: float, interval_s: float = 0.1) -> bool:
    end = time.monotonic() + deadline_s
    while True:
        if predicate():
            return True
        if time.monotonic() >= end:
            return False
        time.sleep(interval_s)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- cleanup ----------------------------------------------------------------


# Images the test sessions share and keep: busybox, and the local Python base (slow to make).
SHARED_REPOS = (BUSYBOX_REPO, "portside-test/python", "portside-test/pybase")


def _is_canonical_shared_tag(tag: str) -> bool:
    return tag.startswith(tuple(f"{repo}:" for repo in SHARED_REPOS))


def remove_labelled(client: docker.DockerClient, label: str, *, keep_shared: bool = False) -> list[str]:
    """Remove every container, network, volume and image matching `label`
    (a docker label filter such as "io.portside.test.case=abc123").

    Containers go first (force, with their anonymous volumes) because they pin
    networks, volumes and images. With keep_shared, images tagged in the shared
    busybox repo survive (stray extra tags on them are dropped).
    Returns the errors it could not fix, as text; NotFound counts as done since
    a test may already have removed the object itself.
    """
    flt = {"label": label}
    errors: list[str] = []

    def attempt(what: str, fn: Callable[[], object]) -> None:
        try:
            fn()
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as exc:
            errors.append(f"{what}: {exc.explanation or exc}")

    for c in client.containers.list(all=True, filters=flt, ignore_removed=True):
        attempt(f"container {c.short_id}", lambda c=c: c.remove(force=True, v=True))

    for n in client.networks.list(filters=flt):
        # An unlabelled container may still be attached; detach it first.
        attempt(f"network {n.name}", n.reload)
        for cid in n.attrs.get("Containers") or {}:
            attempt(f"network {n.name} disconnect", lambda n=n, cid=cid: n.disconnect(cid, force=True))
        attempt(f"network {n.name}", n.remove)

    for v in client.volumes.list(filters=flt):
        attempt(f"volume {v.name}", lambda v=v: v.remove(force=True))

    # Newest first: a child image must go before the image it was built FROM.
    images = sorted(client.images.list(filters=flt), key=lambda i: i.attrs.get("Created", ""), reverse=True)
    for img in images:
        if keep_shared and img.labels.get(SHARED_LABEL) == "1" and any(map(_is_canonical_shared_tag, img.tags)):
            for tag in img.tags:
                if not _is_canonical_shared_tag(tag):  # e.g. a registry tag left by a test
                    attempt(f"untag {tag}", lambda tag=tag: client.images.remove(tag))
            continue
        attempt(f"image {img.short_id} {img.tags}", lambda img=img: client.images.remove(img.id, force=True))
    return errors


def sweep_all(client: docker.DockerClient) -> list[str]:
    """Everything any test left behind, except the shared busybox image."""
    return remove_labelled(client, f"{TEST_LABEL}=1", keep_shared=True)


SWEEP_LOCK_PATH = Path(tempfile.gettempdir()) / "portside-engine-tests.lock"


@contextlib.contextmanager
def session_sweep(client: docker.DockerClient, report: Callable[[str], None] = print):
    """Sweep leftovers at session start and end, unless another test session
    on this machine is using the same engine right now.

    Every session holds a shared flock for its lifetime; a sweep needs the
    exclusive lock, so it only runs when this session is alone. Without that,
    one developer's session start would delete another's running containers.
    """
    SWEEP_LOCK_PATH.touch(exist_ok=True)
    with open(SWEEP_LOCK_PATH) as lock:

        def sweep_if_alone(when: str) -> None:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                report(f"engine tests: another session is running, skipping {when} sweep")
                return
            for err in sweep_all(client):
                report(f"engine tests: {when} sweep: {err}")

        sweep_if_alone("start")
        fcntl.flock(lock, fcntl.LOCK_SH)  # downgrade (or wait out another session's sweep)
        try:
            yield
        finally:
            sweep_if_alone("end")
            fcntl.flock(lock, fcntl.LOCK_UN)
