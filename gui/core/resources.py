"""Where Portside's own files are: the Dockerfile templates and the app icons. No Qt.

The repository's top-level resources/ folder is installed as the package gui.resources (pyproject.toml
maps it), so importlib.resources finds it the same way in an editable install, a wheel and the
PyInstaller bundle, whatever the current directory is.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
from importlib import resources
from pathlib import Path

PACKAGE = "gui.resources"
APP_ID = "io.github.portside.Portside"

# Files unpacked for a zipped install stay on disk until Portside exits (Jinja2 and Qt read them by path).
_unpacked = contextlib.ExitStack()
atexit.register(_unpacked.close)


def _on_disk(resource) -> Path:
    """A real path for a resource. Folder installs (editable, wheel, bundle) already give one; a zipped install
    would unpack it (a whole folder only from Python 3.12 on, but no Portside install is zipped)."""
    if isinstance(resource, Path):
        return resource
    return _unpacked.enter_context(resources.as_file(resource))


@functools.cache
def root() -> Path:
    """The gui.resources folder."""
    return _on_disk(resources.files(PACKAGE))


def template_dir() -> Path:
    """The Jinja2 templates of generated Dockerfiles and .dockerignore files."""
    return root() / "templates"


def icon_path(name: str) -> Path:
    """An icon file by its path under icons/, e.g. "portside.svg"."""
    return root() / "icons" / name


def app_icons() -> list[Path]:
    """The app icon rendered at every size of the hicolor theme layout (PNGs, smallest first)."""
    pngs = (root() / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.png")
    return sorted(pngs, key=lambda path: int(path.parent.parent.name.split("x")[0]))
