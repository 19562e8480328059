"""gui.core.log: the log file is private (0600 in a 0700 folder, whatever the umask, after a rollover too) and holds
no secret in the clear: the values Portside knows are secrets and every value shaped like one are masked."""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat

import pytest

from gui.core import log
from gui.core.secrets import MASK, masked_value

TOKEN = "ghp_R4nd0mL00k1ngT0k3nW1thDigits0123456"


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    """setup_file_logging() into tmp_path under a umask of 0, undone after the test."""
    monkeypatch.setattr(log, "log_dir", lambda: tmp_path / "state" / "portside" / "log")
    root = logging.getLogger(log.APP_NAME)
    before, level = list(root.handlers), root.level
    old_umask = os.umask(0)
    try:
        path = log.setup_file_logging()
    finally:
        os.umask(old_umask)
    yield path
    for handler in root.handlers[:]:
        if handler not in before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def flushed(path) -> str:
    for handler in logging.getLogger(log.APP_NAME).handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_the_log_file_and_its_folder_are_private(log_file):
    log.get("test").info("hello")
    assert mode(log_file) == 0o600 and mode(log_file.parent) == 0o700


def test_an_older_log_made_world_readable_is_narrowed(tmp_path, monkeypatch):
    folder = tmp_path / "old-log"
    folder.mkdir(mode=0o755)
    (folder / "portside.log").write_text("old line\n")
    (folder / "portside.log").chmod(0o644)
    handler = log.PrivateRotatingFileHandler(folder / "portside.log", maxBytes=100, backupCount=2)
    try:
        assert mode(folder / "portside.log") == 0o600
    finally:
        handler.close()


def test_rolled_over_files_stay_private(log_file):
    handler = next(h for h in logging.getLogger(log.APP_NAME).handlers if isinstance(h, log.PrivateRotatingFileHandler))
    old_umask = os.umask(0)
    try:
        log.get("test").info("first")
        handler.doRollover()
        log.get("test").info("second")
    finally:
        os.umask(old_umask)
    assert mode(log_file) == 0o600 and mode(log_file.with_name("portside.log.1")) == 0o600


def test_secret_shapes_and_known_secrets_never_reach_the_file(log_file, expect_log_warnings):
    """Found: the log kept whatever a message held."""
    masked_value("MY_PASS", "correct-horse-battery")  # a value the Run dialog masked: now known
    logger = log.get("test")
    logger.info("cloning https://bot:%s@github.com/a/b.git", TOKEN)
    logger.info("env: %s", ["DATABASE_URL=postgres://app:pg-s3cret@db/x", "HF_TOKEN=hf_plain"])
    logger.info("the password correct-horse-battery was refused")
    logger.info("docker login answered %s", {"password": "hunter22", "user": "bob"})
    try:
        raise RuntimeError(f"cannot reach postgres://app:pg-s3cret@db/x with {TOKEN}")
    except RuntimeError:
        logger.exception("failed")
    text = flushed(log_file)
    for secret in (TOKEN, "pg-s3cret", "hf_plain", "correct-horse-battery", "hunter22"):
        assert secret not in text
    assert f"https://bot:{MASK}@github.com/a/b.git" in text  # what it was about is still there
    assert "RuntimeError: cannot reach postgres://app:" in text  # and so is the traceback
    assert f"docker login answered {{'password': '{MASK}', 'user': 'bob'}}" in text  # only the password hidden


def test_records_without_secrets_are_unchanged(log_file):
    log.get("test").info("pulled %d layers of %s", 3, "python:3.12-slim")
    assert "pulled 3 layers of python:3.12-slim" in flushed(log_file)


def test_the_filter_masks_for_any_handler():
    record = logging.LogRecord("portside.x", logging.INFO, __file__, 1, "token %s", (TOKEN,), None)
    assert log.SecretFilter().filter(record) is True
    assert record.getMessage() == f"token {MASK}"
