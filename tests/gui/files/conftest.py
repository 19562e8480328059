"""The Files window on a fake backend whose "container" is a temporary host folder (tests/fakes/fake_files.py)."""

from __future__ import annotations

import os
import time

import pytest

from tests.fakes.fake_files import FakeFiles

WAIT_MS = 10_000
THREADS_GRACE_S = 10


@pytest.fixture(autouse=True)
def no_file_jobs_left():
    """Fails a test that leaves a file job's thread running after the window closed (cancelled jobs must end)."""
    yield
    from gui.workers import file_jobs

    deadline = time.monotonic() + THREADS_GRACE_S
    while file_jobs.live_threads() and time.monotonic() < deadline:
        time.sleep(0.02)
    left = file_jobs.live_threads()
    if left:
        pytest.fail(f"test left file job threads running: {[t.name for t in left]}", pytrace=False)


@pytest.fixture
def container(tmp_path):
    """The container's files: /data with two folders and files of a few sizes, /etc, /app.py."""
    root = tmp_path / "container"
    (root / "data" / "models").mkdir(parents=True)
    (root / "data" / "empty").mkdir()
    (root / "data" / "models" / "weights.bin").write_bytes(os.urandom(200_000))
    (root / "data" / "model.bin").write_bytes(os.urandom(1_500_000))
    (root / "data" / "model.bin").chmod(0o640)
    (root / "data" / "notes.txt").write_text("remember the milk\n")
    (root / "etc").mkdir()
    (root / "etc" / "hostname").write_text("web-1\n")
    (root / "app.py").write_text("print('hi')\n")
    return root


@pytest.fixture
def backend(container):
    return FakeFiles(container, name="web-1")


@pytest.fixture
def downloads(tmp_path):
    folder = tmp_path / "Downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def files_window(qtbot, backend, downloads):
    from gui.views.files.files_window import FilesWindow

    window = FilesWindow(backend)
    qtbot.addWidget(window)
    window.ask_download_folder = lambda start: downloads
    window.show()
    qtbot.waitUntil(lambda: window.listing is not None, timeout=WAIT_MS)
    yield window
    window.close()
