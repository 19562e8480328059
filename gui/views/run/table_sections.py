"""The Run dialog's table tabs: Ports, Environment and Volumes, each a RowTable with its problems listed under
it and marked on the rows."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from gui.core.run.context import RunContext
from gui.core.run.spec import Problem, RunSpec
from gui.views.run.sections import Section
from gui.views.run.tables import EnvTable, MountsTable, PortsTable
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import colour_style


class _TableSection(Section):
    """A table of rows, with its problems listed under it and marked on the rows."""

    def __init__(self, table, field: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.table = table
        self.field = field
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(table, 1)
        self._add_problem_labels(field, self.layout_)
        table.changed.connect(self.changed)

    def show_problems(self, problems: list[Problem]) -> None:
        super().show_problems(problems)
        self.table.mark_problems([problem for problem in problems if problem.field == self.field])

    def display_row(self, problem: Problem) -> int | None:
        # Problems count values; the table may also hold empty rows, which are not values.
        row = self.table.row_of(problem.row) if problem.row is not None else None
        return row + 1 if row is not None else None


class PortsSection(_TableSection):
    TITLE = "Ports"
    FIELDS = ("ports",)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(PortsTable(), "ports", parent)
        self.table.setObjectName("run-ports")
        self.table.table.setAccessibleName("Published ports")
        self.table.table.horizontalHeaderItem(0).setToolTip(
            "Port publishing: connections to this port of your computer go to the container port (-p HOST:CONTAINER)."
        )
        self.table.table.horizontalHeaderItem(1).setToolTip("The port the app listens on inside the container.")
        self.exposed_label = QLabel(self)
        self.exposed_label.setWordWrap(True)
        self.publish_all_box = QCheckBox(
            "Also publish every port the image exposes, each on a random host port (--publish-all)", self
        )
        self.publish_all_box.setObjectName("run-publish-all")
        self.publish_all_box.setToolTip("-P publishes on all interfaces, not only 127.0.0.1.")
        self.layout_.insertWidget(0, self.exposed_label)
        self.layout_.insertWidget(2, self.publish_all_box)
        self._connect(self.publish_all_box)

    def set_context(self, context: RunContext) -> None:
        exposed = ", ".join(f"{port}/{protocol}" for port, protocol in context.exposed_ports)
        self.exposed_label.setText(
            (f"The image exposes {exposed}. " if exposed else "The image declares no ports. ")
            + "Ports are published on 127.0.0.1 only, so only this computer can reach them, unless you tick "
            "All interfaces."
        )

    def load(self, spec: RunSpec) -> None:
        self.table.set_values(spec.ports)
        self.publish_all_box.setChecked(spec.publish_all)

    def values(self) -> dict:
        return {"ports": self.table.values(), "publish_all": self.publish_all_box.isChecked()}


class EnvSection(_TableSection):
    TITLE = "Environment"
    FIELDS = ("env",)
    importRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(EnvTable(), "env", parent)
        self.table.setObjectName("run-env")
        self.table.table.setAccessibleName("Environment variables")
        self.import_button = QPushButton("Import .env…", self)
        self.import_button.setAutoDefault(False)
        self.import_button.setToolTip("Add the variables of a .env file (NAME=value lines), as --env-file would.")
        self.import_button.clicked.connect(self.importRequested)
        self.reveal_box = QCheckBox("Show secret values", self)
        self.reveal_box.setObjectName("run-reveal")
        self.reveal_box.toggled.connect(self.table.set_reveal)
        self.table.buttons.insertWidget(1, self.import_button)
        self.table.buttons.addWidget(self.reveal_box)
        QWidget.setTabOrder(self.table.add_button, self.import_button)
        self.note_label = message_label(
            self,
            "env-note",
            "Secrets (names such as API_KEY or HF_TOKEN, values such as ghp_… tokens or a password in a "
            "URL) are shown as dots and masked in the command below. Portside keeps them only in the "
            "system keyring, never in a plain file.",
        )
        self.import_label = message_label(self, "env-import", hidden=True)
        self.layout_.insertWidget(0, self.note_label)
        self.layout_.addWidget(self.import_label)

    def show_import_report(self, text: str, warning: bool) -> None:
        self.import_label.setStyleSheet(colour_style("warning") if warning else "")
        show_message(self.import_label, text)

    def load(self, spec: RunSpec) -> None:
        self.table.set_values(spec.env)

    def values(self) -> dict:
        return {"env": self.table.values()}


class VolumesSection(_TableSection):
    TITLE = "Volumes"
    FIELDS = ("mounts",)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(MountsTable(), "mounts", parent)
        self.table.setObjectName("run-mounts")
        self.table.table.setAccessibleName("Folders and volumes")
        self.table.table.horizontalHeaderItem(0).setToolTip(
            "A host folder (a bind mount) shares a folder of this computer; a named volume is storage Docker keeps, "
            "which outlives the container."
        )
        self.table.table.horizontalHeaderItem(2).setToolTip("Where the files appear inside the container.")
        hint = QLabel(
            "Share a folder of this computer (a bind mount) or keep data in a named volume that outlives "
            "the container. A host folder must exist: Portside uses --mount, which refuses a missing "
            "folder instead of quietly creating an empty one.",
            self,
        )
        hint.setWordWrap(True)
        self.layout_.insertWidget(0, hint)

    def load(self, spec: RunSpec) -> None:
        self.table.set_values(spec.mounts)

    def values(self) -> dict:
        return {"mounts": self.table.values()}
