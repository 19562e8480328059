"""GUI tests: the real window and session, with the engine replaced at the core boundary."""

from __future__ import annotations

import hashlib
import json

import pytest
from PySide6.QtCore import QSettings

from gui.core.engine.connection import EngineState
from tests.fakes import fake_engine


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "portside.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def engine():
    fake = fake_engine.FakeEngine()
    fake.containers_by_id = {
        row.id: row
        for row in (
            fake_engine.container("web", ports=[fake_engine.PublishedPort(5000, 80, "tcp", "127.0.0.1")]),
            fake_engine.container("trainer", image="trainer:2.1"),
            fake_engine.container("old-job", state="exited", image="job:0.1"),
        )
    }
    fake.images = [
        fake_engine.image("web", "1.0", used_by=1),
        fake_engine.image("trainer", "2.1", used_by=1),
        fake_engine.image("unused", "0.9", size=3 * 1024**2),
    ]
    return fake


class EngineSwitch:
    """What the fake engine's diagnosis says; tests flip it to stop and start the "engine"."""

    def __init__(self, state=EngineState.CONNECTED):
        self.state = state

    def __call__(self):
        return fake_engine.diagnosis(self.state)


@pytest.fixture
def engine_state():
    return EngineSwitch()


@pytest.fixture
def session(qtbot, engine, engine_state):
    from gui.workers.session import EngineSession

    session = EngineSession(diagnose_fn=engine_state, engine_factory=lambda _diagnosis: engine)
    yield session
    session.stop()


@pytest.fixture
def connected(qtbot, session):
    """The session, started and connected to the fake engine."""
    session.start()
    qtbot.waitUntil(lambda: session.connected, timeout=5000)
    return session


@pytest.fixture
def history(tmp_path):
    from gui.core.build.history import BuildHistory

    return BuildHistory(tmp_path / "builds")


@pytest.fixture
def docker_config_dir(tmp_path):
    """docker's config folder (config.json) for this test: never the developer's ~/.docker."""
    path = tmp_path / "docker-config"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def private_sign_ins(docker_config_dir, monkeypatch):
    """Windows made without the vault fixture get a default vault: it must not reach the developer's docker
    config or system keyring either."""
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config_dir))
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())


@pytest.fixture
def keyring_backend():
    from tests.fakes.memory_keyring import MemoryKeyring

    return MemoryKeyring()


@pytest.fixture
def vault(tmp_path, docker_config_dir, keyring_backend):
    """Sign-ins kept in a memory keyring and a docker config of this test's own."""
    from gui.core.registry.credentials import CredentialVault

    return CredentialVault(
        docker_config_dir=docker_config_dir, index_path=tmp_path / "registries.json", keyring_backend=keyring_backend
    )


@pytest.fixture
def window(qtbot, session, settings, history, tmp_path, vault):
    from gui.core.run.memory import RunMemory
    from gui.views.main_window import MainWindow

    main = MainWindow(session, settings, history, RunMemory(tmp_path / "run-settings.json"), vault)
    qtbot.addWidget(main)
    main.show()
    session.start()
    if session._diagnose_fn().usable:
        qtbot.waitUntil(lambda: main.containers_page.model.rowCount() > 0, timeout=5000)
    yield main
    main.close()


@pytest.fixture
def opened_urls():
    """The http(s) links the app asks the desktop to open, caught instead of starting a browser."""
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []

    class Catcher(QObject):
        @Slot("QUrl")
        def open(self, url):
            opened.append(url.toString())

    catcher = Catcher()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    yield opened
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)


FEED_INTERVAL_MS = 50


@pytest.fixture
def stats_feed(qtbot, engine):
    """Keeps the FakeEngine's stats streams flowing (the recorded payloads, over and over), as a live engine does."""
    from PySide6.QtCore import QTimer

    def push():
        for container_id, streams in list(getattr(engine, "stats_streams", {}).items()):
            row = engine.containers_by_id.get(container_id)
            if row is not None and row.running and not streams[-1].cancelled:
                payloads = fake_engine.stats_payloads("v1-busy-stream.json", row)
                streams[-1].push(payloads[push.count % len(payloads)])
        push.count += 1

    push.count = 0
    timer = QTimer(interval=FEED_INTERVAL_MS, timeout=push)
    timer.start()
    yield
    timer.stop()


@pytest.fixture
def docker_config(tmp_path, monkeypatch):
    """The docker CLI's config folder with two contexts made as the CLI makes them, and no DOCKER_HOST or
    DOCKER_CONTEXT of the shell; no context chosen afterwards."""
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    for name, host in (("rootless", "unix:///run/user/1000/docker.sock"), ("gpu-box", "ssh://me@gpu-box")):
        meta = tmp_path / "docker" / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
        meta.mkdir(parents=True)
        (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": {"Host": host}}}))
    from gui.core.settings import contexts

    yield tmp_path / "docker"
    contexts.choose("")
