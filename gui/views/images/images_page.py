"""Images: what the engine has stored, with pull, tag, push, remove, inspect and remove-dangling."""

from __future__ import annotations

import shlex

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QKeySequence

from gui.core.engine import actions
from gui.core.engine.rows import ImageRow
from gui.core.errors import EngineError, ImageInUse
from gui.core.format import human_bytes
from gui.core.registry.credentials import Account
from gui.models.lists import IMAGE_CREATED_COLUMN, images_model
from gui.views.registry.tag_dialog import TagDialog
from gui.views.widgets import feedback
from gui.views.widgets.fit_columns import ColumnFitter
from gui.views.widgets.list_page import ListPage
from gui.workers.session import EngineSession


class ImagesPage(ListPage):
    pullRequested = Signal()
    inspectRequested = Signal(object)  # ImageRow
    runRequested = Signal(str)  # the image reference (or id, when untagged) to run
    commandPasted = Signal(object)  # a PastedCommand: run it from the Run dialog, filled
    pushRequested = Signal(str)  # the image reference to push

    def __init__(self, session: EngineSession, parent=None):
        super().__init__(
            "images",
            images_model(),
            "No images yet.\nPull one (for example busybox) with the Pull button, or build one from a Dockerfile.",
            parent,
        )
        self.session = session
        self.accounts: list[Account] = []  # the signed-in accounts, kept fresh by the Registries page
        self.model.setParent(self)
        self.pull_action = self.add_action(
            "Pull…",
            self.pullRequested.emit,
            "Ctrl+P",
            tip="Download an image from a registry (docker pull)",
            needs_selection=False,
        )
        self.add_separator()
        self.run_action = self.add_action(
            "Run…",
            self.run_selected,
            "Ctrl+Return",
            tip="Start a container from the image: ports, GPUs, environment, volumes (docker run)",
        )
        self.run_command_action = self.add_action(
            "Run from a command…",
            self.run_from_command,
            tip="Paste a docker run command, from an image's documentation say, and run it from a filled Run form",
            needs_selection=False,
        )
        self.tag_action = self.add_action("Tag…", self.tag_selected, "Ctrl+T")
        self.push_action = self.add_action("Push…", self.push_selected, "Ctrl+Shift+U")
        self.inspect_action = self.add_action("Inspect", self.inspect, "Ctrl+I")
        self.add_separator()
        self.remove_action = self.add_action("Remove", self.remove_selected, QKeySequence.StandardKey.Delete)
        self.prune_action = self.add_action(
            "Remove dangling…",
            self.remove_dangling,
            needs_selection=False,
            tip="Remove untagged images nobody uses (docker image prune)",
        )
        self.set_column_widths([36, 16, 18, 12, 10, 18])
        self.set_stretch_column(0)  # the repository: long names (a registry, a path)
        # Created ("About a minute ago") is never cut off: it sizes to its text.
        self.fitter = ColumnFitter(self.table, (IMAGE_CREATED_COLUMN,))
        self.table.doubleClicked.connect(lambda _index: self.inspect())
        self.selectionChanged.connect(self._update_actions)
        session.snapshotChanged.connect(lambda snapshot: self.model.set_rows(snapshot.images))
        session.diagnosisChanged.connect(lambda _d: self._update_actions())
        self._update_actions()

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        self.fitter.apply_modes()  # a header saved by an older version had it fixed

    def _update_actions(self) -> None:
        rows = self.selected_rows()
        connected = self.session.connected
        single = len(rows) == 1
        references = shlex.join(row.reference for row in rows)
        self.run_action.setEnabled(connected and single)
        self.run_action.setToolTip(f"Run…\ndocker run {references}" if single else "Run…")
        self.tag_action.setEnabled(connected and single)
        # An untagged image has no name to push under: tag it first.
        pushable = single and not rows[0].dangling
        self.push_action.setEnabled(connected and pushable)
        self.push_action.setToolTip(
            f"Push…\nUpload to a registry: docker push {references}"
            if pushable
            else "Push…\nUpload a tagged image to a registry (docker push)"
        )
        self.inspect_action.setEnabled(connected and single)
        # Tooltips teach the command each button stands for.
        self.tag_action.setToolTip(f"Tag…\ndocker tag {references} NEW-NAME:TAG" if single else "Tag…")
        self.inspect_action.setToolTip(f"Inspect\ndocker image inspect {references}" if single else "Inspect")
        self.remove_action.setEnabled(connected and bool(rows))
        self.remove_action.setToolTip(f"Remove\ndocker rmi {references}" if rows else "Remove")
        self.pull_action.setEnabled(connected)
        self.prune_action.setEnabled(connected)

    def run_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.runRequested.emit(rows[0].id if rows[0].dangling else rows[0].reference)

    def run_from_command(self) -> None:
        from gui.views.run.paste_dialog import ask_for_command  # only when asked: start-up stays quick

        ask_for_command(self, self.commandPasted.emit)

    def set_accounts(self, accounts: list[Account]) -> None:
        self.accounts = list(accounts)

    def tag_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        dialog = TagDialog(rows[0], self, self.accounts)
        if dialog.exec():
            action, push_after = dialog.action(), dialog.push_after()
            self.session.perform(
                action,
                on_done=lambda _r: self._tagged(action, push_after),
                on_error=lambda error: feedback.show_error(self, "Could not tag the image", error),
            )

    def _tagged(self, action: actions.TagImage, push_after: bool) -> None:
        reference = f"{action.repository}:{action.tag}"
        self.message.emit(f"Tagged {action.source} as {reference}.")
        if push_after:
            self.pushRequested.emit(reference)

    def push_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1 and not rows[0].dangling:
            self.pushRequested.emit(rows[0].reference)

    def inspect(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.inspectRequested.emit(rows[0])

    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        names = ", ".join(row.reference for row in rows)
        in_use = sum(1 for row in rows if row.used_by)
        text = f"Remove {len(rows)} image(s): {names}?"
        if in_use:
            text += f"\n{in_use} of them are used by containers; the engine will refuse those unless forced."
        confirmed, _ = feedback.confirm(
            self, "Remove images", text, actions.RemoveImage(rows[0].reference).command, "Remove"
        )
        if confirmed:
            for row in rows:
                self._remove(row, force=False)

    def _remove(self, row: ImageRow, force: bool) -> None:
        action = actions.RemoveImage(row.id if row.dangling else row.reference, force=force)
        self.session.perform(
            action,
            on_done=lambda _r: self.message.emit(f"Removed {row.reference}."),
            on_error=lambda error: self._remove_failed(row, error, force),
        )

    def _remove_failed(self, row: ImageRow, error: EngineError, forced: bool) -> None:
        # A stopped container using the image: the engine refuses, force is possible (it untags).
        if isinstance(error, ImageInUse) and not forced and "running container" not in error.detail:
            confirmed, _ = feedback.confirm(
                self,
                "Image in use",
                f"{error.message}\n\nForce removal of {row.reference}?",
                actions.RemoveImage(row.reference, force=True).command,
                "Force remove",
            )
            if confirmed:
                self._remove(row, force=True)
            return
        feedback.show_error(self, f"Could not remove {row.reference}", error)

    def remove_dangling(self) -> None:
        # Measure first, off the GUI thread, so the user sees the space it frees before agreeing.
        self.session.run(
            lambda engine: engine.dangling_images_size(),
            self._confirm_prune,
            lambda error: feedback.show_error(self, "Could not list dangling images", error),
        )

    def _confirm_prune(self, measured: tuple[int, int]) -> None:
        count, size = measured
        if count == 0:
            self.message.emit("No dangling images: nothing to remove.")
            return
        action = actions.PruneDanglingImages()
        confirmed, _ = feedback.confirm(
            self,
            "Remove dangling images",
            f"Remove {count} dangling (untagged, unused) image(s)? This frees about {human_bytes(size)}.",
            action.command,
            "Remove",
        )
        if confirmed:
            self.session.perform(
                action,
                on_done=lambda freed: self.message.emit(f"Removed dangling images and freed {human_bytes(freed)}."),
                on_error=lambda error: feedback.show_error(self, "Could not remove dangling images", error),
            )
