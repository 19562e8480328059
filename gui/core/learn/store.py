"""What the Learn page keeps between sessions: the steps read, whether the user skipped the page, the folder the
wizard last wrote in, the project's containers seen running and the images pushed. No Qt.

One small JSON file (learn.json in the user's data folder, beside the build history), replaced atomically on
every write. A file that cannot be read is set aside as learn.json.corrupt and the progress starts again (as a
returning user's: the page does not open first again). Blocking file I/O (small and quick, but disk): the view
calls these methods through a worker.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import platformdirs

from gui.core import log
from gui.core.fileio import atomic_write, set_aside
from gui.core.learn.steps import STEPS

__all__ = ["FILE_NAME", "LearnProgress", "LearnStore", "default_path"]

logger = log.get("learn")

FILE_NAME = "learn.json"
VERSION = 1
MAX_REMEMBERED = 50  # container ids and pushed names kept: the newest ones


def default_path() -> Path:
    return Path(platformdirs.user_data_dir("portside", appauthor=False)) / FILE_NAME


@dataclass(frozen=True)
class LearnProgress:
    read: frozenset[str] = frozenset()
    skipped: bool = False
    wizard_folder: str | None = None
    wizard_at: float = 0.0  # when the wizard wrote there, seconds since the epoch
    seen_running: tuple[str, ...] = ()  # oldest first
    pushed: tuple[str, ...] = ()
    stored: bool = False  # False: nothing was ever stored (the very first start)

    def with_read(self, step_id: str) -> LearnProgress:
        return replace(self, read=self.read | {step_id})

    def with_running(self, container_ids: set[str] | frozenset[str]) -> LearnProgress:
        new = tuple(sorted(set(container_ids) - set(self.seen_running)))
        return replace(self, seen_running=(self.seen_running + new)[-MAX_REMEMBERED:])

    def with_push(self, reference: str) -> LearnProgress:
        kept = tuple(item for item in self.pushed if item != reference)
        return replace(self, pushed=(kept + (reference,))[-MAX_REMEMBERED:])

    def reset(self) -> LearnProgress:
        """Back to the start: nothing read, nothing remembered, not skipped. The wizard's folder stays: it is
        the user's project, not progress."""
        return LearnProgress(wizard_folder=self.wizard_folder, wizard_at=self.wizard_at, stored=self.stored)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "read": sorted(self.read),
            "skipped": self.skipped,
            "wizard_folder": self.wizard_folder,
            "wizard_at": self.wizard_at,
            "seen_running": list(self.seen_running),
            "pushed": list(self.pushed),
        }

    @classmethod
    def from_json(cls, data: Any) -> LearnProgress:
        """Raises ValueError for data that is not a progress file."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        known_steps = {each.id for each in STEPS}
        read = _strings(data.get("read", []), "read")
        folder = data.get("wizard_folder")
        wizard_at = data.get("wizard_at", 0)
        skipped = data.get("skipped", False)
        if folder is not None and not isinstance(folder, str):
            raise ValueError("bad wizard_folder")
        if not isinstance(wizard_at, (int, float)) or not isinstance(skipped, bool):
            raise ValueError("bad wizard_at or skipped")
        return cls(
            read=frozenset(step_id for step_id in read if step_id in known_steps),  # steps of older versions go
            skipped=skipped,
            wizard_folder=folder or None,
            wizard_at=float(wizard_at),
            seen_running=tuple(_strings(data.get("seen_running", []), "seen_running"))[-MAX_REMEMBERED:],
            pushed=tuple(_strings(data.get("pushed", []), "pushed"))[-MAX_REMEMBERED:],
            stored=True,
        )


def _strings(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"bad {name}")
    return value


class LearnStore:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.Lock()

    def load(self) -> LearnProgress:
        """The stored progress; LearnProgress() (stored False) when there is no file yet."""
        with self._lock:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                return LearnProgress()
            except OSError as exc:
                logger.info("could not read %s: %s", self.path, exc)
                return LearnProgress(stored=True)
            try:
                return LearnProgress.from_json(json.loads(raw.decode("utf-8")))
            except ValueError as exc:
                set_aside(self.path, exc, logger, "starting the Learn progress again")
                return LearnProgress(stored=True)

    def save(self, progress: LearnProgress) -> None:
        """Raises OSError (the file is then unchanged)."""
        with self._lock:
            atomic_write(self.path, json.dumps(progress.to_json(), indent=1) + "\n", private=True)

    def reset(self) -> LearnProgress:
        """Forgets the progress (keeps the file, so the page does not open first again) and returns what is kept."""
        progress = self.load().reset()
        self.save(progress)
        return replace(progress, stored=True)
