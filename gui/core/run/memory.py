"""The Run dialog's memory: the last settings used for each image, and named presets. No Qt.

One small JSON file (run-settings.json in the user's config folder), replaced atomically on every write.
Values of secret-looking variables are never written: they are remembered as empty, so the form asks again.
A file that cannot be read is set aside as run-settings.json.corrupt and the memory starts empty.
Blocking file I/O (small and quick, but disk): the view calls these methods through a worker.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import platformdirs

from gui.core import log
from gui.core.fileio import atomic_write, set_aside
from gui.core.reference import split_reference
from gui.core.run.spec import RunSpec

logger = log.get("run-memory")

FILE_NAME = "run-settings.json"
VERSION = 1
MAX_IMAGES = 100  # the images remembered; the least recently run go first


def default_path() -> Path:
    return Path(platformdirs.user_config_dir("portside", appauthor=False)) / FILE_NAME


def memory_key(image: str) -> str:
    """The repository an image reference names, without tag or digest, so python:3.11 and python:3.12 share
    settings; docker.io/library/python and python are one repository."""
    repository, _, _ = split_reference(image.strip())
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"):
        if repository.startswith(prefix):
            return repository[len(prefix) :]
    return repository


class RunMemory:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.Lock()  # workers of two dialogs may write at once

    # Last settings per image ------------------------------------------------------------------

    def last_for(self, image: str) -> RunSpec | None:
        """The settings last run for this image's repository, with `image` as the image (a new tag keeps the
        ports and variables of the old one); None when there are none."""
        with self._lock:
            data = self._load()
        spec = _spec_or_none(data["last"].get(memory_key(image)), f"last settings for {memory_key(image)}")
        return replace(spec, image=image) if spec else None

    def remember(self, spec: RunSpec) -> None:
        key = memory_key(spec.image)
        with self._lock:
            data = self._load()
            last = data["last"]
            last.pop(key, None)  # re-inserted last: the dict's order is the order of use
            last[key] = spec.without_secret_values().to_dict()
            for old in list(last)[:-MAX_IMAGES]:
                del last[old]
            self._save(data)

    # Presets ---------------------------------------------------------------------------------

    def presets(self) -> dict[str, RunSpec]:
        """Name -> settings, sorted by name; unreadable presets are left out."""
        with self._lock:
            data = self._load()
        found = {name: _spec_or_none(raw, f"preset {name}") for name, raw in data["presets"].items()}
        return {name: found[name] for name in sorted(found, key=str.casefold) if found[name] is not None}

    def save_preset(self, name: str, spec: RunSpec) -> None:
        """Saves (or replaces) a preset. Raises ValueError for an empty name."""
        name = name.strip()
        if not name:
            raise ValueError("Give the preset a name.")
        with self._lock:
            data = self._load()
            data["presets"][name] = spec.without_secret_values().to_dict()
            self._save(data)

    def delete_preset(self, name: str) -> None:
        with self._lock:
            data = self._load()
            if data["presets"].pop(name, None) is not None:
                self._save(data)

    # The file ---------------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        empty: dict[str, Any] = {"version": VERSION, "last": {}, "presets": {}}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return empty
        except (OSError, UnicodeDecodeError) as exc:
            logger.info("cannot read %s (%s); starting without remembered run settings", self.path, exc)
            return empty
        try:
            data = json.loads(text)
            if (
                not isinstance(data, dict)
                or not isinstance(data.get("last", {}), dict)
                or not isinstance(data.get("presets", {}), dict)
            ):
                raise TypeError("not a run-settings object")
        except (ValueError, TypeError) as exc:
            set_aside(self.path, exc, logger, "starting without remembered run settings")
            return empty
        return {"version": VERSION, "last": dict(data.get("last", {})), "presets": dict(data.get("presets", {}))}

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, json.dumps(data, indent=2, sort_keys=False) + "\n")


def _spec_or_none(raw: Any, what: str) -> RunSpec | None:
    if raw is None:
        return None
    try:
        if not isinstance(raw, dict):
            raise TypeError("not an object")
        return RunSpec.from_dict(raw)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        logger.info("ignoring the remembered %s: %s", what, exc)
        return None
