"""The build dialog's build arguments: one row per NAME and value, secret values shown as dots until revealed, as
the Run dialog shows environment variables (gui.core.secrets says what a secret is, by name and by value).

NAME=value typed or pasted into a name cell (several lines at once too) is split into rows, the value into its own
cell, so a secret never shows in the name column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QVBoxLayout, QWidget

from gui.core.run.spec import EnvVar
from gui.views.run.tables import EnvTable


class BuildArgsTable(EnvTable):
    ADD_TEXT = "Add build argument"
    VALUE_PLACEHOLDER = "value"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # RowTable measures its rows on a line edit and a combo box of its own, deleted on the next turn of the
        # event loop; until then they would count as nameless fields of the dialog that opens at once.
        for kind in (QLineEdit, QComboBox):
            for probe in self.findChildren(kind, options=Qt.FindChildOption.FindDirectChildrenOnly):
                probe.hide()

    def _make_widgets(self, row: int) -> dict[str, QWidget]:
        widgets = super()._make_widgets(row)
        widgets["name"].setPlaceholderText("NAME (an ARG of the Dockerfile)")
        widgets["name"].textChanged.connect(lambda _text: self._split_assignments(widgets))
        return widgets

    def _split_assignments(self, widgets: dict[str, QWidget]) -> None:
        name_edit, value_edit = widgets["name"], widgets["value"]
        assert isinstance(name_edit, QLineEdit) and isinstance(value_edit, QLineEdit)
        text = name_edit.text()
        if "=" not in text and "\n" not in text:
            return
        first, *more = [line.strip() for line in text.splitlines() if line.strip()] or [""]
        name, equals, value = first.partition("=")
        name_edit.setText(name.strip())  # setText also clears the undo history, which held the value
        if value:
            value_edit.setText(value)
        if equals and not more:
            value_edit.setFocus()  # typing goes on in the value, shown as dots when it is a secret
            value_edit.end(False)
        for line in more:
            name, _equals, value = line.partition("=")
            self.add_row(EnvVar(name.strip(), value))
        self.changed.emit()

    def build_args(self) -> tuple[tuple[str, str], ...]:
        return tuple((variable.name, variable.value) for variable in self.values())


class BuildArgsSection(QWidget):
    """The table and its "Show secret values" box."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = BuildArgsTable(self)
        self.table.setObjectName("build-args")
        self.table.table.setAccessibleName("Build arguments")
        self.table.table.setToolTip(
            "Values for ARG lines of the Dockerfile (docker build --build-arg NAME=value). Secrets are shown as "
            "dots, here and in the command."
        )
        # Two rows in view at least, four at most (then it scrolls), whatever the font and scale.
        rows = self.table.table.verticalHeader().defaultSectionSize()
        header = self.table.table.horizontalHeader().sizeHint().height()
        frame = 2 * self.table.table.frameWidth() + rows // 2  # and room for the bottom edge of the last row
        self.table.table.setMinimumHeight(header + 2 * rows + frame)
        self.table.table.setMaximumHeight(header + 4 * rows + frame)
        self.reveal_box = QCheckBox("Show secret values", self)
        self.reveal_box.setObjectName("build-args-reveal")
        self.reveal_box.toggled.connect(self.table.set_reveal)
        self.table.buttons.addWidget(self.reveal_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
