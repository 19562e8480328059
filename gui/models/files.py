"""The Files window's table: one folder's entries, with how each cell reads (sizes in human units, exact bytes in the
tooltip, local times, permissions as `ls -l` writes them) and an icon per kind. Presentation only."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from gui.core.format import exact_bytes, human_bytes, local_time
from gui.models.lists import ExplainedHeaders
from gui.models.table import Column

if TYPE_CHECKING:
    from gui.core.files.entries import FileEntry

_TYPE_LETTER = {"folder": "d", "file": "-", "link": "l"}

FILE_HEADER_TIPS = {
    "Name": "Double-click a folder to open it, a file to download it. Drop files from your computer here to upload.",
    "Size": "Human units; the tooltip has the exact bytes. A folder's size is shown when the engine's archive gave it "
    "(the total of its files).",
    "Modified": "When the file last changed, in this computer's time zone.",
    "Permissions": "Who may read (r), write (w) and run or open (x) it: the owner, the group, everyone else; "
    "as ls -l writes them.",
}


def permissions(entry: FileEntry) -> str:
    """'drwxr-xr-x', 'lrwxrwxrwx', '-rw-r--r--'."""
    letter = _TYPE_LETTER.get(entry.kind, "?")
    return letter + stat.filemode(stat.S_IFREG | (entry.mode & 0o7777))[1:]


def size_text(entry: FileEntry) -> str:
    return "" if entry.size is None else human_bytes(entry.size)


def _size_tooltip(entry: FileEntry) -> str:
    if entry.size is None:
        return (
            "Not added up: a folder listed inside the running container has no size." if entry.kind == "folder" else ""
        )
    what = "in all, the files under it" if entry.kind == "folder" else ""
    return f"{exact_bytes(entry.size)} {what}".strip()


def _name_tooltip(entry: FileEntry) -> str:
    if entry.kind == "link":
        return f"{entry.path} → {entry.target}" if entry.target else f"{entry.path} (a link)"
    return entry.path


FILE_COLUMNS = [
    Column("Name", lambda e: e.name, sort_key=lambda e: (e.kind != "folder", e.name.lower()), tooltip=_name_tooltip),
    Column(
        "Size",
        size_text,
        sort_key=lambda e: -1 if e.size is None else e.size,
        tooltip=_size_tooltip,
        align_right=True,
    ),
    Column(
        "Modified",
        lambda e: local_time(e.modified) if e.modified is not None else "",
        sort_key=lambda e: e.modified or 0.0,
    ),
    Column("Permissions", permissions),
]
NAME_COLUMN = 0


class FilesModel(ExplainedHeaders):
    """The rows of one folder, keyed by path, with the style's folder, file and link icons in the Name column."""

    def __init__(self, icons: dict[str, QIcon], parent=None):
        super().__init__(FILE_COLUMNS, lambda entry: entry.path, FILE_HEADER_TIPS, parent=parent)
        self._icons = icons  # kind -> icon; "other" falls back to "file"

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DecorationRole:
            if index.column() != NAME_COLUMN or not 0 <= index.row() < self.rowCount():
                return None
            kind = self.row_at(index.row()).kind
            return self._icons.get(kind) or self._icons.get("file")
        return super().data(index, role)
