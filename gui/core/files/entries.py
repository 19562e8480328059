"""What the Files window shows: a folder's entries and what a transfer moved. Plain frozen data, no I/O."""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Iterable
from dataclasses import dataclass

FOLDER, FILE, LINK, OTHER = "folder", "file", "link", "other"


@dataclass(frozen=True)
class FileEntry:
    name: str  # "model.bin"
    path: str  # absolute posix path in the container: "/data/model.bin"
    kind: str  # "folder" | "file" | "link" | "other"
    size: int | None  # bytes; None when unknown (a folder listed by exec has None)
    modified: float | None  # epoch seconds
    mode: int  # permission bits, e.g. 0o644
    target: str = ""  # a link's target when known


@dataclass(frozen=True)
class Listing:
    path: str  # the folder listed, normalised ("/", "/data")
    entries: tuple[FileEntry, ...]  # folders first, then by name (case-insensitive)
    how: str  # "exec" (ls inside the running container) or "archive" (read from the engine's archive API)


@dataclass(frozen=True)
class Transferred:
    written: tuple[str, ...]  # download: host paths written; upload: container paths written
    size: int  # bytes moved


class FilesCancelled(Exception):
    """Raised by a transfer or listing when its cancel Event was set."""


def normalise(path: str) -> str:
    """An absolute container path without "." or ".." parts or a trailing slash: "/data/../x/" -> "/x"."""
    cleaned = posixpath.normpath("/" + path.strip())
    return "/" + cleaned.lstrip("/")  # normpath keeps a leading "//"


def child(folder: str, name: str) -> str:
    return posixpath.join(normalise(folder), name)


def kind_of(st_mode: int) -> str:
    """The kind of an entry from its POSIX st_mode (the type bits)."""
    if stat.S_ISDIR(st_mode):
        return FOLDER
    if stat.S_ISREG(st_mode):
        return FILE
    if stat.S_ISLNK(st_mode):
        return LINK
    return OTHER


def in_order(entries: Iterable[FileEntry]) -> tuple[FileEntry, ...]:
    """Folders first, then by name, ignoring case (the exact name breaks ties, so the order is stable)."""
    return tuple(sorted(entries, key=lambda e: (e.kind != FOLDER, e.name.casefold(), e.name)))
