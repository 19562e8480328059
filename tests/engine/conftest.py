"""Fixtures for tests against a real Docker engine (tests/engine/ only).

Contract for tests in this folder:
- every test is marked `engine` automatically;
- without an engine (or a tool a fixture needs) they skip, or fail when REQUIRE_ENGINE=1 (CI): tests/unavailable.py;
- every object a test creates carries `test_labels`; whatever carries that
  test's case label is removed after the test, pass or fail;
- leftovers of earlier sessions (label io.portside.test=1) are swept at session
  start and end, except the shared busybox image.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from tests.engine import cli_env, images, private_engine, registry_server
from tests.engine import engine_helpers as eh
from tests.engine import python_base as pb
from tests.unavailable import unavailable

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, not only this folder's.
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.engine)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, attach the logs of the private daemons it used.
    (A daemon that fails to start puts its log in the setup error itself.)"""
    report = yield
    if report.failed and call.when == "call":
        funcargs = getattr(item, "funcargs", {})
        for name in ("private_dockerd", "local_registry"):
            daemon = funcargs.get(name)
            if daemon is not None and hasattr(daemon, "log_tail"):
                report.sections.append((f"{name} log ({daemon.log_path})", daemon.log_tail()))
    return report


# --- engine -----------------------------------------------------------------


@pytest.fixture(scope="session")
def docker_client():
    """docker.DockerClient for DOCKER_HOST (default unix:///var/run/docker.sock),
    already pinged. Sweeps test leftovers at session start and end."""
    url = eh.engine_url()
    try:
        client = eh.connect(url)
    except Exception as exc:  # docker-py raises several types for "no engine"
        problem = f"Docker engine at {url} does not answer: {exc}"
    else:
        problem = None
    if problem:  # outside the except block: no 5-deep exception chain in the report
        unavailable(problem)
    try:
        with eh.session_sweep(client, report=lambda msg: warnings.warn(msg, stacklevel=1)):
            yield client
    finally:
        client.close()


@pytest.fixture
def engine(docker_client):
    """Portside's own client (gui.core.engine.client.Engine) on the test engine, closed after the test."""
    from gui.core.engine.client import Engine
    from gui.core.engine.connection import Endpoint

    engine = Engine(Endpoint(eh.engine_url(), "DOCKER_HOST"), docker_client.api.api_version)
    yield engine
    engine.close()


@pytest.fixture
def test_labels(request) -> dict[str, str]:
    """{'io.portside.test': '1', 'io.portside.test.case': <hash of nodeid>}.
    Put these on every container, image, volume and network the test creates."""
    return eh.labels_for(request.node.nodeid)


@pytest.fixture(autouse=True)
def _remove_test_objects(request, docker_client):
    """After each test (pass or fail), remove what carries its case label."""
    yield
    case = eh.case_id(request.node.nodeid)
    errors = eh.remove_labelled(docker_client, f"{eh.CASE_LABEL}={case}")
    for err in errors:
        warnings.warn(f"cleanup of {request.node.nodeid}: {err}", stacklevel=1)


@pytest.fixture(scope="session")
def busybox_image(docker_client) -> str:
    """Tag of the shared busybox image (FROM scratch + Debian's busybox-static),
    built once and reused across sessions while its recipe is unchanged."""
    return images.ensure_busybox_image(docker_client)


@pytest.fixture
def docker_cli():
    """The docker CLI helper: docker_cli(*args, check=True, host=None, input=None,
    env=None, timeout=120) -> subprocess.CompletedProcess (text mode)."""
    return cli_env.docker_cli


# --- private engine ---------------------------------------------------------


@pytest.fixture
def private_dockerd():
    """A second dockerd of this test's own, already started (see
    private_engine.PrivateDockerd): .host, .start(), .stop(), .kill(),
    .client(), .load_image(src_client, tag). Destroyed after the test."""
    daemon = private_engine.PrivateDockerd()
    try:
        daemon.start()
        yield daemon
    finally:
        daemon.destroy()


@pytest.fixture(scope="module")
def nvidia_hook_stub(tmp_path_factory):
    """A stub NVIDIA Container Toolkit hook (private_engine.NvidiaHookStub): .folder, .container_ids()."""
    return private_engine.NvidiaHookStub(tmp_path_factory.mktemp("nvidia-hook"))


@pytest.fixture(scope="module")
def gpu_host_engine(docker_client, busybox_image, nvidia_hook_stub):
    """A private dockerd with the stub NVIDIA hook on its PATH, so it registers its NVIDIA device driver and
    `docker run --gpus` starts containers, as on a workstation with the toolkit; the shared busybox image is
    loaded. One per module (a start takes seconds); destroyed with everything in it after the module."""
    daemon = private_engine.PrivateDockerd(extra_path=(nvidia_hook_stub.folder,))
    try:
        daemon.start()
        daemon.load_image(docker_client, busybox_image)
        yield daemon
    finally:
        daemon.destroy()


# --- registry ---------------------------------------------------------------


@pytest.fixture(scope="session")
def local_registry(docker_client):
    """Registry on 127.0.0.1:<free port> with htpasswd auth:
    .address ('127.0.0.1:PORT'), .username, .password.
    (Depends on docker_client only so that no engine means no registry either.)"""
    try:
        registry = registry_server.LocalRegistry()
    except registry_server.MissingTool as exc:
        problem = f"local registry unavailable: {exc}"
    else:
        problem = None
    if problem:
        unavailable(problem)
    try:
        registry.start()
        yield registry
    finally:
        registry.destroy()


# --- local Python base ------------------------------------------------------


@pytest.fixture(scope="session")
def python_base(docker_client) -> str:
    """Tag of the local python:3.11-slim stand-in (built once; tarball cached across sessions)."""
    try:
        tag = pb.ensure_python_base(docker_client)
    except pb.Unavailable as exc:
        unavailable(f"local Python base image unavailable: {exc}")
    if pb.timings:
        print("python base timings (s):", {k: round(v, 1) for k, v in pb.timings.items()})
    return tag


# --- fault proxy --------------------------------------------------------------


@pytest.fixture
def fault_proxy(docker_client):
    """A FaultProxy (tests/engine/fault_proxy.py) in front of the engine's socket, started in mode pass:
    .host (a DOCKER_HOST value), .pass_through(), .delay(s), .stall(), .drop(after_bytes), .drop_now().
    Stopped after the test, before the thread-leak check: every connection it held is closed then, so a reader
    the app abandoned on a stalled request ends."""
    import tempfile

    from tests.engine.fault_proxy import FaultProxy, unix_socket_of

    upstream = unix_socket_of(eh.engine_url())
    if upstream is None:
        unavailable(f"the fault proxy needs a unix:// engine, not {eh.engine_url()}")
    # A short folder of its own: a Unix socket's path may not pass 107 bytes, and tmp_path can be long.
    folder = Path(tempfile.mkdtemp(prefix="psfp-"))
    proxy = FaultProxy(upstream, folder / "engine.sock").start()
    try:
        yield proxy
    finally:
        proxy.stop()
        folder.rmdir()


@pytest.fixture
def proxied_app(qtbot, tmp_path, fault_proxy):
    """make() -> the real app's MainWindow, shown, with an EngineSession whose Endpoint is the fault proxy (as
    DOCKER_HOST would name it). It waits for nothing: the test decides what a clear state is. Closed and its
    session stopped after the test, before the proxy goes."""
    from tests.engine.fault_tour import open_window

    made = []

    def make():
        window = open_window(fault_proxy.host, tmp_path, len(made))
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    from gui.workers import streams

    for window in made:
        window.close()
        window.session.stop()
    streams.cancel_all()


@pytest.fixture
def app_window(qtbot, tmp_path, docker_client):
    """The real app wired to an engine: call it with a DOCKER_HOST (default: the shared engine)."""
    from PySide6.QtCore import QSettings

    from gui.core.build.history import BuildHistory
    from gui.core.engine.connection import Endpoint, diagnose
    from gui.views.main_window import MainWindow
    from gui.workers.session import EngineSession

    made = []

    def make(host: str | None = None):
        endpoint = Endpoint(host or eh.engine_url(), "DOCKER_HOST")
        session = EngineSession(diagnose_fn=lambda: diagnose(endpoint))
        window = MainWindow(
            session,
            QSettings(str(tmp_path / f"s{len(made)}.ini"), QSettings.Format.IniFormat),
            BuildHistory(tmp_path / f"builds{len(made)}"),
        )
        qtbot.addWidget(window)
        window.show()
        session.start()
        made.append((session, window))
        qtbot.waitUntil(lambda: session.snapshot is not None, timeout=20_000)
        return window

    yield make
    for session, window in made:
        window.close()
        session.stop()


# --- remote engines (TLS, SSH) --------------------------------------------------


@pytest.fixture(scope="session")
def tls_engine(docker_client, busybox_image):
    """A private dockerd listening on tcp://127.0.0.1:PORT with --tlsverify (tests/engine/tls_engine.py): .host,
    .endpoint(certs='good'|'expired'|'wrong_ca') (Portside's Endpoint), .certs, .daemon; the busybox image loaded.
    Destroyed with its certificates after the session."""
    from tests.engine.tls_engine import TlsEngine

    engine = TlsEngine()
    try:
        engine.start()
        engine.daemon.load_image(docker_client, busybox_image)
        yield engine
    finally:
        engine.destroy()


@pytest.fixture(scope="session")
def ssh_engine(docker_client):
    """A real sshd on 127.0.0.1:PORT in front of the shared engine (tests/engine/ssh_engine.py): .host
    ('ssh://root@127.0.0.1:PORT'), .profile('good'|'unknown_host'|'refused_key') (a context manager putting that
    client setup's ssh first on PATH), .host_key_fingerprint. Stopped and its folder removed after the session."""
    from tests.engine.ssh_engine import MissingTool, SshEngine

    try:
        engine = SshEngine()
    except MissingTool as exc:
        problem = f"ssh engine unavailable: {exc}"
    else:
        problem = None
    if problem:
        unavailable(problem)
    try:
        engine.start()
        yield engine
    finally:
        engine.destroy()
