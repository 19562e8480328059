"""Small table editors for the Run dialog: published ports, environment variables and mounts.

Each row is a set of ordinary input widgets (line edits, combo boxes, check boxes) in a QTableWidget, so the
keyboard, the clipboard and screen readers work as in any form. Rows left completely empty are not values:
the user may add a row and change their mind. Problems from RunSpec.problems() carry the index of the value,
which the table maps back to its row and marks with an icon and a tooltip in the row header."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.core.run.spec import EnvVar, MountSpec, PortSpec, Problem
from gui.core.secrets import is_secret, is_secret_name, masked_value


def _centred(widget: QWidget, parent: QWidget) -> QWidget:
    """A check box centred in its cell (a cell widget fills the whole cell)."""
    holder = QWidget(parent)
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignCenter)
    holder.setFocusProxy(widget)
    return holder


class RowTable(QWidget):
    """A table of rows of input widgets with Add and per-row Remove buttons."""

    changed = Signal()
    HEADERS: tuple[str, ...] = ()
    ADD_TEXT = "Add"
    STRETCH_COLUMNS: tuple[int, ...] = ()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        columns = len(self.HEADERS) + 1  # the last one holds the Remove button
        self.table = QTableWidget(0, columns, self)
        self.table.setHorizontalHeaderLabels([*self.HEADERS, ""])
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the widgets in the cells take the focus
        self.table.setTabKeyNavigation(False)  # Tab moves between those widgets, in row order
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        for column in range(columns):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column in self.STRETCH_COLUMNS
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        # Rows as tall as the widgets they hold, in the user's font and scale.
        probe_edit, probe_combo = QLineEdit(self), QComboBox(self)
        padding = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)
        self.table.verticalHeader().setDefaultSectionSize(
            max(probe_edit.sizeHint().height(), probe_combo.sizeHint().height()) + padding
        )
        probe_edit.deleteLater()
        probe_combo.deleteLater()
        self.add_button = QPushButton(self.ADD_TEXT, self)
        self.add_button.setAutoDefault(False)  # Enter in the dialog runs; it does not add rows
        self.add_button.clicked.connect(self._add_by_user)
        self._rows: list[dict[str, QWidget]] = []
        self._value_rows: list[int] = []  # values() index -> table row

        # Above the table, so that it comes first in the tab order and stays in view as rows are added.
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.add_button)
        self.buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.buttons)
        layout.addWidget(self.table, 1)

    # Rows --------------------------------------------------------------------------------------------

    def row_count(self) -> int:
        return len(self._rows)

    def row_widgets(self, row: int) -> dict[str, QWidget]:
        """The input widgets of a row, by name (for tests and for focus)."""
        return self._rows[row]

    def add_row(self, value=None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        widgets = self._make_widgets(row)
        for column, widget in enumerate(list(widgets.values())[: len(self.HEADERS)]):
            self.table.setCellWidget(row, column, self._cell(widget))
        remove = QToolButton(self.table)
        remove.setText("Remove")
        remove.setToolTip("Remove this row")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: self._remove(remove))
        self.table.setCellWidget(row, len(self.HEADERS), remove)
        widgets["_remove"] = remove
        self._rows.append(widgets)
        if value is not None:
            self._write_row(widgets, value)
        self._watch(widgets)
        self._chain_focus()
        return row

    def _focusable(self, widgets: dict[str, QWidget]) -> list[QWidget]:
        """A row's widgets in the order Tab visits them (left to right)."""
        return list(widgets.values())

    def _chain_focus(self) -> None:
        """Tab goes from the Add button through the rows, left to right, top to bottom. New rows would
        otherwise come last in the window's focus chain, after every other widget of the dialog."""
        previous: QWidget = self.add_button
        for row, widgets in enumerate(self._rows):
            for widget in self._focusable(widgets):
                QWidget.setTabOrder(previous, widget)
                previous = widget
            self._name_for_screen_readers(row, widgets)

    def _name_for_screen_readers(self, row: int, widgets: dict[str, QWidget]) -> None:
        """Cell widgets have no label of their own: their column header and row number say what they are."""
        cells = [
            widget
            for widget in widgets.values()
            if widget.parentWidget() is self.table.viewport() or isinstance(widget, QCheckBox)
        ]
        for header, widget in zip(self.HEADERS, cells, strict=False):
            target = widget.focusProxy() or widget
            target.setAccessibleName(f"{header}, row {row + 1}")
        widgets["_remove"].setAccessibleName(f"Remove row {row + 1}")

    def _add_by_user(self) -> None:
        row = self.add_row()
        self.table.scrollToBottom()
        next(iter(self._rows[row].values())).setFocus()
        self.changed.emit()

    def _remove(self, button: QToolButton) -> None:
        row = next(index for index, widgets in enumerate(self._rows) if widgets["_remove"] is button)
        del self._rows[row]
        self.table.removeRow(row)
        self._chain_focus()
        if self._rows:
            next(iter(self._rows[min(row, len(self._rows) - 1)].values())).setFocus()
        else:
            self.add_button.setFocus()
        self.changed.emit()

    def _cell(self, widget: QWidget) -> QWidget:
        if isinstance(widget, QCheckBox):
            return _centred(widget, self.table)
        return widget

    def _watch(self, widgets: dict[str, QWidget]) -> None:
        for widget in widgets.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self.changed)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.changed)
            elif isinstance(widget, QCheckBox):
                widget.toggled.connect(self.changed)

    def _line_edit(self, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self.table)
        edit.setFrame(False)
        edit.setPlaceholderText(placeholder)
        return edit

    # Values --------------------------------------------------------------------------------------------

    def values(self) -> tuple:
        values, self._value_rows = [], []
        for row, widgets in enumerate(self._rows):
            if not self._is_blank(widgets):
                values.append(self._read_row(widgets))
                self._value_rows.append(row)
        return tuple(values)

    def set_values(self, values: Iterable) -> None:
        self.table.setRowCount(0)
        self._rows.clear()
        for value in values:
            self.add_row(value)
        self.changed.emit()

    def mark_problems(self, problems: list[Problem]) -> None:
        """An icon and a tooltip in the header of each row with a problem; errors win over warnings."""
        self.values()  # refresh the value -> row map
        by_row: dict[int, list[Problem]] = {}
        for problem in problems:
            if problem.row is not None and 0 <= problem.row < len(self._value_rows):
                by_row.setdefault(self._value_rows[problem.row], []).append(problem)
        style = self.style()
        for row in range(self.table.rowCount()):
            item = QTableWidgetItem(str(row + 1))
            found = by_row.get(row, [])
            if found:
                error = any(not problem.warning for problem in found)
                icon = (
                    QStyle.StandardPixmap.SP_MessageBoxCritical if error else QStyle.StandardPixmap.SP_MessageBoxWarning
                )
                item.setIcon(style.standardIcon(icon))
                item.setToolTip("\n".join(problem.message for problem in found))
            self.table.setVerticalHeaderItem(row, item)

    def row_of(self, value_index: int) -> int | None:
        """The table row that holds values()[value_index]."""
        self.values()
        return self._value_rows[value_index] if 0 <= value_index < len(self._value_rows) else None

    # For subclasses ------------------------------------------------------------------------------------

    def _make_widgets(self, row: int) -> dict[str, QWidget]:
        raise NotImplementedError

    def _read_row(self, widgets: dict[str, QWidget]):
        raise NotImplementedError

    def _write_row(self, widgets: dict[str, QWidget], value) -> None:
        raise NotImplementedError

    def _is_blank(self, widgets: dict[str, QWidget]) -> bool:
        return not any(widget.text().strip() for widget in widgets.values() if isinstance(widget, QLineEdit))


class PortsTable(RowTable):
    HEADERS = ("Host port", "Container port", "Protocol", "All interfaces")
    ADD_TEXT = "Add port"
    STRETCH_COLUMNS = (0, 1)

    def _make_widgets(self, row: int) -> dict[str, QWidget]:
        host = self._line_edit("random")
        host.setToolTip("The port on this computer, e.g. 5000 or 5000-5010. Empty: the engine picks a free one.")
        container = self._line_edit("e.g. 80")
        container.setToolTip("The port the app listens on inside the container, e.g. 80 or 8000-8010.")
        protocol = QComboBox(self.table)
        protocol.addItems(["tcp", "udp", "sctp"])  # what docker run -p accepts
        everywhere = QCheckBox(self.table)
        everywhere.setToolTip(
            "Publish on every network interface (0.0.0.0), not only 127.0.0.1: other computers "
            "on your network can then reach it, past the host firewall."
        )
        # The host port first, as in `-p HOST:CONTAINER`.
        return {"host": host, "container": container, "protocol": protocol, "all_interfaces": everywhere}

    def _read_row(self, widgets) -> PortSpec:
        return PortSpec(
            container=widgets["container"].text().strip(),
            host=widgets["host"].text().strip(),
            protocol=widgets["protocol"].currentText(),
            all_interfaces=widgets["all_interfaces"].isChecked(),
        )

    def _write_row(self, widgets, value: PortSpec) -> None:
        widgets["container"].setText(value.container)
        widgets["host"].setText(value.host)
        widgets["protocol"].setCurrentText(value.protocol)
        widgets["all_interfaces"].setChecked(value.all_interfaces)

    def _is_blank(self, widgets) -> bool:
        return not widgets["container"].text().strip() and not widgets["host"].text().strip()


class EnvTable(RowTable):
    """Secret values (by name: API_KEY, HF_TOKEN…; or by shape: ghp_…, a URL with a password) are shown as dots
    until the user reveals them. A remembered secret Portside could not keep comes back as an empty row that says
    so."""

    HEADERS = ("Name", "Value")
    ADD_TEXT = "Add variable"
    STRETCH_COLUMNS = (0, 1)
    VALUE_PLACEHOLDER = "value (may be empty)"
    NOT_KEPT_PLACEHOLDER = "secret not kept: type it again"

    def __init__(self, parent: QWidget | None = None):
        self._reveal = False
        super().__init__(parent)

    def set_reveal(self, reveal: bool) -> None:
        self._reveal = reveal
        for widgets in self._rows:
            self._update_echo(widgets)

    def mark_not_kept(self, names: Iterable[str]) -> None:
        """Rows of these variables, still empty, say their secret value was not kept and must be typed again."""
        names = set(names)
        for widgets in self._rows:
            if widgets["name"].text().strip() in names and not widgets["value"].text():
                widgets["value"].setPlaceholderText(self.NOT_KEPT_PLACEHOLDER)

    def _make_widgets(self, row: int) -> dict[str, QWidget]:
        name = self._line_edit("NAME")
        value = self._line_edit(self.VALUE_PLACEHOLDER)
        widgets = {"name": name, "value": value}
        name.textChanged.connect(lambda _text: self._update_echo(widgets))
        value.textChanged.connect(lambda _text: self._update_echo(widgets))
        return widgets

    def _update_echo(self, widgets) -> None:
        name, value = widgets["name"].text().strip(), widgets["value"].text()
        secret = is_secret_name(name) or is_secret(name, value)
        hidden = secret and not self._reveal
        echo = QLineEdit.EchoMode.Password if hidden else QLineEdit.EchoMode.Normal
        if widgets["value"].echoMode() != echo:
            widgets["value"].setEchoMode(echo)
        if secret and value and not is_secret_name(name):
            # A secret by its shape: the tooltip still tells what it is (postgres://app:••••••@db/x).
            tip = f"Holds a secret: shown as dots, and never written in plain text by Portside.\n{masked_value(name, value)}"
        elif secret:
            tip = "Looks like a secret: shown as dots, and never written in plain text by Portside."
        else:
            tip = ""
        widgets["value"].setToolTip(tip)
        if value and widgets["value"].placeholderText() == self.NOT_KEPT_PLACEHOLDER:
            widgets["value"].setPlaceholderText(self.VALUE_PLACEHOLDER)

    def _read_row(self, widgets) -> EnvVar:
        return EnvVar(widgets["name"].text().strip(), widgets["value"].text())

    def _write_row(self, widgets, value: EnvVar) -> None:
        widgets["name"].setText(value.name)
        widgets["value"].setText(value.value)
        self._update_echo(widgets)

    def merge(self, variables: Iterable[EnvVar]) -> None:
        """Adds variables; a name already in the table takes the new value (as a later --env-file line would)."""
        by_name = {widgets["name"].text().strip(): widgets for widgets in self._rows}
        for variable in variables:
            widgets = by_name.get(variable.name)
            if widgets is None:
                self.add_row(variable)
                by_name[variable.name] = self._rows[-1]
            else:
                widgets["value"].setText(variable.value)
        self.changed.emit()


class MountsTable(RowTable):
    HEADERS = ("Kind", "Source", "Path in the container", "Read-only")
    ADD_TEXT = "Add folder or volume"
    STRETCH_COLUMNS = (1, 2)
    KINDS = (("bind", "Host folder"), ("volume", "Named volume"))

    def _make_widgets(self, row: int) -> dict[str, QWidget]:
        kind = QComboBox(self.table)
        for key, text in self.KINDS:
            kind.addItem(text, key)
        source = self._line_edit("/home/you/data")
        browse = QToolButton(self.table)
        browse.setText("…")
        browse.setToolTip("Choose a folder on this computer")
        browse.setAccessibleName("Choose a folder")
        browse.setAutoRaise(True)
        source_box = QWidget(self.table)
        box = QHBoxLayout(source_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(source, 1)
        box.addWidget(browse)
        source_box.setFocusProxy(source)
        target = self._line_edit("/data")
        read_only = QCheckBox(self.table)
        read_only.setToolTip("The container can read but not change these files (readonly).")
        widgets = {
            "kind": kind,
            "source_box": source_box,
            "target": target,
            "read_only": read_only,
            "source": source,
            "browse": browse,
        }  # the first four are the cells
        kind.currentIndexChanged.connect(lambda _index: self._update_kind(widgets))
        browse.clicked.connect(lambda: self._browse(widgets))
        return widgets

    def add_row(self, value=None) -> int:
        row = super().add_row(value)
        widgets = self._rows[row]
        self._update_kind(widgets)
        return row

    def _focusable(self, widgets) -> list[QWidget]:
        return [widgets[key] for key in ("kind", "source", "browse", "target", "read_only", "_remove")]

    def _update_kind(self, widgets) -> None:
        bind = widgets["kind"].currentData() == "bind"
        widgets["browse"].setVisible(bind)
        widgets["source"].setPlaceholderText("/home/you/data" if bind else "my-data")
        widgets["source"].setToolTip(
            "An absolute folder (or file) on this computer."
            if bind
            else "A Docker volume's name; Docker creates it when it does not exist yet."
        )

    def _browse(self, widgets) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder to share with the container", widgets["source"].text())
        if folder:
            widgets["source"].setText(folder)

    def _read_row(self, widgets) -> MountSpec:
        return MountSpec(
            kind=widgets["kind"].currentData(),
            source=widgets["source"].text().strip(),
            target=widgets["target"].text().strip(),
            read_only=widgets["read_only"].isChecked(),
        )

    def _write_row(self, widgets, value: MountSpec) -> None:
        index = widgets["kind"].findData(value.kind)
        widgets["kind"].setCurrentIndex(max(index, 0))
        widgets["source"].setText(value.source)
        widgets["target"].setText(value.target)
        widgets["read_only"].setChecked(value.read_only)
