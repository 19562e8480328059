"""A table model over plain rows from core, updated by key so rows do not flicker or lose selection.

Cheap for a thousand rows: a refresh is applied in a few batched signals (one removal per run of gone rows, one
insertion for the new ones, one change per run of changed rows), and the model keeps its rows in the order asked
(`sort`): one Python sort on precomputed keys and one layout change, where a sorting proxy would make some ten
thousand comparisons, each a handful of calls from Qt into Python. The filter reads `search_text`, built once per
change of a row.
"""

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

# Past this many runs of changed rows, one signal spans them all: each signal costs the views (and a sorting proxy)
# a pass of their own, while a spanning one costs a look at the unchanged rows between, which is cheap.
MAX_CHANGE_SIGNALS = 16


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


_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class RowTableModel(QAbstractTableModel, Generic[Row]):
    def __init__(self, columns: Sequence[Column[Row]], key: Callable[[Row], Hashable], parent=None):
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._rows: list[Row] = []
        self._index: dict[Hashable, int] = {}
        self._ranks: dict[int, list[int]] = {}  # column: each row's place in that column's order
        self._search: list[str | None] = []  # each row's cells, lower case, joined: what the filter looks in
        self._sort_column = -1  # -1: rows stay in the order they came
        self._descending = False
        # data() is asked for a dozen roles per cell and paint: a table of what each role reads keeps it short.
        self._roles: dict[int, Callable[[Column[Row], Row], Any]] = {
            Qt.ItemDataRole.DisplayRole: lambda column, row: column.text(row),
            SORT_ROLE: self._sort_key,
            Qt.ItemDataRole.ToolTipRole: lambda column, row: column.tooltip(row) if column.tooltip else None,
            Qt.ItemDataRole.ForegroundRole: lambda column, row: column.colour(row) if column.colour else None,
            Qt.ItemDataRole.TextAlignmentRole: lambda column, row: _ALIGN_RIGHT if column.align_right else None,
            LINK_ROLE: lambda column, row: column.links(row) if column.links else None,
            SPARK_ROLE: lambda column, row: column.spark(row) if column.spark else None,
            ROW_ROLE: lambda _column, row: row,
        }

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
        read = self._roles.get(role)
        if read is None:
            return None
        position = index.row()  # -1 for an invalid index
        if not 0 <= position < len(self._rows):
            return None
        return read(self._columns[index.column()], self._rows[position])

    @staticmethod
    def _sort_key(column: Column[Row], row: Row) -> Any:
        return column.sort_key(row) if column.sort_key else column.text(row).lower()

    def columns_changed(self, first_column: int, last_column: int) -> None:
        """Every row's cells in these columns changed (live figures): one signal for the lot."""
        for column in range(first_column, last_column + 1):
            self._ranks.pop(column, None)
        self._search = [None] * len(self._rows)
        if self._rows:
            self.dataChanged.emit(self.index(0, first_column), self.index(len(self._rows) - 1, last_column))
            if first_column <= self._sort_column <= last_column:
                self._put_in_order()

    def _emit_changed(self, positions: list[int]) -> None:
        """One dataChanged per run of adjacent rows: a refresh that touches every row's status
        ("Up 5 minutes") costs the views one update, not one per row; scattered changes span one signal."""
        last_column = len(self._columns) - 1
        runs = adjacent_runs(sorted(positions))
        if len(runs) > MAX_CHANGE_SIGNALS:
            runs = [(runs[0][0], runs[-1][1])]
        for first, last in runs:
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))

    # Order and filter ----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Keeps the rows sorted by `column` (its sort key, else its text in any case) from now on, through every
        refresh; equal keys keep their order. Selection and current row follow their rows."""
        self._sort_column = column if 0 <= column < len(self._columns) else -1
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._put_in_order()

    def sort_ranks(self, column: int) -> list[int]:
        """Each row's place when sorted by `column` (equal keys share a place), built once per change of the rows."""
        ranks = self._ranks.get(column)
        if ranks is None or len(ranks) != len(self._rows):
            ranks = self._ranks[column] = _ranks([self._sort_key(self._columns[column], row) for row in self._rows])
        return ranks

    def _put_in_order(self) -> None:
        """Moves the rows into the order asked, in one layout change (none when they already are)."""
        if self._sort_column < 0 or len(self._rows) < 2:
            return
        ranks = self.sort_ranks(self._sort_column)
        order = sorted(range(len(self._rows)), key=ranks.__getitem__, reverse=self._descending)
        if all(old == new for new, old in enumerate(order)):
            return
        self.layoutAboutToBeChanged.emit()
        place = [0] * len(order)
        for new, old in enumerate(order):
            place[old] = new
        self._rows = [self._rows[old] for old in order]
        self._search = [self._search[old] for old in order]
        self._ranks = {column: [ranks[old] for old in order] for column, ranks in self._ranks.items()}
        self._index = {self._key(row): i for i, row in enumerate(self._rows)}
        moved = self.persistentIndexList()  # the selection and current row, through the filter above
        self.changePersistentIndexList(moved, [self.index(place[i.row()], i.column()) for i in moved])
        self.layoutChanged.emit()

    def search_text(self, position: int) -> str:
        """The row's cells, lower case, in one string: what the filter box looks for text in."""
        text = self._search[position]
        if text is None:
            row = self._rows[position]
            text = self._search[position] = "\n".join(column.text(row) for column in self._columns).lower()
        return text

    def column_texts(self, column: int) -> list[str]:
        """The text of one column in every row (for sizing the column to its longest text)."""
        text = self._columns[column].text
        return [text(row) for row in self._rows]

    # Rows ----------------------------------------------------------------------------------------

    @property
    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Replace the content: removes what is gone, updates what changed, appends what is new; rows keep their
        identity (and so their selection) by key."""
        key = self._key
        incoming = {key(row): row for row in rows}
        gone = [position for position, row in enumerate(self._rows) if key(row) not in incoming]
        for first, last in reversed(adjacent_runs(gone)):  # from the bottom: positions above stay right
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            del self._search[first : last + 1]
            self._ranks.clear()
            self.endRemoveRows()
        if gone:
            self._index = {key(row): i for i, row in enumerate(self._rows)}
        changed = []
        for row_key, row in incoming.items():
            position = self._index.get(row_key)
            if position is not None and self._rows[position] != row:
                self._rows[position] = row
                self._search[position] = None
                changed.append(position)
        if changed:
            self._ranks.clear()
            self._emit_changed(changed)
        new = [row for row_key, row in incoming.items() if row_key not in self._index]
        if new and self._sort_column >= 0:  # already in order among themselves: a first fill needs no reorder
            column = self._columns[self._sort_column]
            ranks = _ranks([self._sort_key(column, row) for row in new])
            new = [new[i] for i in sorted(range(len(new)), key=ranks.__getitem__, reverse=self._descending)]
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self._search.extend([None] * len(new))
            self._ranks.clear()
            self._index.update((key(row), first + i) for i, row in enumerate(new))
            self.endInsertRows()
        if gone or changed or new:
            self._put_in_order()


def _ranks(keys: list[Any]) -> list[int]:
    """[30, 10, 20, 10] -> [2, 0, 1, 0]: each key's place in sorted order, equal keys in the same place.
    Keys that do not compare with each other (None beside a number) are ordered by their text."""
    try:
        order = sorted(range(len(keys)), key=keys.__getitem__)
        keys_in_order = keys
    except TypeError:
        keys_in_order = [str(k) for k in keys]
        order = sorted(range(len(keys)), key=keys_in_order.__getitem__)
    ranks = [0] * len(keys)
    place, previous = -1, object()
    for i, position in enumerate(order):
        value = keys_in_order[position]
        if i == 0 or value != previous:
            place, previous = i, value
        ranks[position] = place
    return ranks


def adjacent_runs(positions: list[int]) -> list[tuple[int, int]]:
    """[1, 2, 3, 7, 8] -> [(1, 3), (7, 8)]"""
    runs: list[list[int]] = []
    for position in positions:
        if runs and position == runs[-1][1] + 1:
            runs[-1][1] = position
        else:
            runs.append([position, position])
    return [(first, last) for first, last in runs]
