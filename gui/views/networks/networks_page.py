"""Networks: the engine's networks (containers on one reach each other by name), which containers are on each, with
new, remove, connect, disconnect and inspect. Every engine call runs off the GUI thread through the session; each
action shows its CLI twin."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout

from gui.core.engine.actions import Action
from gui.core.engine.networks import (
    ConnectContainer,
    CreateNetwork,
    DisconnectContainer,
    InspectNetwork,
    NetworkRow,
    RemoveNetwork,
    name_problem,
    subnet_problem,
)
from gui.core.errors import EngineError
from gui.core.format import local_time
from gui.models.networks import NETWORK_CREATED_COLUMN, networks_model
from gui.views.widgets import feedback
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.engine_list_page import EngineListPage
from gui.views.widgets.fit_columns import ColumnFitter
from gui.views.widgets.style import error_label_style, set_secondary
from gui.workers.session import EngineSession

EMPTY_TEXT = (
    "No networks.\nContainers on the same network reach each other by name. Make one with New network…, then "
    "connect the containers that should talk to each other."
)
# Container events that change who is on a network; every network event changes the list.
_CONTAINER_ACTIONS = frozenset({"create", "destroy", "start", "die"})


class NewNetworkDialog(QDialog):
    """A name and an optional subnet, both checked as they are typed, before any engine call."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New network")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("network-name")
        self.name_edit.setAccessibleName("Network name")
        self.name_edit.setPlaceholderText("for example lab-net")
        self.subnet_edit = QLineEdit(self)
        self.subnet_edit.setObjectName("network-subnet")
        self.subnet_edit.setAccessibleName("Subnet")
        self.subnet_edit.setPlaceholderText("optional, for example 172.28.0.0/16 (empty: Docker picks one)")
        self.problem_label = feedback.message_label(self, "network-problem", style=error_label_style(), hidden=True)
        self.command_label = feedback.message_label(self, "network-command")
        set_secondary(self.command_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        form.addRow("Subnet:", self.subnet_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.command_label)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._check)
        self.subnet_edit.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        # An empty name is not worth a red sentence before anything is typed; Create stays off until there is one.
        name = self.name_edit.text().strip()
        problem = (name_problem(name) if name else None) or subnet_problem(self.subnet_edit.text())
        feedback.show_message(self.problem_label, problem)
        self.create_button.setEnabled(problem is None and bool(name))
        self.command_label.setText(f"Equivalent command: {for_engine(self.action().command)}")

    def action(self) -> CreateNetwork:
        return CreateNetwork(self.name_edit.text().strip() or "NAME", self.subnet_edit.text().strip() or None)


class ContainerChoiceDialog(QDialog):
    """One container picked from a list, for Connect and Disconnect; shows the command it would run."""

    def __init__(self, title: str, names: list[str], make_action: Callable[[str], Action], button: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.make_action = make_action
        self.container_combo = QComboBox(self)
        self.container_combo.setObjectName("network-container")
        self.container_combo.setAccessibleName("Container")
        self.container_combo.addItems(names)
        self.command_label = feedback.message_label(self, "network-choice-command")
        set_secondary(self.command_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.addButton(button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Container:", self.container_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.command_label)
        layout.addWidget(self.buttons)
        self.container_combo.currentTextChanged.connect(self._show_command)
        self._show_command()

    def _show_command(self) -> None:
        self.command_label.setText(f"Equivalent command: {for_engine(self.action().command)}")

    def action(self) -> Action:
        return self.make_action(self.container_combo.currentText())


def _summary(data: dict, row: NetworkRow | None) -> list:
    """The inspect window's Summary tab: a few plain fields, then the labels."""
    ipam = (data.get("IPAM") or {}).get("Config") or []
    fields = [
        ("Name", str(data.get("Name") or "")),
        ("Driver", str(data.get("Driver") or "")),
        ("Subnet", ", ".join(str(c.get("Subnet")) for c in ipam if c.get("Subnet")) or "—"),
        ("Gateway", ", ".join(str(c.get("Gateway")) for c in ipam if c.get("Gateway")) or "—"),
        ("Internal", "yes: no way out to the internet" if data.get("Internal") else "no"),
        ("Created", local_time(row.created) if row and row.created else str(data.get("Created") or "—")),
        ("Containers", ", ".join(row.attached) if row and row.attached else "none attached"),
    ]
    labels = [(key, str(value)) for key, value in sorted((data.get("Labels") or {}).items())]
    return [("Network", fields), *([("Labels", labels)] if labels else [])]


class NetworksPage(EngineListPage):
    """`message` (from ListPage) carries a sentence for the status bar after each action."""

    event_type = "network"
    container_actions = _CONTAINER_ACTIONS
    noun = "networks"

    def __init__(self, session: EngineSession, parent=None):
        super().__init__("networks", networks_model(), EMPTY_TEXT, session, parent)
        self.new_action = self.add_action(
            "New network…",
            self.new_network,
            "Insert",
            tip="New network…\nMake a private network for containers to reach each other by name: "
            "docker network create [--subnet S] NAME",
            needs_selection=False,
        )
        self.inspect_action = self.add_action("Inspect", self.inspect, "Ctrl+I")
        self.add_separator()
        self.connect_action = self.add_action("Connect a container…", self.connect_container)
        self.disconnect_action = self.add_action("Disconnect…", self.disconnect_container)
        self.add_separator()
        self.remove_action = self.add_action("Remove", self.remove_selected, QKeySequence.StandardKey.Delete)
        self.add_separator()
        # No F5: View > Refresh has it for the whole window (two actions on one key silence each other).
        self.refresh_action = self.add_action(
            "Refresh", self.refresh, tip="Read the networks again (docker network ls)", needs_selection=False
        )
        self.set_column_widths([24, 10, 22, 40, 18])
        self.set_stretch_column(3)  # the containers: the longest text
        self.fitter = ColumnFitter(self.table, (NETWORK_CREATED_COLUMN,))
        self.table.doubleClicked.connect(lambda _index: self.inspect())
        self._update_actions()

    def read(self, engine) -> list:
        return engine.networks()

    def _update_actions(self) -> None:
        rows = self.selected_rows()
        connected = self.session.connected
        single = len(rows) == 1
        name = rows[0].name if single else "NETWORK"
        self.new_action.setEnabled(connected)
        self.inspect_action.setEnabled(connected and single)
        self.inspect_action.setToolTip(f"Inspect\ndocker network inspect {name}")
        self.connect_action.setEnabled(connected and single)
        self.connect_action.setToolTip(f"Connect a container…\ndocker network connect {name} CONTAINER")
        self.disconnect_action.setEnabled(connected and single and bool(rows[0].attached))
        self.disconnect_action.setToolTip(f"Disconnect…\ndocker network disconnect {name} CONTAINER")
        self.remove_action.setEnabled(connected and single)
        self.remove_action.setToolTip(f"Remove\ndocker network rm {name}")
        self.refresh_action.setEnabled(connected)

    def _single(self) -> NetworkRow | None:
        rows = self.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def _perform(self, action: Action, done: str, failed: str) -> None:
        self.session.perform(
            action, on_done=lambda _result: self._after(done), on_error=lambda error: self._failed(failed, error)
        )

    # New ---------------------------------------------------------------------------------------------------------

    def new_network(self) -> None:
        self.new_dialog = NewNetworkDialog(self)
        self.new_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.new_dialog.accepted.connect(lambda dialog=self.new_dialog: self._create(dialog.action()))
        self.new_dialog.open()

    def _create(self, action: CreateNetwork) -> None:
        self._perform(action, f"Created the network {action.name}.", "Could not create the network")

    # Connect and disconnect --------------------------------------------------------------------------------------

    def connect_container(self) -> None:
        """Offers the containers (from the session's list) not yet on the selected network."""
        row = self._single()
        if row is None:
            return
        snapshot = self.session.snapshot
        names = sorted(c.name for c in (snapshot.containers if snapshot else []) if c.name not in row.attached)
        if not names:
            self._say(f"Every container is already on {row.name}; make one first (Run…), then connect it.")
            return
        self._choose(
            f"Connect a container to {row.name}",
            names,
            lambda container: ConnectContainer(row.name, container),
            "Connect",
            lambda a: (f"Connected {a.container} to {row.name}.", f"Could not connect {a.container} to {row.name}"),
        )

    def disconnect_container(self) -> None:
        row = self._single()
        if row is None or not row.attached:
            return
        self._choose(
            f"Disconnect a container from {row.name}",
            list(row.attached),
            lambda container: DisconnectContainer(row.name, container),
            "Disconnect",
            lambda a: (
                f"Disconnected {a.container} from {row.name}.",
                f"Could not disconnect {a.container} from {row.name}",
            ),
        )

    def _choose(self, title, names, make_action, button, sentences) -> None:
        self.choice_dialog = ContainerChoiceDialog(title, names, make_action, button, self)
        self.choice_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.choice_dialog.accepted.connect(
            lambda dialog=self.choice_dialog: self._perform(dialog.action(), *sentences(dialog.action()))
        )
        self.choice_dialog.open()

    # Remove ------------------------------------------------------------------------------------------------------

    def remove_selected(self) -> None:
        """The engine's own networks, and networks the page knows have containers attached, are refused here with
        what to do, before any engine call; another goes once confirmed."""
        row = self._single()
        if row is None:
            return
        problem = row.removal_problem()
        if problem:
            self._say(problem)
            feedback.show_error(self, "Network cannot be removed", EngineError(problem))
            return
        action = RemoveNetwork(row.name)
        confirmed, _ = feedback.confirm(
            self, "Remove network", f"Remove the network {row.name}?", action.command, "Remove"
        )
        if confirmed:
            self._perform(action, f"Removed the network {row.name}.", f"Could not remove the network {row.name}")

    # Inspect -----------------------------------------------------------------------------------------------------

    def inspect(self) -> None:
        row = self._single()
        if row is None:
            return
        action = InspectNetwork(row.name)
        self.session.perform(
            action,
            on_done=lambda data: self._show_inspect(row, data, action.command),
            on_error=lambda error: self._failed(f"Could not inspect the network {row.name}", error),
        )

    def _show_inspect(self, row: NetworkRow, data: dict, command: str) -> None:
        from gui.views.widgets.inspect_dialog import InspectDialog

        self.inspect_dialog = InspectDialog(f"Network {row.name}", _summary(data, row), data, command, parent=self)
        self.inspect_dialog.show()
