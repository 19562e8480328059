"""Every file Portside writes for itself is 0600 in a 0700 folder, whatever the umask: the run memory, build history
and logs, recovery copies, learn progress and the log file. The writers run for real, then the tree is walked.

A user's own documents (a Dockerfile, the sample project) are not Portside's: they keep the usual mode, because
COPY puts a file's permission bits in the image, where a non-root user must still read them."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from gui.core import fileio, log
from gui.core.build.history import BuildHistory, BuildRecord
from gui.core.dockerfile.recovery import RecoveryStore
from gui.core.learn.store import LearnProgress, LearnStore
from gui.core.run.memory import RunMemory
from gui.core.run.spec import EnvVar, RunSpec
from tests.fakes.memory_keyring import MemoryKeyring


@pytest.fixture
def open_umask():
    """The loosest umask: a mode that depends on it shows up as 0666 or 0777."""
    old = os.umask(0)
    yield
    os.umask(old)


def modes(root: Path) -> dict[str, int]:
    """Relative path -> permission bits, for every folder and file under `root` (root included)."""
    found = {".": stat.S_IMODE(root.stat().st_mode)}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def wrong_modes(root: Path) -> dict[str, str]:
    return {
        name: oct(mode) for name, mode in modes(root).items() if mode != (0o700 if (root / name).is_dir() else 0o600)
    }


def test_every_writer_makes_private_files_in_private_folders(tmp_path, monkeypatch, open_umask):
    """Found: run-settings.json and the log file were written 0644 (world-readable)."""
    root = tmp_path / "portside-home"
    spec = RunSpec("web:1.0", env=(EnvVar("HF_TOKEN", "hf_x"), EnvVar("MODE", "fast")))
    memory = RunMemory(root / "config" / "portside" / "run-settings.json", keyring_backend=MemoryKeyring())
    memory.remember(spec)
    memory.save_preset("fast", spec)

    history = BuildHistory(root / "data" / "portside" / "builds")
    history.add(
        BuildRecord(
            "20250101-000000-abcdef",
            ("web:1.0",),
            "/src",
            "Dockerfile",
            1.0,
            2.0,
            "succeeded",
            None,
            None,
            "docker build .",
        ),
        ["Step 1/2 : FROM python:3.12-slim"],
    )
    LearnStore(root / "data" / "portside" / "learn.json").save(LearnProgress(skipped=True))
    RecoveryStore(root / "state" / "portside" / "recovery").save(Path("/home/me/app/Dockerfile"), "FROM python\n")

    monkeypatch.setattr(log, "log_dir", lambda: root / "state" / "portside" / "log")
    logger = logging.getLogger(log.APP_NAME)
    before, level = list(logger.handlers), logger.level
    try:
        log.setup_file_logging()
        log.get("test").info("a line")
    finally:
        for handler in logger.handlers[:]:
            if handler not in before:
                logger.removeHandler(handler)
                handler.close()
        logger.setLevel(level)

    written = modes(root)
    expected = {
        "config/portside/run-settings.json",
        "data/portside/builds/index.json",
        "data/portside/learn.json",
        "state/portside/log/portside.log",
    }
    assert expected <= set(written)
    assert any(name.startswith("state/portside/recovery/") and not name.endswith("recovery") for name in written)
    assert any(name.startswith("data/portside/builds/") and name.endswith(".log") for name in written)
    assert wrong_modes(root) == {}


def test_private_dir_narrows_an_existing_folder_and_makes_missing_parents_private(tmp_path, open_umask):
    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    assert fileio.private_dir(old) == old
    assert stat.S_IMODE(old.stat().st_mode) == 0o700
    deep = fileio.private_dir(tmp_path / "a" / "b" / "c")
    assert [stat.S_IMODE(p.stat().st_mode) for p in (deep, deep.parent, deep.parent.parent)] == [0o700] * 3


def test_a_private_write_replaces_a_world_readable_file_with_a_private_one(tmp_path, open_umask):
    path = tmp_path / "settings" / "run-settings.json"
    path.parent.mkdir()
    path.write_text("{}")
    path.chmod(0o644)  # written by an older Portside
    saved = fileio.atomic_write(path, "{}\n", backup=True, private=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # the backup too
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_users_document_keeps_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        fileio.atomic_write(tmp_path / "Dockerfile", "FROM python\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o644
