"""Volumes: the engine's stores of files (models, datasets, results), who uses each, with new, remove, remove
unused and inspect. Every engine call runs off the GUI thread through the session; each action shows its CLI twin."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout

from gui.core.engine.volumes import (
    CreateVolume,
    InspectVolume,
    RemovedVolumes,
    RemoveUnusedVolumes,
    RemoveVolume,
    VolumeRow,
    name_problem,
    unused,
    with_sizes,
)
from gui.core.errors import EngineError
from gui.core.format import human_bytes, local_time
from gui.models.volumes import VOLUME_CREATED_COLUMN, VOLUME_SIZE_COLUMN, volumes_model
from gui.views.widgets import feedback
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.engine_list_page import EngineListPage
from gui.views.widgets.fit_columns import ColumnFitter
from gui.views.widgets.style import error_label_style, set_secondary
from gui.workers.session import EngineSession

EMPTY_TEXT = (
    "No volumes yet.\nA volume keeps files apart from any container (models, datasets, results): they stay when the "
    "container is removed. Make one with New volume…, or run a container with -v NAME:/path."
)
# Container events that change who uses a volume; every volume event changes the list.
_CONTAINER_ACTIONS = frozenset({"create", "destroy"})


class NewVolumeDialog(QDialog):
    """A name (optional: the engine picks one when it is empty), checked as it is typed, before any engine call."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New volume")
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("volume-name")
        self.name_edit.setAccessibleName("Volume name")
        self.name_edit.setPlaceholderText("for example models (empty: Docker picks a name)")
        self.problem_label = feedback.message_label(self, "volume-name-problem", style=error_label_style(), hidden=True)
        self.command_label = feedback.message_label(self, "volume-command")
        set_secondary(self.command_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.command_label)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        problem = name_problem(self.name_edit.text())
        feedback.show_message(self.problem_label, problem)
        self.create_button.setEnabled(problem is None)
        self.command_label.setText(f"Equivalent command: {for_engine(self.action().command)}")

    def action(self) -> CreateVolume:
        return CreateVolume(self.name_edit.text().strip() or None)


def _summary(data: dict, row: VolumeRow | None) -> list:
    """The inspect window's Summary tab: a few plain fields, then the labels."""
    fields = [
        ("Name", str(data.get("Name") or "")),
        ("Driver", str(data.get("Driver") or "")),
        ("Mount point", str(data.get("Mountpoint") or "")),
        ("Created", local_time(row.created) if row and row.created else str(data.get("CreatedAt") or "—")),
        ("Scope", str(data.get("Scope") or "")),
        ("Used by", ", ".join(row.used_by) if row and row.used_by else "no container"),
    ]
    labels = [(key, str(value)) for key, value in sorted((data.get("Labels") or {}).items())]
    return [("Volume", fields), *([("Labels", labels)] if labels else [])]


def _size_and_kind(row: VolumeRow) -> str:
    parts = ([human_bytes(row.size)] if row.size is not None else []) + (["anonymous"] if row.anonymous else [])
    return f" ({', '.join(parts)})" if parts else ""


class VolumesPage(EngineListPage):
    """`message` (from ListPage) carries a sentence for the status bar after each action."""

    event_type = "volume"
    container_actions = _CONTAINER_ACTIONS
    noun = "volumes"
    filesRequested = Signal(str)  # a volume's name: browse its files

    def __init__(self, session: EngineSession, parent=None):
        super().__init__("volumes", volumes_model(), EMPTY_TEXT, session, parent)
        self.new_action = self.add_action(
            "New volume…",
            self.new_volume,
            "Insert",
            tip="New volume…\nMake an empty volume to keep models or data in: docker volume create NAME",
            needs_selection=False,
        )
        self.inspect_action = self.add_action("Inspect", self.inspect, "Ctrl+I")
        self.files_action = self.add_action(
            "Browse files",
            self.open_files,
            "Ctrl+Shift+F",
            tip="Browse files\nSee the files in the volume and copy files in and out (docker cp through a helper "
            "container that is never started)",
        )
        self.add_separator()
        self.remove_action = self.add_action("Remove", self.remove_selected, QKeySequence.StandardKey.Delete)
        self.prune_action = self.add_action(
            "Remove unused…",
            self.remove_unused,
            "Ctrl+Shift+Delete",
            tip="Remove unused…\nShows exactly the volumes no container uses, and removes those only when you agree "
            "(docker volume rm NAME…)",
            needs_selection=False,
        )
        self.add_separator()
        # No F5: View > Refresh has it for the whole window (two actions on one key silence each other).
        self.refresh_action = self.add_action(
            "Refresh", self.refresh, tip="Read the volumes again (docker volume ls)", needs_selection=False
        )
        self.set_column_widths([30, 20, 12, 8, 50, 18])
        self.set_stretch_column(4)  # the mount point: the longest text
        self._sizes: dict[str, int | None] = {}  # the last measure, shown until the next one lands
        self._measuring = False
        self.fitter = ColumnFitter(self.table, (VOLUME_SIZE_COLUMN, VOLUME_CREATED_COLUMN))
        self.table.doubleClicked.connect(lambda _index: self.inspect())
        self._update_actions()

    def read(self, engine) -> list:
        return with_sizes(engine.volumes(), self._sizes)

    # Sizes: measured after each read of the list, one measure at a time (the engine walks every file) ----------

    def _on_rows(self, rows: list) -> None:
        super()._on_rows(rows)
        if rows and not self._measuring:
            self._measuring = self.session.run(lambda engine: engine.volume_sizes(), self._on_sizes, self._no_sizes)

    def _on_sizes(self, sizes: dict[str, int | None]) -> None:
        self._measuring = False
        self._sizes = sizes
        self.model.set_rows(with_sizes(self.model.rows, sizes))

    def _no_sizes(self, error: EngineError) -> None:
        self._measuring = False
        self._say(f"Could not measure the volumes: {error.message}")

    def _update_actions(self) -> None:
        rows = self.selected_rows()
        connected = self.session.connected
        names = " ".join(row.name for row in rows)
        single = len(rows) == 1
        self.new_action.setEnabled(connected)
        self.inspect_action.setEnabled(connected and single)
        self.files_action.setEnabled(connected and single)
        self.inspect_action.setToolTip(f"Inspect\ndocker volume inspect {names}" if single else "Inspect")
        self.remove_action.setEnabled(connected and bool(rows))
        self.remove_action.setToolTip(f"Remove\ndocker volume rm {names}" if rows else "Remove\ndocker volume rm NAME")
        self.prune_action.setEnabled(connected)
        self.refresh_action.setEnabled(connected)

    # New ---------------------------------------------------------------------------------------------------------

    def new_volume(self) -> None:
        self.new_dialog = NewVolumeDialog(self)
        self.new_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.new_dialog.accepted.connect(lambda dialog=self.new_dialog: self._create(dialog.action()))
        self.new_dialog.open()

    def _create(self, action: CreateVolume) -> None:
        self.session.perform(
            action,
            on_done=lambda name: self._after(f"Created the volume {name}."),
            on_error=lambda error: self._failed("Could not create the volume", error),
        )

    # Remove ------------------------------------------------------------------------------------------------------

    def remove_selected(self) -> None:
        """Volumes the page knows a container uses are refused here, with what to do, before any engine call; the
        others go once confirmed (never forced: the engine refuses one that a container took since)."""
        rows = self.selected_rows()
        if not rows:
            return
        busy = [row for row in rows if row.in_use]
        free = [row for row in rows if not row.in_use]
        refusals = "\n".join(
            row.in_use_sentence() if len(busy) == 1 else f"{row.name}: {row.in_use_sentence()}" for row in busy
        )
        if not free:
            self._say(refusals.replace("\n", " "))
            feedback.show_error(self, "Volume in use", EngineError(refusals))
            return
        text = f"Remove {len(free)} volume(s): {', '.join(row.name for row in free)}? The files in them are lost."
        if busy:
            text += f"\n\nKept, in use:\n{refusals}"
        command = (
            RemoveVolume(free[0].name).command
            if len(free) == 1
            else "docker volume rm " + " ".join(r.name for r in free)
        )
        confirmed, _ = feedback.confirm(self, "Remove volumes", text, command, "Remove")
        if confirmed:
            for row in free:
                self.session.perform(
                    RemoveVolume(row.name),
                    on_done=lambda _r, name=row.name: self._after(f"Removed the volume {name}."),
                    on_error=lambda error, name=row.name: self._failed(f"Could not remove the volume {name}", error),
                )

    def remove_unused(self) -> None:
        """Reads the volumes anew, then previews exactly those no container uses; nothing goes unconfirmed."""
        self.session.run(
            lambda engine: engine.volumes(),
            self._confirm_unused,
            lambda error: self._failed("Could not list the volumes", error),
        )

    def _confirm_unused(self, rows: list[VolumeRow]) -> None:
        rows = with_sizes(rows, self._sizes)
        self.model.set_rows(rows)
        planned = unused(rows)
        if not planned:
            self._say("No unused volumes: every volume is used by a container.")
            return
        lines = [f"These {len(planned)} volume(s) no container uses will be removed, with the files in them:"]
        lines += [f"  • {row.name}" + _size_and_kind(row) for row in planned]
        measured = [row.size for row in planned if row.size is not None]
        if measured:
            lines += [
                "",
                f"Space that comes back: {human_bytes(sum(measured))}"
                + (" at least" if len(measured) < len(planned) else "")
                + ".",
            ]
        lines += ["", "Nothing else is removed; a volume a container takes meanwhile is kept."]
        action = RemoveUnusedVolumes(tuple(row.name for row in planned))
        confirmed, _ = feedback.confirm(self, "Remove unused volumes", "\n".join(lines), action.command, "Remove")
        if confirmed:
            self.session.perform(
                action,
                on_done=lambda result: self._removed_unused(result),
                on_error=lambda error: self._failed("Could not remove the unused volumes", error),
            )

    def _removed_unused(self, result: RemovedVolumes) -> None:
        self._after(result.sentence())

    def open_files(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.filesRequested.emit(rows[0].name)

    # Inspect -----------------------------------------------------------------------------------------------------

    def inspect(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        row = rows[0]
        action = InspectVolume(row.name)
        self.session.perform(
            action,
            on_done=lambda data: self._show_inspect(row, data, action.command),
            on_error=lambda error: self._failed(f"Could not inspect the volume {row.name}", error),
        )

    def _show_inspect(self, row: VolumeRow, data: dict, command: str) -> None:
        from gui.views.widgets.inspect_dialog import InspectDialog

        self.inspect_dialog = InspectDialog(f"Volume {row.name}", _summary(data, row), data, command, parent=self)
        self.inspect_dialog.show()
