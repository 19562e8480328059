"""gui.core.resources: the templates and icons are found through the installed gui.resources package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gui.core import resources
from gui.core.dockerfile.recipe import AppKind, templates_dir

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_is_the_repository_resources_folder_in_the_editable_install():
    assert resources.root() == ROOT / "resources"


def test_templates_of_every_kind():
    assert templates_dir() == resources.template_dir()
    for kind in AppKind:
        assert (resources.template_dir() / kind.template).is_file()
    assert (resources.template_dir() / "dockerignore.j2").is_file()


def test_app_icons_smallest_first():
    sizes = [int(path.parent.parent.name.split("x")[0]) for path in resources.app_icons()]
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    assert all(path.name == f"{resources.APP_ID}.png" for path in resources.app_icons())


def test_icon_path():
    assert resources.icon_path("portside.svg").is_file()
    assert resources.icon_path(f"hicolor/scalable/apps/{resources.APP_ID}.svg").is_file()


def test_found_from_any_working_directory(tmp_path):
    # Nothing may depend on the current directory: run from an empty one.
    code = "from gui.core import resources; print(resources.template_dir())"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=os.environ
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == ROOT / "resources" / "templates"
