"""The wizard's pages on how the container runs: files and start command, then good practice and environment
variables."""

from __future__ import annotations

import html
import json
import re
import shlex
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from gui.core.dockerfile.recipe import AppKind
from gui.core.format import human_bytes
from gui.core.secrets import secret_problem
from gui.views.dockerfile.wizard_page import WizardPage, fixed_font, with_error
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import colour_style, error_label_style

if TYPE_CHECKING:
    from gui.views.dockerfile.wizard import DockerfileWizard

ENV_NAME_HINT = "e.g. MODEL_NAME"


# 5. Files and start ---------------------------------------------------------------------------------


class FilesPage(WizardPage):
    FIELDS = ("workdir", "port", "command")

    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner,
            "Files and start command",
            "Where your files go inside the image, the port your app listens on, and the command that starts it.",
        )
        self.filled_for: tuple | None = None
        self.workdir_edit = QLineEdit(self)
        self.workdir_edit.setObjectName("wizard-workdir")
        self.workdir_edit.setPlaceholderText("/app")
        self.port_edit = QLineEdit(self)
        self.port_edit.setObjectName("wizard-port")
        self.port_edit.setPlaceholderText("none: the app serves nothing over the network")
        self.command_edit = QLineEdit(self)
        self.command_edit.setObjectName("wizard-command")
        self.command_edit.setFont(fixed_font())
        self.command_edit.setPlaceholderText("e.g. python app.py")
        self.workdir_error = message_label(self, "wizard-workdir-error", style=error_label_style(), hidden=True)
        self.port_error = message_label(self, "wizard-port-error", style=error_label_style(), hidden=True)
        self.command_error = message_label(self, "wizard-command-error", style=error_label_style(), hidden=True)
        self.port_hint = message_label(self, "wizard-port-hint", hidden=True)
        self.command_preview = message_label(self, "wizard-command-preview", hidden=True)
        self.command_preview.setTextFormat(Qt.TextFormat.RichText)
        self.command_preview.setFont(fixed_font())
        self.files_note = QLabel(self)
        self.files_note.setWordWrap(True)
        self.errors = {"workdir": self.workdir_error, "port": self.port_error, "command": self.command_error}

        form = QFormLayout()
        for text, edit, error, *more in (
            ("&Working directory:", self.workdir_edit, self.workdir_error),
            ("&Port:", self.port_edit, self.port_error, self.port_hint),
            ("&Start command:", self.command_edit, self.command_error, self.command_preview),
        ):
            label = QLabel(text, self)
            label.setBuddy(edit)
            form.addRow(label, with_error(edit, error, *more))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.files_note)
        layout.addStretch(1)
        for edit in (self.workdir_edit, self.port_edit, self.command_edit):
            edit.textChanged.connect(lambda _text: self._update())

    # Parsing what was typed

    def port_text_problem(self) -> str | None:
        text = self.port_edit.text().strip()
        if text and not text.isdigit():
            return "The port is a whole number from 1 to 65535, such as 8000, or empty when nothing listens."
        return None

    def port(self) -> int | None:
        text = self.port_edit.text().strip()
        return int(text) if text.isdigit() else None

    def command_text_problem(self) -> str | None:
        try:
            shlex.split(self.command_edit.text())
        except ValueError as exc:
            if "quotation" in str(exc):
                return "The start command has a quote that is never closed. Close it, or remove it."
            return "The start command ends with a lone backslash. Remove it, or put something after it."
        return None

    def command(self) -> tuple[str, ...]:
        try:
            return tuple(shlex.split(self.command_edit.text()))
        except ValueError:
            return ()

    def spec_changes(self, kind: AppKind) -> dict:
        if self.filled_for != (id(self.owner.scan), kind):
            return {}
        return {"workdir": self.workdir_edit.text().strip(), "port": self.port(), "command": self.command()}

    def initializePage(self) -> None:
        kind = self.owner.kind()
        key = (id(self.owner.scan), kind)
        if self.filled_for != key:
            defaults = self.owner.default_spec(kind)
            self.filled_for = key
            for edit, text in (
                (self.workdir_edit, defaults.workdir),
                (self.port_edit, "" if defaults.port is None else str(defaults.port)),
                (self.command_edit, shlex.join(defaults.command)),
            ):
                edit.blockSignals(True)
                edit.setText(text)
                edit.blockSignals(False)
            scan = self.owner.scan
            kind_port = kind.default_port if kind else None
            self.port_hint.setText(
                f"{kind.title if kind else 'This kind'} usually listens on {kind_port}. "
                "The Run dialog publishes it on your machine."
                if kind_port
                else "Leave it empty if the app serves nothing over the network."
            )
            self.port_hint.setVisible(True)
            self.files_note.setText(
                "Everything in the project folder is copied into the working directory, except what "
                ".dockerignore leaves out (Git history, virtual environments, caches"
                + (
                    ", and large data and model files unless you include them on the next page"
                    if scan and scan.model_files
                    else ""
                )
                + "). You see the .dockerignore on the Review page."
            )
        self._update()

    def _update(self) -> None:
        if self.filled_for is None:
            return
        problems = self.problems()
        own = {"port": self.port_text_problem(), "command": self.command_text_problem()}
        for field, label in self.errors.items():
            show_message(label, own.get(field) or problems.get(field))
        command = self.command()
        if command and not own["command"]:
            # Lines break between the parts, never inside one ("--port=8000" stays whole).
            parts = [
                f"<span style='white-space:pre'>{html.escape(_json_string(part))}"
                f"{',' if index < len(command) - 1 else ''}</span>"
                for index, part in enumerate(command)
            ]
            show_message(self.command_preview, f"In the Dockerfile: CMD [{' '.join(parts)}]")
        else:
            show_message(self.command_preview, None)
        self.refresh()

    def isComplete(self) -> bool:
        if self.filled_for is None or self.port_text_problem() or self.command_text_problem():
            return False
        problems = self.problems()
        return not any(field in problems for field in self.FIELDS)


def _json_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# 6. Good practice -----------------------------------------------------------------------------------


class PracticePage(WizardPage):
    def __init__(self, owner: DockerfileWizard):
        super().__init__(
            owner,
            "Good practice",
            "Options that make the image smaller, safer and easier to run. The defaults suit most apps.",
        )
        self.filled_for: tuple | None = None
        self._secret_typed = False
        self.multi_stage_check = QCheckBox("&Multi-stage build", self)
        self.multi_stage_check.setObjectName("wizard-multi-stage")
        self.non_root_check = QCheckBox("Run as a &non-root user", self)
        self.non_root_check.setObjectName("wizard-non-root")
        self.healthcheck_check = QCheckBox("Add a &HEALTHCHECK", self)
        self.healthcheck_check.setObjectName("wizard-healthcheck")
        self.healthcheck_note = message_label(self, "wizard-healthcheck-note", hidden=True)
        self.healthcheck_note.setContentsMargins(self._indent(), 0, 0, 0)
        # A choice here can clash with an earlier page (Jupyter refuses to run as root, say).
        self.options_error = message_label(self, "wizard-options-error", style=error_label_style(), hidden=True)
        self.data_check = QCheckBox("Include large &data and model files in the image", self)
        self.data_check.setObjectName("wizard-include-data")
        self.data_note = self._explanation("")
        self.env_box = QGroupBox("Environment variables", self)
        self.env_intro = QLabel(
            "Settings baked into the image with ENV. Secrets (keys, tokens, passwords) "
            "never go here: they are asked for when the container runs.",
            self.env_box,
        )
        self.env_intro.setWordWrap(True)
        self.env_name_edit = QLineEdit(self.env_box)
        self.env_name_edit.setObjectName("wizard-env-name")
        self.env_name_edit.setPlaceholderText(ENV_NAME_HINT)
        self.env_value_edit = QLineEdit(self.env_box)
        self.env_value_edit.setObjectName("wizard-env-value")
        self.env_value_edit.setPlaceholderText("value")
        self.env_add_button = QPushButton("&Add", self.env_box)
        self.env_add_button.setObjectName("wizard-env-add")
        self.env_error = message_label(self, "wizard-env-error", style=error_label_style(), hidden=True)
        self.secret_label = message_label(self, "wizard-secret-note", style=colour_style("warning"), hidden=True)
        self.env_table = QTableWidget(0, 2, self.env_box)
        self.env_table.setObjectName("wizard-env-table")
        self.env_table.setHorizontalHeaderLabels(["Name", "Value"])
        self.env_table.horizontalHeader().setStretchLastSection(True)
        self.env_table.verticalHeader().setVisible(False)
        self.env_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.env_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.env_remove_button = QPushButton("Remove", self.env_box)
        self.runtime_label = QLabel("Asked for at run time (never stored in the image):", self.env_box)
        self.runtime_list = QListWidget(self.env_box)
        self.runtime_list.setObjectName("wizard-runtime-env")
        self.runtime_remove_button = QPushButton("Remove", self.env_box)
        lines = self.fontMetrics().lineSpacing()
        for view in (self.env_table, self.runtime_list):
            view.setMinimumHeight(lines * 4)

        env = QVBoxLayout(self.env_box)
        env.addWidget(self.env_intro)
        entry = QHBoxLayout()
        entry.addWidget(self.env_name_edit, 2)
        entry.addWidget(QLabel("=", self.env_box))
        entry.addWidget(self.env_value_edit, 3)
        entry.addWidget(self.env_add_button)
        env.addLayout(entry)
        env.addWidget(self.env_error)
        env.addWidget(self.secret_label)
        tables = QHBoxLayout()
        baked = QVBoxLayout()
        baked.addWidget(QLabel("Baked into the image (ENV):", self.env_box))
        baked.addWidget(self.env_table)
        baked.addWidget(self.env_remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        asked = QVBoxLayout()
        asked.addWidget(self.runtime_label)
        asked.addWidget(self.runtime_list)
        asked.addWidget(self.runtime_remove_button, 0, Qt.AlignmentFlag.AlignLeft)
        tables.addLayout(baked, 3)
        tables.addLayout(asked, 2)
        env.addLayout(tables)

        layout = QVBoxLayout(self)
        for check, explanation in (
            (
                self.multi_stage_check,
                "Compilers and build tools stay in a builder stage; the image you run "
                "gets only the installed packages, on a slim base.",
            ),
            (
                self.non_root_check,
                "A bug in the app, or an attacker using one, cannot change the system inside the container.",
            ),
            (
                self.healthcheck_check,
                "Docker asks the app over HTTP every 30 seconds whether it still "
                "answers, and marks it unhealthy when it does not.",
            ),
        ):
            layout.addWidget(check)
            layout.addWidget(self._explanation(explanation))
        layout.addWidget(self.healthcheck_note)
        layout.addWidget(self.options_error)
        layout.addWidget(self.data_check)
        layout.addWidget(self.data_note)
        layout.addWidget(self.env_box, 1)

        for check in (self.multi_stage_check, self.non_root_check, self.healthcheck_check, self.data_check):
            check.toggled.connect(lambda _checked: self._update())
        self.env_name_edit.textChanged.connect(lambda _text: self._update())
        # Enter in a variable's fields adds it (and does not press Next, the dialog's default button).
        self.env_name_edit.installEventFilter(self)
        self.env_value_edit.installEventFilter(self)
        self.env_add_button.clicked.connect(self.add_variable)
        self.env_remove_button.clicked.connect(self._remove_variable)
        self.runtime_remove_button.clicked.connect(self._remove_runtime)

    def eventFilter(self, watched, event) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and watched in (self.env_name_edit, self.env_value_edit)
            and self.env_name_edit.text().strip()
        ):
            self.add_variable()
            return True
        return super().eventFilter(watched, event)

    def _explanation(self, text: str) -> QLabel:
        """A line under a check box, indented to its text."""
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setContentsMargins(self._indent(), 0, 0, 0)
        return label

    def _indent(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth) + self.style().pixelMetric(
            QStyle.PixelMetric.PM_CheckBoxLabelSpacing
        )

    # Values

    def env(self) -> tuple[tuple[str, str], ...]:
        return tuple(
            (self.env_table.item(row, 0).text(), self.env_table.item(row, 1).text())
            for row in range(self.env_table.rowCount())
        )

    def runtime_env(self) -> tuple[str, ...]:
        return tuple(self.runtime_list.item(row).text() for row in range(self.runtime_list.count()))

    def spec_changes(self, kind: AppKind) -> dict:
        changes = {"env": self.env(), "runtime_env": self.runtime_env()}
        if self.filled_for == (id(self.owner.scan), kind):
            changes.update(
                multi_stage=self.multi_stage_check.isChecked(),
                non_root=self.non_root_check.isChecked(),
                healthcheck=self.healthcheck_check.isChecked(),
                include_data=self.data_check.isChecked(),
            )
        return changes

    def initializePage(self) -> None:
        kind = self.owner.kind()
        key = (id(self.owner.scan), kind)
        if self.filled_for != key:
            defaults = self.owner.default_spec(kind)
            self.filled_for = key
            for check, value in (
                (self.multi_stage_check, defaults.multi_stage),
                (self.non_root_check, defaults.non_root),
                (self.healthcheck_check, defaults.healthcheck),
                (self.data_check, defaults.include_data),
            ):
                check.blockSignals(True)
                check.setChecked(value)
                check.blockSignals(False)
            scan = self.owner.scan
            if scan and scan.model_files:
                self.data_note.setText(
                    f"The folder has {len(scan.model_files)} model file{'s' if len(scan.model_files) != 1 else ''}"
                    f" ({human_bytes(scan.model_bytes)}). Left out, the image stays small and you mount them when "
                    "the container runs (a volume); included, the image carries them everywhere it goes."
                )
            else:
                self.data_note.setText(
                    "Left out by default: data and model files are better mounted when the "
                    "container runs (a volume) than copied into every image."
                )
        port = self.owner.files_page.port() if self.owner.files_page.filled_for else self.owner.spec().port
        if port is None:
            self.healthcheck_check.blockSignals(True)
            self.healthcheck_check.setChecked(False)
            self.healthcheck_check.blockSignals(False)
        self.healthcheck_check.setEnabled(port is not None)
        show_message(
            self.healthcheck_note,
            None
            if port is not None
            else "A health check needs a port to ask; this app has none (see Files and start).",
        )
        self._update()

    # Variables

    def _name_problem(self, name: str) -> str | None:
        if not name:
            return None
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return (
                "A variable name has letters, digits and underscores only, and does not start with a digit "
                "(for example MODEL_NAME)."
            )
        return None

    def add_variable(self) -> None:
        name = self.env_name_edit.text().strip()
        value = self.env_value_edit.text()
        if not name or self._name_problem(name):
            self._update()
            return
        why = secret_problem(name)
        if why:
            # Refused as ENV: the value would be readable by anyone with the image. Ask for it at run time.
            self._remove_rows_named(name)
            if name not in self.runtime_env():
                item = QListWidgetItem(name)
                item.setToolTip(why)
                self.runtime_list.addItem(item)
            show_message(
                self.secret_label,
                f"{why} {name} was moved to the variables asked for at run "
                "time" + (", and its value was not kept." if value else "."),
            )
            self._secret_typed = False
        else:
            self._remove_rows_named(name)
            for row in range(self.runtime_list.count() - 1, -1, -1):
                if self.runtime_list.item(row).text() == name:
                    self.runtime_list.takeItem(row)
            row = self.env_table.rowCount()
            self.env_table.insertRow(row)
            self.env_table.setItem(row, 0, QTableWidgetItem(name))
            self.env_table.setItem(row, 1, QTableWidgetItem(value))
        self.env_name_edit.clear()
        self.env_value_edit.clear()
        self.env_name_edit.setFocus()
        self._update()

    def _remove_rows_named(self, name: str) -> None:
        for row in range(self.env_table.rowCount() - 1, -1, -1):
            if self.env_table.item(row, 0).text() == name:
                self.env_table.removeRow(row)

    def _remove_variable(self) -> None:
        rows = sorted({index.row() for index in self.env_table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.env_table.removeRow(row)
        self._update()

    def _remove_runtime(self) -> None:
        for item in self.runtime_list.selectedItems():
            self.runtime_list.takeItem(self.runtime_list.row(item))
        if not self.runtime_list.count():
            show_message(self.secret_label, None)
        self._update()

    def _update(self) -> None:
        if self.filled_for is None:
            return
        name = self.env_name_edit.text().strip()
        problem = self._name_problem(name)
        spec_problems = self.problems()
        problem = problem or spec_problems.get("env") or spec_problems.get("runtime_env")
        show_message(self.env_error, problem)
        others = [text for field, text in spec_problems.items() if field not in ("env", "runtime_env")]
        show_message(self.options_error, "\n".join(others))
        if name and not problem and secret_problem(name):
            # Said before Add is pressed, so nobody types a real key into the value field for nothing.
            self.env_add_button.setText("&Ask at Run Time")
            show_message(self.secret_label, secret_problem(name))
            self._secret_typed = True
        else:
            self.env_add_button.setText("&Add")
            if self._secret_typed:  # the hint was about the name being typed, which is gone now
                self._secret_typed = False
                show_message(self.secret_label, None)
        self.env_add_button.setEnabled(bool(name) and not self._name_problem(name))
        self.refresh()

    def validatePage(self) -> bool:
        if self.env_name_edit.text().strip():
            self.add_variable()  # a variable typed but not added is still what the user meant
        return self.isComplete()

    def isComplete(self) -> bool:
        # The last page with choices: nothing goes to Review that the spec finds wrong, whichever page set it.
        if self.filled_for is None or self._name_problem(self.env_name_edit.text().strip()):
            return False
        return not self.problems()
