"""Builds: write a Dockerfile (wizard), edit one, build it, and the history of every build."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QWidget

from gui.core.build.history import BuildHistory, BuildRecord
from gui.models.lists import builds_model
from gui.views.widgets import feedback
from gui.views.widgets.fit_columns import ColumnFitter
from gui.views.widgets.list_page import ListPage
from gui.views.widgets.log_view import LogView
from gui.views.widgets.placement import place_window
from gui.workers.session import EngineSession

BUILD_STARTED_COLUMN = 5
_BUILD_TIP = "Build an image from a folder with a Dockerfile (docker build)"
_RUN_TIP = "Start a container from the built image (docker run)"
_NEEDS_ENGINE = "Needs the Docker engine, which is not connected: see the Engine page."


class BuildsPage(ListPage):
    newDockerfileRequested = Signal()
    editDockerfileRequested = Signal(Path)
    buildRequested = Signal(object)  # a BuildRecord to build again, or None for an empty form
    showImageRequested = Signal(str)  # image id
    runRequested = Signal(str)  # the image of a successful build: its first tag, else its id

    def __init__(self, session: EngineSession, history: BuildHistory, parent=None):
        super().__init__(
            "builds",
            builds_model(),
            "No builds yet.\nStart with New Dockerfile: the wizard writes a "
            "good one for your Python AI app. Then Build turns it into an image.",
            parent,
        )
        self.session = session
        self.history = history
        self.model.setParent(self)
        self.add_action(
            "New Dockerfile…",
            self.newDockerfileRequested.emit,
            "Ctrl+N",
            needs_selection=False,
            tip="A wizard writes a Dockerfile for your project, explained line by line",
        )
        self.add_action(
            "Open Dockerfile…",
            self._open_dockerfile,
            QKeySequence.StandardKey.Open,
            needs_selection=False,
            tip="Edit a Dockerfile with explanations and live checks",
        )
        self.build_action = self.add_action(
            "Build…",
            lambda: self.buildRequested.emit(None),
            "Ctrl+B",
            needs_selection=False,
            tip=_BUILD_TIP,
        )
        self.add_separator()
        self.log_action = self.add_action("View log", self.view_log, "Ctrl+L")
        self.again_action = self.add_action("Build again", self._build_again, "Ctrl+Shift+B")
        self.run_action = self.add_action("Run…", self._run, "Ctrl+R", tip=_RUN_TIP)
        self.image_action = self.add_action("Show image", self._show_image)
        self.edit_action = self.add_action("Edit Dockerfile", self._edit_dockerfile, "Ctrl+E")
        self.add_separator()
        self.remove_action = self.add_action("Remove from history", self._remove, QKeySequence.StandardKey.Delete)
        self.set_column_widths([34, 13, 12, 14, 44, 16], sort_column=5, order=Qt.SortOrder.DescendingOrder)
        self.set_stretch_column(4)  # the context: a folder's path
        self.fitter = ColumnFitter(self.table, (BUILD_STARTED_COLUMN,))  # "11 minutes ago" never cut off
        self.table.doubleClicked.connect(lambda _index: self.view_log())
        self.selectionChanged.connect(self._update_actions)
        # Writing and checking a Dockerfile needs no engine; building, running and showing an image do.
        session.diagnosisChanged.connect(lambda _diagnosis: self._update_actions())
        self._log_windows: list[QWidget] = []
        self._update_actions()
        self.reload()

    def restore_state(self, settings) -> None:
        super().restore_state(settings)
        self.fitter.apply_modes()  # a header saved by an older version had it fixed

    def reload(self) -> None:
        """Read the history from disk, off the GUI thread."""
        self.session.tasks.submit(self.history.records, self.model.set_rows)

    def add_record(self, record: BuildRecord) -> None:
        self.model.set_rows([record, *self.model.rows])

    def _selected(self) -> BuildRecord | None:
        rows = self.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def _update_actions(self) -> None:
        record = self._selected()
        connected = self.session.connected
        for action in (self.log_action, self.edit_action):
            action.setEnabled(record is not None)
        built = record is not None and record.result == "succeeded" and bool(record.image_id)
        self.again_action.setEnabled(record is not None and connected)
        self.build_action.setEnabled(connected)
        self.image_action.setEnabled(built and connected)
        self.run_action.setEnabled(built and connected)
        self.remove_action.setEnabled(bool(self.selected_rows()))
        again_tip = f"Build again\n{record.command}" if record else "Build again"
        self.again_action.setToolTip(again_tip if connected else f"{again_tip}\n{_NEEDS_ENGINE}")
        self.build_action.setToolTip(_BUILD_TIP if connected else f"{_BUILD_TIP}\n{_NEEDS_ENGINE}")
        self.run_action.setToolTip(_RUN_TIP if connected else f"{_RUN_TIP}\n{_NEEDS_ENGINE}")

    def _open_dockerfile(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open a Dockerfile",
            str(Path.home()),
            "Dockerfiles (Dockerfile* *.Dockerfile *.dockerfile);;All files (*)",
        )
        if path:
            self.editDockerfileRequested.emit(Path(path))

    def _edit_dockerfile(self) -> None:
        record = self._selected()
        if record:
            self.editDockerfileRequested.emit(Path(record.context) / record.dockerfile)

    def _build_again(self) -> None:
        record = self._selected()
        if record:
            self.buildRequested.emit(record)

    def _run(self) -> None:
        record = self._selected()
        if record and record.image_id:
            # By name, as a learner would type it (and as `docker ps` then shows it).
            self.runRequested.emit(record.tags[0] if record.tags else record.image_id)

    def _show_image(self) -> None:
        record = self._selected()
        if record and record.image_id:
            self.showImageRequested.emit(record.image_id)

    def view_log(self) -> None:
        record = self._selected()
        if record is None:
            return
        window = LogView()
        window.setWindowFlag(Qt.WindowType.Window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.setWindowTitle(f"Build log — {', '.join(record.tags) or record.id}")
        window.resize(window.fontMetrics().averageCharWidth() * 120, window.fontMetrics().height() * 36)
        self._log_windows.append(window)
        window.destroyed.connect(lambda *_: self._log_windows.remove(window) if window in self._log_windows else None)
        self.session.tasks.submit(
            lambda: self.history.log(record.id),
            lambda text: window.append_lines(text.splitlines()),
            lambda error: feedback.show_error(self, "Could not read the build log", error),
        )
        place_window(window, self)
        window.show()

    def _remove(self) -> None:
        records = self.selected_rows()
        for record in records:
            self.session.tasks.submit(lambda r=record: self.history.remove(r.id))
        gone = {record.id for record in records}
        self.model.set_rows([row for row in self.model.rows if row.id not in gone])
