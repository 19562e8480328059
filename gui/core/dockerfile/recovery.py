"""Recovery copies of unsaved editor buffers, so that a crash never loses an edit, and what a save does with
them (blocking; the editor runs these in a worker). No Qt here. Reading and writing the documents themselves,
in whatever encoding and line endings they use, is gui.core.dockerfile.text_file's.

One JSON file per document in the recovery folder, named by a hash of the document's absolute path and
holding that path, the time of the copy and the text. Every write is atomic (temp file + rename), so a
crash in the middle of an autosave leaves the previous copy whole. pending_copies() gathers the copies a
stopped session left, with what their files hold now, for the offer at the next start-up.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from gui.core import log
from gui.core.errors import EngineError
from gui.core.fileio import atomic_write

__all__ = [
    "PendingCopy",
    "RecoveryStore",
    "SaveFailed",
    "default_folder",
    "disk_problem",
    "drop_recovery_copy",
    "keep_recovery_copy",
    "pending_copies",
    "write_keeping_recovery",
]

logger = log.get("recovery")

_SUFFIX = ".recovery.json"
_FORMAT = 1


def default_folder() -> Path:
    return Path(platformdirs.user_state_dir("portside", appauthor=False)) / "recovery"


def _key(document_path: Path) -> Path:
    """The absolute form of a document's path: the same file always maps to the same copy."""
    return Path(os.path.abspath(os.path.expanduser(document_path)))


class RecoveryStore:
    """Unsaved editor buffers survive a crash: save() while the user edits, discard() once the file is saved."""

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder) if folder is not None else default_folder()

    def _copy_path(self, document_path: Path) -> Path:
        digest = hashlib.sha256(str(_key(document_path)).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.folder / f"{digest}{_SUFFIX}"

    def save(self, document_path: Path, text: str) -> None:
        """Keeps `text` as the recovery copy of `document_path`, replacing any older copy atomically."""
        # The folder is private: a Dockerfile being edited may hold a secret the user has yet to remove.
        payload = {"format": _FORMAT, "path": str(_key(document_path)), "saved": time.time(), "text": text}
        atomic_write(self._copy_path(document_path), json.dumps(payload, ensure_ascii=False), private=True)

    def _read(self, copy: Path) -> dict | None:
        try:
            payload = json.loads(copy.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            logger.info("unreadable recovery copy %s: %s", copy, exc)
            return None
        if (
            not isinstance(payload, dict)
            or not isinstance(payload.get("text"), str)
            or not isinstance(payload.get("path"), str)
        ):
            logger.info("recovery copy %s has an unknown shape", copy)
            return None
        return payload

    def load(self, document_path: Path) -> str | None:
        """The recovered text of `document_path`, or None when there is no (readable) copy."""
        payload = self._read(self._copy_path(document_path))
        if payload is None or payload["path"] != str(_key(document_path)):
            return None
        return payload["text"]

    def saved_at(self, document_path: Path) -> float | None:
        """When the recovery copy was written (seconds since the epoch), or None."""
        payload = self._read(self._copy_path(document_path))
        if payload is None or payload["path"] != str(_key(document_path)):
            return None
        saved = payload.get("saved")
        return float(saved) if isinstance(saved, (int, float)) else None

    def discard(self, document_path: Path) -> None:
        """Forgets the recovery copy of `document_path`; nothing happens when there is none."""
        try:
            self._copy_path(document_path).unlink()
        except FileNotFoundError:
            pass

    def pending(self) -> list[Path]:
        """The documents that have a recovery copy, sorted by path."""
        try:
            copies = list(self.folder.glob(f"*{_SUFFIX}"))
        except OSError:
            return []
        found = {Path(payload["path"]) for payload in map(self._read, copies) if payload is not None}
        return sorted(found)


# Saving documents ----------------------------------------------------------------------------------------


def _reason(exc: OSError) -> str:
    """Why a file operation failed, in a few plain words: "the disk is full"."""
    reasons = {
        errno.EACCES: "you do not have permission",
        errno.EPERM: "you do not have permission",
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "your disk quota is used up",
        errno.EROFS: "the disk is read-only",
        errno.ENOENT: "its folder does not exist (any more)",
        errno.EISDIR: "that is a folder",
        errno.ENOTDIR: "a part of the path is not a folder",
    }
    return reasons.get(exc.errno or 0, exc.strerror or str(exc))


def disk_problem(exc: OSError, doing: str) -> EngineError:
    """An OSError as a sentence: "Could not save Dockerfile: the disk is full."."""
    return EngineError(f"Could not {doing}: {_reason(exc)}.", str(exc))


class SaveFailed(EngineError):
    """The file was not written. `recovery_saved` says whether the text reached its recovery copy instead,
    and the message says exactly that: what was saved, what was not, and what to do."""

    def __init__(self, path: Path, exc: OSError, recovery_error: OSError | None):
        first = f"Not saved to {path}: {_reason(exc)}."
        if recovery_error is None:
            then = (
                "Your text is safe in a recovery copy (Portside offers it again if it stops). "
                "Try again, or use Save As to save it elsewhere."
            )
        else:
            then = "The recovery copy could not be written either: copy your text somewhere safe now."
        detail = str(exc) if recovery_error is None else f"{exc}; recovery copy: {recovery_error}"
        super().__init__(f"{first} {then}", detail)
        self.recovery_saved = recovery_error is None


def write_keeping_recovery(
    path: Path, write: Callable[[], object], text: str, store: RecoveryStore, forget: tuple[Path, ...] = ()
) -> str:
    """Runs `write` (the file's own atomic write, blocking), then drops the recovery copies of `path` and of
    the names in `forget` (older names of a document saved under a new one). When the write fails the text
    goes to the recovery copy instead, and SaveFailed says which of the two writes worked. Returns `text`."""
    try:
        write()
    except OSError as exc:
        recovery_error = None
        try:
            store.save(path, text)  # the write failed: make sure this text survives in the recovery copy
        except OSError as recovery_exc:
            logger.info("no recovery copy either: %s", recovery_exc)
            recovery_error = recovery_exc
        raise SaveFailed(Path(path), exc, recovery_error) from exc
    for document in (path, *forget):
        try:
            store.discard(document)
        except OSError as exc:  # the file is saved: a copy left behind is dropped when it is next offered
            logger.info("could not remove the recovery copy of %s: %s", document, exc)
    return text


def keep_recovery_copy(store: RecoveryStore, path: Path, text: str) -> None:
    """store.save (blocking), with a failure as a sentence: "Could not keep a recovery copy: the disk is full."."""
    try:
        store.save(path, text)
    except OSError as exc:
        raise disk_problem(exc, "keep a recovery copy") from exc


def drop_recovery_copy(store: RecoveryStore, path: Path) -> None:
    """store.discard (blocking), with a failure as a sentence: "Could not delete the recovery copy of ...: ..."."""
    try:
        store.discard(path)
    except OSError as exc:
        raise disk_problem(exc, f"delete the recovery copy of {Path(path).name}") from exc


# Copies offered at start-up ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingCopy:
    """A recovery copy left by a session that stopped, with what the file on disk holds now."""

    path: Path
    text: str  # the unsaved text kept in the copy
    saved_at: float | None  # when the copy was written (seconds since the epoch)
    disk_text: str | None  # the file's text now; None when it is gone or cannot be read
    unreadable: str | None  # why the file cannot be read (it exists), else None
    changed_since: bool  # the file was written after the copy was made
    folder_exists: bool  # False: the file's folder is gone too (saving needs Save As)
    diff: str  # a unified diff, the file on disk ("-") against the recovery copy ("+")

    @property
    def gone(self) -> bool:
        return self.disk_text is None and self.unreadable is None


def _modified_at(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def pending_copies(store: RecoveryStore) -> list[PendingCopy]:
    """Every recovery copy worth offering (blocking), sorted by path. A copy that holds exactly what its file
    holds keeps nothing unsaved: it is removed instead of offered. Files are read as the editor reads them
    (any encoding it opens, CRLF or LF), so a copy is compared with the text the editor showed."""
    # text_file builds its saves on this module, so it is imported here rather than at the top.
    from gui.core.dockerfile.text_file import read_text_document

    offered = []
    for path in store.pending():
        text = store.load(path)
        if text is None:
            continue
        problem = None
        try:
            disk_text = read_text_document(path).text
        except EngineError as exc:  # NotText included: a binary file is no Dockerfile to restore into
            disk_text, problem = None, exc.message
        if disk_text == text:
            try:
                store.discard(path)
            except OSError as exc:
                logger.info("could not remove the recovery copy of %s: %s", path, exc)
            continue
        saved_at = store.saved_at(path)
        modified = _modified_at(path)
        diff = "\n".join(
            difflib.unified_diff(
                (disk_text or "").splitlines(),
                text.splitlines(),
                f"{path.name} on disk" if disk_text is not None else f"{path.name} (no file)",
                f"{path.name} recovery copy",
                lineterm="",
            )
        )
        offered.append(
            PendingCopy(
                path=path,
                text=text,
                saved_at=saved_at,
                disk_text=disk_text,
                unreadable=problem,
                changed_since=modified is not None and saved_at is not None and modified > saved_at,
                folder_exists=path.parent.is_dir(),
                diff=diff,
            )
        )
    return offered
