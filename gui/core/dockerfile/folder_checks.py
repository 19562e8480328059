"""Checks on the project folder the user types into the Dockerfile wizard, and reading it. No Qt.

Both touch the disk: call them off the GUI thread."""

from __future__ import annotations

import os
from pathlib import Path

from gui.core.dockerfile.project_scan import ProjectScan, scan_project


def folder_problem(text: str) -> str | None:
    """What is wrong with a typed project folder, or None."""
    path = Path(text).expanduser()
    if not path.is_absolute():
        return "Give the full path of the folder, starting from the top (for example /home/you/my-app)."
    if not path.exists():
        return f"There is no folder at {path}."
    if not path.is_dir():
        return f"{path} is a file, not a folder. Choose the folder that holds your app."
    if not os.access(path, os.R_OK | os.X_OK):
        return f"Portside may not read {path}. Choose a folder you own."
    if not os.access(path, os.W_OK):
        return f"Portside may not write in {path}, so it could not save the Dockerfile there."
    return None


def scan_folder(text: str) -> ProjectScan | str:
    """The scan of a project folder, or the sentence saying why there is none."""
    problem = folder_problem(text)
    if problem:
        return problem
    return scan_project(Path(text).expanduser().resolve())
