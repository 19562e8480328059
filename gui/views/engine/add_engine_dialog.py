"""Add engine: a docker context written as `docker context create` writes it, so the docker CLI sees it too.

The form is checked as it is typed (the CLI's rules for the name, the address for its kind, the TLS files chosen)
and shows its CLI twin; Test connection diagnoses the typed engine in a worker, Add writes the context in a worker.
Nothing here touches the disk or the network on the GUI thread."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.core.engine import help as engine_help
from gui.core.engine.connection import Diagnosis
from gui.core.engine.context_writer import NewContext, name_problem, write_context
from gui.core.engine.engine_address import KINDS, PLACEHOLDERS, PLAIN, PLAIN_WARNING, TLS, TypedEngine, diagnose_typed
from gui.core.errors import EngineError
from gui.views.widgets import style
from gui.views.widgets.feedback import message_label, show_message
from gui.workers.tasks import TaskRunner

PEM_FILTER = "PEM files (*.pem *.crt *.cert *.key);;All files (*)"
TLS_FIELDS = (  # attribute, label, what the file is
    ("ca", "&CA certificate", "the CA certificate (ca.pem)"),
    ("cert", "Client c&ertificate", "your client certificate (cert.pem)"),
    ("key", "Client &key", "your client certificate's key (key.pem)"),
)


class AddEngineDialog(QDialog):
    engineAdded = Signal(str)  # the new context's name, written where the docker CLI keeps it
    switchRequested = Signal(str)  # the new context's name, when "Switch to it now" is ticked
    commandIssued = Signal(str, str)  # the CLI twin of what was done, and what it did (for the Commands panel)

    def __init__(self, existing: Iterable[str] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("add-engine-dialog")
        self.setWindowTitle("Add engine")
        self.existing = set(existing)  # the contexts' names: a new one must differ
        self._tasks = TaskRunner(self, max_threads=1)
        self._busy = False

        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("engine-name")
        self.name_edit.setPlaceholderText("gpu-box")
        self.name_edit.setToolTip("The docker context's name: docker --context NAME … uses it in a terminal")
        self.description_edit = QLineEdit(self)
        self.description_edit.setObjectName("engine-description")
        self.description_edit.setPlaceholderText("optional, e.g. the lab's GPU server")
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("engine-kind")
        for kind, label in KINDS.items():
            self.kind_combo.addItem(label, kind)
        self.address_edit = QLineEdit(self)
        self.address_edit.setObjectName("engine-address")
        self.tls_edits: dict[str, QLineEdit] = {}
        self.plain_warning = message_label(
            self, "engine-plain-warning", PLAIN_WARNING, style=style.colour_style("warning"), hidden=True
        )
        self.problem_label = message_label(self, "engine-problem", style=style.error_label_style(), hidden=True)
        self.preview = message_label(self, "engine-command")
        style.set_secondary(self.preview)
        self.status_label = message_label(self, "engine-status", hidden=True)
        self.switch_box = QCheckBox("&Switch to it now", self)
        self.switch_box.setObjectName("engine-switch")
        self.switch_box.setChecked(True)

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Description", self.description_edit)
        form.addRow("&Reach it by", self.kind_combo)
        form.addRow("&Address", self.address_edit)
        for attribute, text, what in TLS_FIELDS:  # shown for TCP with TLS only
            row = self._file_row(attribute, what)
            label = QLabel(text, self)
            label.setBuddy(self.tls_edits[attribute])
            form.addRow(label, row)
        self.form = form
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.test_button = self.buttons.addButton("&Test connection", QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.setObjectName("engine-test")
        self.add_button = self.buttons.addButton("&Add", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("engine-add")
        self.add_button.setDefault(True)
        self.test_button.clicked.connect(self.test_connection)
        self.buttons.accepted.connect(self.add)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for widget in (self.plain_warning, self.problem_label, self.preview, self.switch_box, self.status_label):
            layout.addWidget(widget)
        layout.addWidget(self.buttons)

        for edit in (self.name_edit, self.description_edit, self.address_edit, *self.tls_edits.values()):
            edit.textChanged.connect(self._update)
        self.kind_combo.currentIndexChanged.connect(self._update)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)
        self._update()
        self.name_edit.setFocus()

    def _file_row(self, attribute: str, what: str) -> QHBoxLayout:
        edit = QLineEdit(self)
        edit.setObjectName(f"engine-{attribute}")
        edit.setPlaceholderText(f"the file of {what}")
        browse = QPushButton("Browse…", self)
        browse.setObjectName(f"engine-{attribute}-browse")
        browse.setAccessibleName(f"Choose {what}")
        browse.clicked.connect(lambda _checked=False: self._choose_file(edit, what))
        self.tls_edits[attribute] = edit
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(browse)
        return row

    def _choose_file(self, edit: QLineEdit, what: str) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(self, f"Choose {what}", edit.text(), PEM_FILTER)
        if chosen:
            edit.setText(chosen)

    # What is typed ---------------------------------------------------------------------------------------------

    def kind(self) -> str:
        return self.kind_combo.currentData()

    def typed_engine(self) -> TypedEngine:
        files = {attribute: edit.text().strip() for attribute, edit in self.tls_edits.items()}
        return TypedEngine(self.kind(), self.address_edit.text().strip(), **files)

    def new_context(self) -> NewContext:
        """The context the form describes (its host only once the address is valid)."""
        engine = self.typed_engine()
        host = engine.host() if engine.problem() is None else "URL"
        ca, cert, key = engine.tls_files
        name = self.name_edit.text().strip()
        return NewContext(name, host, self.description_edit.text().strip(), ca, cert, key)

    def address_problem(self) -> str | None:
        return self.typed_engine().problem()

    def form_problem(self) -> str | None:
        return name_problem(self.name_edit.text().strip(), self.existing) or self.address_problem()

    def _update(self) -> None:
        kind = self.kind()
        self.address_edit.setPlaceholderText(PLACEHOLDERS[kind])
        for row in range(self.form.rowCount() - len(TLS_FIELDS), self.form.rowCount()):
            self.form.setRowVisible(row, kind == TLS)
        self.plain_warning.setVisible(kind == PLAIN)
        # An empty name is not an error yet: the dialog has just opened.
        problem = self.form_problem() if self.name_edit.text() else self.address_problem()
        show_message(self.problem_label, problem)
        self.preview.setText(self.new_context().command())
        self.add_button.setEnabled(not self._busy and self.form_problem() is None)
        self.test_button.setEnabled(not self._busy and self.address_problem() is None)

    def _set_busy(self, busy: bool, status: str = "") -> None:
        self._busy = busy
        show_message(self.status_label, status)
        self._update()

    # Test connection and Add -----------------------------------------------------------------------------------

    def test_connection(self) -> None:
        if self._busy or self.address_problem():
            return
        engine, name = self.typed_engine(), self.name_edit.text().strip()
        self._set_busy(True, f"Connecting to {engine.host()}…")
        self._tasks.submit(lambda: diagnose_typed(engine, name), self._tested, self._failed)

    def _tested(self, diagnosis: Diagnosis) -> None:
        line = engine_help.status_line(diagnosis)
        if diagnosis.usable:
            self._set_busy(False, f"Connected: {line}.")
        else:
            detail = f" ({diagnosis.detail})" if diagnosis.detail else ""
            self._set_busy(False, f"Not connected: {line}{detail}. Check the address and try again.")

    def add(self) -> None:
        problem = self.form_problem()
        if self._busy or problem:
            show_message(self.problem_label, problem)
            return
        context = self.new_context()
        self._set_busy(True, f"Adding the docker context '{context.name}'…")
        self._tasks.submit(lambda: write_context(context), lambda _path: self._added(context), self._failed)

    def _added(self, context: NewContext) -> None:
        self._set_busy(False, f"Added the docker context '{context.name}'.")
        self.commandIssued.emit(context.command(), f"add the engine {context.name}")
        self.engineAdded.emit(context.name)
        if self.switch_box.isChecked():
            self.switchRequested.emit(context.name)
        self.accept()

    def _failed(self, error: EngineError) -> None:
        self._set_busy(False)
        show_message(self.problem_label, error.message)
