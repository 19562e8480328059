"""gui.core.fileio: atomic_write (all or nothing, optional backup, permissions kept) and set_aside."""

import logging
import os
import stat

import pytest

from gui.core.fileio import atomic_write, backup_path, set_aside


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_gets_the_usual_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "Dockerfile"
        assert atomic_write(path, "FROM python:3.12-slim\n") is None
    finally:
        os.umask(old)
    assert path.read_text() == "FROM python:3.12-slim\n"
    assert _mode(path) == 0o644  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]  # no temp file left


def test_replacing_keeps_mode_and_writes_exact_text(tmp_path):
    path = tmp_path / "run.sh"
    path.write_text("old")
    path.chmod(0o750)
    text = "line one\r\nline two\nüñí\n"
    assert atomic_write(path, text) is None
    assert path.read_bytes() == text.encode("utf-8")  # line endings as given
    assert _mode(path) == 0o750


def test_backup_names_count_up(tmp_path):
    path = tmp_path / "Dockerfile"
    assert atomic_write(path, "one\n", backup=True) is None  # nothing to back up yet
    first = atomic_write(path, "two\n", backup=True)
    second = atomic_write(path, "three\n", backup=True)
    third = atomic_write(path, "four\n", backup=True)
    assert [first.name, second.name, third.name] == ["Dockerfile.bak", "Dockerfile.bak.1", "Dockerfile.bak.2"]
    assert [p.read_text() for p in (first, second, third)] == ["one\n", "two\n", "three\n"]
    assert path.read_text() == "four\n"
    assert backup_path(path).name == "Dockerfile.bak.3"


def test_a_symlink_stays_a_link_to_the_new_text(tmp_path):
    target = tmp_path / "real.Dockerfile"
    target.write_text("old\n")
    link = tmp_path / "Dockerfile"
    link.symlink_to(target)
    backup = atomic_write(link, "new\n", backup=True)
    assert link.is_symlink() and target.read_text() == "new\n"
    assert backup == tmp_path / "real.Dockerfile.bak" and backup.read_text() == "old\n"


def test_failure_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "Dockerfile"
    path.write_text("old\n")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, "new\n")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]


def test_missing_folder_raises(tmp_path):
    with pytest.raises(OSError):
        atomic_write(tmp_path / "no" / "Dockerfile", "x")


def test_set_aside_moves_the_file_and_says_why(tmp_path, caplog):
    path = tmp_path / "settings.json"
    path.write_text("{broken")
    (tmp_path / "settings.json.corrupt").write_text("an older one")
    logger = logging.getLogger("portside.test-fileio")
    with caplog.at_level(logging.INFO, logger="portside.test-fileio"):
        aside = set_aside(path, ValueError("bad JSON"), logger, "starting without settings")
    assert aside == tmp_path / "settings.json.corrupt" and aside.read_text() == "{broken"  # the older one replaced
    assert not path.exists()
    [record] = caplog.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert str(path) in message and "bad JSON" in message and "settings.json.corrupt" in message
    assert message.endswith("starting without settings")


def test_set_aside_leaves_a_file_it_cannot_move_and_logs_at_the_level_asked(tmp_path, caplog, expect_log_warnings):
    path = tmp_path / "missing.json"  # gone already: os.replace fails
    logger = logging.getLogger("portside.test-fileio")
    with caplog.at_level(logging.INFO, logger="portside.test-fileio"):
        aside = set_aside(path, ValueError("bad JSON"), logger, "starting afresh", level=logging.WARNING)
    assert aside is None and not (tmp_path / "missing.json.corrupt").exists()
    [record] = caplog.records
    assert record.levelno == logging.WARNING and "nor set aside" in record.getMessage()
