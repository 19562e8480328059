"""The builds the user ran, kept between sessions: one JSON index plus one log file per build. No Qt.

Every write replaces a whole file atomically (a crash leaves the old file or the new one, never half of
one). The history is bounded: the oldest records and their logs go beyond `max_records`, and a log longer
than `max_log_bytes` keeps its end (where a build's error is) under a first line that says it was cut.
An index that cannot be read is set aside as index.json.corrupt and the history starts again.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs

from gui.core import log
from gui.core.fileio import atomic_write, set_aside

logger = log.get("builds")

RESULTS = ("succeeded", "failed", "cancelled")
INDEX_NAME = "index.json"
INDEX_VERSION = 1
_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@dataclass(frozen=True)
class BuildRecord:
    id: str
    tags: tuple[str, ...]
    context: str
    dockerfile: str
    started: float  # seconds since the epoch
    duration_s: float
    result: str  # "succeeded" | "failed" | "cancelled"
    image_id: str | None
    image_size: int | None
    command: str
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_json(cls, data: Any) -> BuildRecord:
        """Raises ValueError for a record that is not one (so one bad record can be skipped)."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        known = {field.name for field in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        try:
            record = cls(**{**values, "tags": tuple(values.get("tags") or ())})
        except TypeError as exc:
            raise ValueError(str(exc)) from exc
        if not isinstance(record.id, str) or not _ID_PATTERN.fullmatch(record.id):
            raise ValueError(f"bad id {record.id!r}")
        if not all(isinstance(tag, str) for tag in record.tags):
            raise ValueError("bad tags")
        if not isinstance(record.started, (int, float)) or not isinstance(record.duration_s, (int, float)):
            raise ValueError("bad times")
        return record


def new_record_id(started: float | None = None) -> str:
    """A sortable, file-name-safe id: 20240601-142501-3fa2c1."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(started if started is not None else time.time()))
    return f"{stamp}-{secrets.token_hex(3)}"


def default_folder() -> Path:
    return Path(platformdirs.user_data_dir("portside", appauthor=False)) / "builds"


class BuildHistory:
    """Thread-safe within one process: a lock guards each read-modify-write of the index."""

    def __init__(self, folder: Path | None = None, max_records: int = 200, max_log_bytes: int = 2_000_000):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.max_records = max(1, max_records)
        self.max_log_bytes = max(1024, max_log_bytes)
        self._lock = threading.Lock()

    @property
    def index_path(self) -> Path:
        return self.folder / INDEX_NAME

    def log_path(self, record_id: str) -> Path:
        _check_id(record_id)
        return self.folder / f"{record_id}.log"

    # Reading ---------------------------------------------------------------------------------------------

    def records(self) -> list[BuildRecord]:
        """Newest first."""
        with self._lock:
            return self._read()

    def log(self, record_id: str) -> str:
        """The build's saved log, "" when there is none."""
        try:
            return self.log_path(record_id).read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return ""

    def _read(self) -> list[BuildRecord]:
        try:
            raw = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            logger.warning("could not read the build history %s: %s", self.index_path, exc)
            return []
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("records"), list):
                raise ValueError("no list of records")
        except ValueError as exc:
            set_aside(self.index_path, exc, logger, "starting a new build history", level=logging.WARNING)
            return []
        records = []
        for item in data["records"]:
            try:
                records.append(BuildRecord.from_json(item))
            except ValueError as exc:
                logger.info("skipping a build record that cannot be read: %s", exc)
        records.sort(key=lambda record: record.started, reverse=True)
        return records

    # Writing ---------------------------------------------------------------------------------------------

    def add(self, record: BuildRecord, log_lines: list[str]) -> None:
        """Saves the record (replacing one with the same id) and its log; drops the oldest beyond
        max_records, with their logs."""
        _check_id(record.id)
        if record.result not in RESULTS:
            raise ValueError(f"result must be one of {RESULTS}, not {record.result!r}")
        with self._lock:
            atomic_write(self.log_path(record.id), capped_log(log_lines, self.max_log_bytes), private=True)
            records = [record] + [old for old in self._read() if old.id != record.id]
            records.sort(key=lambda item: item.started, reverse=True)
            kept, dropped = records[: self.max_records], records[self.max_records :]
            self._write(kept)
            for old in dropped:
                self.log_path(old.id).unlink(missing_ok=True)
            self._remove_stray_logs({item.id for item in kept})

    def remove(self, record_id: str) -> None:
        _check_id(record_id)
        with self._lock:
            records = self._read()
            kept = [record for record in records if record.id != record_id]
            if len(kept) != len(records):
                self._write(kept)
            self.log_path(record_id).unlink(missing_ok=True)

    def _write(self, records: list[BuildRecord]) -> None:
        payload = {"version": INDEX_VERSION, "records": [record.to_json() for record in records]}
        atomic_write(self.index_path, json.dumps(payload, indent=1) + "\n", private=True)

    def _remove_stray_logs(self, ids: set[str]) -> None:
        """Logs whose record is gone (a crash between writing a log and the index)."""
        for path in self.folder.glob("*.log"):
            if path.stem not in ids:
                path.unlink(missing_ok=True)


def capped_log(lines: list[str], max_bytes: int) -> str:
    """The lines as text; when longer than max_bytes (UTF-8), the end of it under a line saying how much
    was cut."""
    text = "\n".join(lines) + ("\n" if lines else "")
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    budget = max_bytes - 200  # room for the note
    tail = data[-budget:].decode("utf-8", errors="ignore")
    newline = tail.find("\n")
    if 0 <= newline < len(tail) - 1:
        tail = tail[newline + 1 :]  # start on a whole line
    dropped = text.count("\n") - tail.count("\n")
    note = (
        f"[Log cut: the first {dropped} lines were left out to keep the build history small; "
        "the end of the log follows.]\n"
    )
    return note + tail


def _check_id(record_id: str) -> None:
    if not isinstance(record_id, str) or not _ID_PATTERN.fullmatch(record_id):
        raise ValueError(f"not a build record id: {record_id!r}")
