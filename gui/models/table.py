"""A table model over plain rows from core, updated by key so rows do not flicker or lose selection."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Row = TypeVar("Row")

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
LINK_ROLE = Qt.ItemDataRole.UserRole + 3  # list of (text, url) shown as links by the view
SPARK_ROLE = Qt.ItemDataRole.UserRole + 4  # recent values (floats, NaN for gaps) drawn as a sparkline by the view


@dataclass(frozen=True)
class Column(Generic[Row]):
    title: str
    text: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None
    tooltip: Callable[[Row], str] | None = None
    colour: Callable[[Row], Any] | None = None  # a QColor or None
    links: Callable[[Row], list[tuple[str, str]]] | None = None
    align_right: bool = False
    spark: Callable[[Row], list[float]] | None = None


class RowTableModel(QAbstractTableModel, Generic[Row]):
    def __init__(self, columns: Sequence[Column[Row]], key: Callable[[Row], Hashable], parent=None):
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._rows: list[Row] = []
        self._index: dict[Hashable, int] = {}

    # Qt model API --------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return self._columns[section].title
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == SORT_ROLE:
            return column.sort_key(row) if column.sort_key else column.text(row).lower()
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour:
            return column.colour(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == LINK_ROLE and column.links:
            return column.links(row)
        if role == SPARK_ROLE and column.spark:
            return column.spark(row)
        if role == ROW_ROLE:
            return row
        return None

    def columns_changed(self, first_column: int, last_column: int) -> None:
        """Every row's cells in these columns changed (live figures): one signal for the lot."""
        if self._rows:
            self.dataChanged.emit(self.index(0, first_column), self.index(len(self._rows) - 1, last_column))

    def _emit_changed(self, positions: list[int]) -> None:
        """One dataChanged per run of adjacent rows: a refresh that touches every row's status
        ("Up 5 minutes") costs the views one update, not one per row."""
        last_column = len(self._columns) - 1
        for first, last in adjacent_runs(sorted(positions)):
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))

    # Rows ----------------------------------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace the content: removes what is gone, updates what changed, appends what is new."""
        incoming = {self._key(row): row for row in rows}
        for position in range(len(self._rows) - 1, -1, -1):
            if self._key(self._rows[position]) not in incoming:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self._rows[position]
                self.endRemoveRows()
        self._index = {self._key(row): i for i, row in enumerate(self._rows)}
        changed = []
        for key, row in incoming.items():
            position = self._index.get(key)
            if position is not None and self._rows[position] != row:
                self._rows[position] = row
                changed.append(position)
        self._emit_changed(changed)
        new = [row for key, row in incoming.items() if key not in self._index]
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()
            self._index = {self._key(row): i for i, row in enumerate(self._rows)}


def adjacent_runs(positions: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] -> [(1, 3), (7, 8)]"""
    runs: list[list[int]] = []
    for position in positions:
        if runs and position == runs[-1][1] + 1:
            runs[-1][1] = position
        else:
            runs.append([position, position])
    return [(first, last) for first, last in runs]
