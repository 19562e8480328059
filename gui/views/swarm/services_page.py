"""Services: the swarm's services, the selected service's tasks (their node and state) below, Scale… and Remove, each
with its `docker service …` twin. The tasks are read again every 2 s while shown, and after service events; an engine
that is not a swarm manager gets a page with one sentence saying what to do. Every engine call runs in a worker."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QSpinBox,
    QTableView,
    QVBoxLayout,
)

from gui.core.errors import EngineError
from gui.core.format import local_time, relative_time
from gui.core.swarm.services import (
    RemoveService,
    ScaleService,
    ServiceRow,
    SwarmServices,
    TaskRow,
    read_services,
    read_tasks,
)
from gui.models.table import Column, RowTableModel
from gui.views.widgets import feedback
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.engine_list_page import EngineListPage
from gui.views.widgets.style import set_secondary
from gui.workers.session import EngineSession

EMPTY_TEXT = (
    "No services in this swarm.\nDeploy a run as a service from the Containers page (Deploy as service…), or with "
    "docker service create or docker stack deploy."
)
TASKS_INTERVAL_MS = 2000  # how often the list and the shown service's tasks are read again

SERVICE_COLUMNS = [
    Column("Name", lambda r: r.name, tooltip=lambda r: f"{r.name} ({r.id[:12]})"),
    Column("Image", lambda r: r.image),
    Column(
        "Mode",
        lambda r: r.mode,
        tooltip=lambda r: "One task on every node." if r.mode == "global" else "A set number of tasks (replicas).",
    ),
    Column("Replicas", lambda r: r.replicas, sort_key=lambda r: (r.running, r.desired or 0)),
    Column("Ports", lambda r: ", ".join(r.ports) or "-"),
]
TASK_COLUMNS = [
    Column("Task", lambda r: r.name, sort_key=lambda r: (r.slot or 0, -(r.updated or 0.0))),
    Column("Node", lambda r: r.node),
    Column("Desired", lambda r: r.desired_state),
    Column("State", lambda r: r.state, tooltip=lambda r: r.error or r.state),
    Column("Ports", lambda r: ", ".join(r.ports) or "-"),
    Column("Error", lambda r: r.error or "-", tooltip=lambda r: r.error),
    Column(
        "Updated",
        lambda r: relative_time(r.updated) if r.updated else "-",
        sort_key=lambda r: r.updated or 0.0,
        tooltip=lambda r: local_time(r.updated) if r.updated else "",
    ),
]


class ScaleDialog(QDialog):
    """The replica count in a spin box, and the command it runs."""

    def __init__(self, row: ServiceRow, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Scale {row.name}")
        self.service = row.name
        self.replicas_spin = QSpinBox(self)
        self.replicas_spin.setObjectName("scale-replicas")
        self.replicas_spin.setAccessibleName("Replicas")
        self.replicas_spin.setRange(0, 1000)
        self.replicas_spin.setValue(row.desired or 0)
        self.command_label = feedback.message_label(self, "scale-command")
        set_secondary(self.command_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.scale_button = self.buttons.addButton("Scale", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Replicas:", self.replicas_spin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.command_label)
        layout.addWidget(self.buttons)
        self.replicas_spin.valueChanged.connect(self._show_command)
        self._show_command()

    def _show_command(self) -> None:
        self.command_label.setText(f"Equivalent command: {for_engine(self.action().command)}")

    def action(self) -> ScaleService:
        return ScaleService(self.service, self.replicas_spin.value())


class ServicesPage(EngineListPage):
    event_type = "service"
    noun = "services"

    def __init__(self, session: EngineSession, parent=None):
        super().__init__("services", RowTableModel(SERVICE_COLUMNS, lambda r: r.id), EMPTY_TEXT, session, parent)
        self.state_problem: str | None = None  # the sentence shown instead of the list; None on a manager
        self.scale_action = self.add_action("Scale…", self.scale, tip="Scale…\ndocker service scale NAME=N")
        self.remove_action = self.add_action("Remove", self.remove_selected, QKeySequence.StandardKey.Delete)
        self.add_separator()
        self.refresh_action = self.add_action(
            "Refresh", self.refresh, tip="Read the services again (docker service ls)", needs_selection=False
        )
        self.set_column_widths([24, 30, 12, 12, 30])
        self.tasks_label = feedback.message_label(self, "services-tasks-title", hidden=True)
        self.tasks_model = RowTableModel(TASK_COLUMNS, lambda r: r.id, parent=self)
        self.tasks_table = QTableView(self)
        self.tasks_table.setObjectName("services-tasks")
        self.tasks_table.setAccessibleName("Tasks")
        self.tasks_table.setModel(self.tasks_model)
        self.tasks_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tasks_table.verticalHeader().hide()
        self.tasks_table.horizontalHeader().setStretchLastSection(True)
        self.tasks_table.hide()
        self.layout().addWidget(self.tasks_label)
        self.layout().addWidget(self.tasks_table)
        self._tasks_of: str | None = None  # the service whose tasks are shown
        self._reading_tasks = False
        # The replica counts change as tasks start, and the engine's events filter (client.events) has no service type yet.
        self.tasks_timer = QTimer(self, interval=TASKS_INTERVAL_MS, timeout=self.refresh)
        self.selectionChanged.connect(self._on_selection)
        self._update_actions()

    # Reading -----------------------------------------------------------------------------------------------------

    def read(self, engine) -> SwarmServices:
        return read_services(engine.api)

    def _on_rows(self, result: SwarmServices) -> None:
        self.state_problem = result.state.problem()
        self._empty_text = self.state_problem or EMPTY_TEXT
        self.model.set_rows(list(result.services))
        self._update_empty_state()
        self._update_actions()
        self.refresh_tasks()
        self._read_done()

    def _on_event(self, event: dict) -> None:
        super()._on_event(event)
        if event.get("Type") == "service":
            self.refresh_tasks()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.tasks_timer.start()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.tasks_timer.stop()

    def _selected(self) -> ServiceRow | None:
        rows = self.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def _on_selection(self) -> None:
        row = self._selected()
        name = row.name if row else None
        if name != self._tasks_of:
            self._tasks_of = name
            self.tasks_model.set_rows([])
        self.refresh_tasks()

    def refresh_tasks(self) -> None:
        """Reads the selected service's tasks; one read at a time (a slow engine skips a tick, never piles up)."""
        row = self._selected()
        shown = row is not None and self.state_problem is None
        feedback.show_message(self.tasks_label, f"Tasks of {row.name} (docker service ps {row.name})" if shown else "")
        self.tasks_table.setVisible(shown)
        if not shown or self._reading_tasks or not self.isVisible():
            return
        name = row.name
        self._reading_tasks = self.session.run(
            lambda engine: read_tasks(engine.api, name),
            lambda tasks: self._on_tasks(name, tasks),
            self._on_tasks_failed,
        )

    def _on_tasks(self, name: str, tasks: list[TaskRow]) -> None:
        self._reading_tasks = False
        if name == self._tasks_of:
            self.tasks_model.set_rows(tasks)

    def _on_tasks_failed(self, error: EngineError) -> None:
        self._reading_tasks = False
        feedback.show_message(self.tasks_label, f"Could not read the tasks: {error.message}")

    def _update_actions(self) -> None:
        row = self._selected()
        connected = self.session.connected and self.state_problem is None
        name = row.name if row else "NAME"
        self.scale_action.setEnabled(connected and row is not None and row.mode == "replicated")
        self.scale_action.setToolTip(f"Scale…\ndocker service scale {name}=N")
        self.remove_action.setEnabled(connected and row is not None)
        self.remove_action.setToolTip(f"Remove\ndocker service rm {name}")
        self.refresh_action.setEnabled(self.session.connected)

    # Actions -----------------------------------------------------------------------------------------------------

    def scale(self) -> None:
        row = self._selected()
        if row is None:
            return
        self.scale_dialog = ScaleDialog(row, self)
        self.scale_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.scale_dialog.accepted.connect(lambda dialog=self.scale_dialog: self._scale(dialog.action()))
        self.scale_dialog.open()

    def _scale(self, action: ScaleService) -> None:
        self.session.perform(
            action,
            on_done=lambda _r: self._after(f"Scaled {action.name} to {action.replicas} replica(s)."),
            on_error=lambda error: self._failed(f"Could not scale {action.name}", error),
        )

    def remove_selected(self) -> None:
        row = self._selected()
        if row is None:
            return
        action = RemoveService(row.name)
        text = f"Remove the service {row.name}? Its tasks stop and their containers go with it."
        confirmed, _ = feedback.confirm(self, "Remove service", text, action.command, "Remove")
        if confirmed:
            self.session.perform(
                action,
                on_done=lambda _r: self._after(f"Removed the service {row.name}."),
                on_error=lambda error: self._failed(f"Could not remove the service {row.name}", error),
            )
