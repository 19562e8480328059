"""The Run dialog's tabs share one shape, the `Section` base: what the user types, read back as RunSpec fields.

A section knows its own widgets only: `load(spec)` fills them, `values()` returns RunSpec keyword arguments,
`show_problems(problems)` puts each message next to its field, and `changed` says the user edited something.
No engine, no disk: the dialog does that through the session's workers. The tabs themselves live in
form_sections (General, Resources, Advanced), table_sections (Ports, Environment, Volumes) and gpu_section."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.core.run.context import RunContext
from gui.core.run.spec import Problem, RunSpec
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import colour_style, error_label_style, set_secondary


class Section(QWidget):
    changed = Signal()
    TITLE = ""
    FIELDS: tuple[str, ...] = ()  # the Problem.field values shown in this section

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._errors: dict[str, QLabel] = {}  # field -> the error label under it
        self._warnings: dict[str, QLabel] = {}

    def load(self, spec: RunSpec) -> None:
        raise NotImplementedError

    def values(self) -> dict:
        raise NotImplementedError

    def set_context(self, context: RunContext) -> None:
        """The image's defaults and the host's facts, for placeholders and hints."""

    def show_problems(self, problems: list[Problem]) -> None:
        for field in self._errors:
            own = [problem for problem in problems if problem.field == field]
            self._show(self._errors[field], [p for p in own if not p.warning])
            self._show(self._warnings[field], [p for p in own if p.warning])

    def display_row(self, problem: Problem) -> int | None:
        """The row number the user sees for a problem (from 1), or None."""
        return problem.row + 1 if problem.row is not None else None

    def describe(self, problem: Problem) -> str:
        row = self.display_row(problem)
        return f"Row {row}: {problem.message}" if row is not None else problem.message

    def _show(self, label: QLabel, problems: list[Problem]) -> None:
        show_message(label, "\n".join(self.describe(problem) for problem in problems))

    def _add_problem_labels(self, field: str, layout: QBoxLayout) -> None:
        """The field's warnings, then its errors, hidden until there are some; named `<field>-warning` and
        `<field>-error`."""
        self._warnings[field] = message_label(self, f"{field}-warning", style=colour_style("warning"), hidden=True)
        self._errors[field] = message_label(self, f"{field}-error", style=error_label_style(), hidden=True)
        layout.addWidget(self._warnings[field])
        layout.addWidget(self._errors[field])

    def _form(self) -> QFormLayout:
        """A form at the top of the section; the space left over stays below it."""
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        return form

    def _add_field(
        self,
        form: QFormLayout,
        text: str,
        field: str,
        widget: QWidget | None = None,
        layout: QHBoxLayout | None = None,
        hint: str = "",
        buddy: QWidget | None = None,
    ) -> QLabel | None:
        """A form row: the input, then its hint, warnings and errors right under it. Returns the hint label."""
        box = QVBoxLayout()
        box.setSpacing(2)
        if layout is not None:
            box.addLayout(layout)
        if widget is not None:
            box.addWidget(widget)
        hint_label = None
        if hint:
            hint_label = QLabel(hint, self)
            hint_label.setWordWrap(True)
            set_secondary(hint_label)
            box.addWidget(hint_label)
        self._add_problem_labels(field, box)
        label = QLabel(text, self)
        if buddy or widget:
            label.setBuddy(buddy or widget)
        form.addRow(label, box)
        return hint_label

    def _connect(self, *widgets: QWidget) -> None:
        for widget in widgets:
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self.changed)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.changed)
            elif isinstance(widget, QAbstractButton):
                widget.toggled.connect(self.changed)
            elif isinstance(widget, QSpinBox):
                widget.valueChanged.connect(self.changed)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.changed)
