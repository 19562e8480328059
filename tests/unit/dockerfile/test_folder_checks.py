"""gui.core.dockerfile.folder_checks: what the wizard's first page says about a typed project folder."""

from __future__ import annotations

import os

from gui.core.dockerfile.folder_checks import folder_problem, scan_folder
from gui.core.dockerfile.project_scan import ProjectScan


def test_a_writable_folder_has_no_problem(tmp_path):
    assert folder_problem(str(tmp_path)) is None


def test_a_relative_path_asks_for_the_full_path():
    assert "full path" in folder_problem("relative/folder")


def test_a_missing_folder_is_named(tmp_path):
    missing = tmp_path / "nowhere"
    assert folder_problem(str(missing)) == f"There is no folder at {missing}."


def test_a_file_is_not_a_folder(tmp_path):
    file = tmp_path / "app.py"
    file.write_text("print('hi')\n")
    assert folder_problem(str(file)) == f"{file} is a file, not a folder. Choose the folder that holds your app."


def test_the_home_folder_shorthand_is_understood(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "my-app").mkdir()
    assert folder_problem("~/my-app") is None


def test_an_unreadable_folder_says_so(tmp_path, monkeypatch):
    # Faked: the tests may run as root, who may read anything.
    monkeypatch.setattr(os, "access", lambda _path, mode: not mode & os.R_OK)
    assert folder_problem(str(tmp_path)) == f"Portside may not read {tmp_path}. Choose a folder you own."


def test_a_read_only_folder_says_the_dockerfile_could_not_be_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda _path, mode: mode != os.W_OK)
    assert "could not save the Dockerfile" in folder_problem(str(tmp_path))


def test_scan_folder_gives_the_problem_instead_of_a_scan(tmp_path):
    assert scan_folder(str(tmp_path / "nowhere")) == f"There is no folder at {tmp_path / 'nowhere'}."


def test_scan_folder_reads_the_resolved_folder(tmp_path):
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "requirements.txt").write_text("flask\n")
    scan = scan_folder(f"{tmp_path}/./")
    assert isinstance(scan, ProjectScan)
    assert (scan.folder, scan.entry_script, scan.dependency_file) == (tmp_path.resolve(), "app.py", "requirements.txt")
