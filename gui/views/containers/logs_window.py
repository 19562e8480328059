"""A container's logs: live follow, timestamps, colours, search, save. One window per container.

The follow goes on across engine and container restarts (gui.workers.log_follower): the status line tells "the
container ended" from "lost the engine", and the log resumes where it left off, no line shown twice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from gui.core.engine.rows import ContainerRow
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.log_view import LogView
from gui.workers.log_follower import LogFollower
from gui.workers.session import EngineSession

TAIL_LINES = 1000
MAX_LINES = 1_000_000  # kept and searchable; the oldest go first (some 200 bytes a line)


class LogWindowFrame(QWidget):
    """What every logs window shows around its log: Follow, Timestamps and Colours, search with its match count,
    Save and Clear, the status line and the command the log equals. A window adds its followers and `restart`."""

    def __init__(self, session: EngineSession, title: str, save_name: str, docker_logs: str, parent=None):
        """`docker_logs`: the command its boxes stand for in their tooltips ("docker logs", "docker compose logs")."""
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(title)
        self.session = session
        self._save_name = save_name
        self.view = LogView(self, max_lines=MAX_LINES)
        self.follow_box = QCheckBox("Follow", self)
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip(f"Keep showing new lines as they arrive ({docker_logs} --follow)")
        self.follow_box.toggled.connect(self.view.set_follow)
        self.view.followChanged.connect(self.follow_box.setChecked)
        self.timestamps_box = QCheckBox("Timestamps", self)
        self.timestamps_box.setToolTip(f"Show when each line was written ({docker_logs} --timestamps)")
        self.timestamps_box.toggled.connect(lambda _checked: self.restart())
        self.colours_box = QCheckBox("Colours", self)
        self.colours_box.setChecked(True)
        self.colours_box.setToolTip("Render ANSI colours, or show plain text")
        self.colours_box.toggled.connect(self.view.set_colours)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("log-search")
        self.search_edit.setPlaceholderText("Search (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search)
        self.search_edit.returnPressed.connect(lambda: self.view.find_next())
        self.match_label = QLabel(self)
        self.view.matchCountChanged.connect(lambda _count: self._show_match_count())
        save = QPushButton("Save…", self)
        save.setToolTip("Save what is shown to a text file")
        save.clicked.connect(self.save)
        clear = QPushButton("Clear", self)
        clear.clicked.connect(self.view.clear_log)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("log-status")
        self.command_label = QLabel(self)
        self.command_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        for widget in (self.follow_box, self.timestamps_box, self.colours_box):
            top.addWidget(widget)
        top.addStretch()
        top.addWidget(self.search_edit, 2)
        top.addWidget(self.match_label)
        top.addWidget(save)
        top.addWidget(clear)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.command_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

        QShortcut(
            QKeySequence.StandardKey.Find, self, lambda: (self.search_edit.setFocus(), self.search_edit.selectAll())
        )
        QShortcut(QKeySequence.StandardKey.FindNext, self, lambda: self.view.find_next())
        QShortcut(QKeySequence.StandardKey.FindPrevious, self, lambda: self.view.find_next(backward=True))

    def restart(self) -> None:
        """A fresh log from the engine: the last lines again, with or without timestamps."""
        raise NotImplementedError

    def _search(self, term: str) -> None:
        self.view.find_all(term)
        self._show_match_count()

    def _show_match_count(self) -> None:
        """How many matches the search has, kept up to date as lines come and go."""
        count = self.view.match_count
        self.match_label.setText(f"{count:,} match{'es' if count != 1 else ''}" if self.search_edit.text() else "")

    def save(self) -> None:
        default = str(Path.home() / f"{self._save_name}.log")
        path, _ = QFileDialog.getSaveFileName(self, "Save log", default, "Text files (*.log *.txt)")
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> None:
        text = self.view.plain_text()
        # Writing happens off the GUI thread: a big log on a slow disk must not freeze the window.
        self.session.tasks.submit(
            lambda: Path(path).write_text(text, encoding="utf-8"),
            lambda _r: self.status_label.setText(f"Saved to {path}."),
            lambda error: self.status_label.setText(f"Could not save: {error.message}"),
        )


class LogsWindow(LogWindowFrame):
    closed = Signal(str)  # container id

    def __init__(self, session: EngineSession, container: ContainerRow, parent=None):
        super().__init__(session, f"Logs — {container.name}", container.name, "docker logs", parent)
        self.setObjectName("logs-window")
        self.container = container
        self.follower = LogFollower(
            session, container.id, container.name, TAIL_LINES, max_pending=self.view.max_lines, parent=self
        )
        self.follower.lines.connect(self.view.append_lines)
        self.follower.status.connect(self.status_label.setText)
        self.follower.commandChanged.connect(lambda command: self.command_label.setText(for_engine(command)))
        self.resize(self.fontMetrics().averageCharWidth() * 120, self.fontMetrics().height() * 40)
        self.restart()

    @property
    def command(self) -> str:
        """The `docker logs` command the shown log equals (with --since once it resumed)."""
        return self.follower.command

    def restart(self) -> None:
        """A fresh log from the engine: the last lines again, with or without timestamps."""
        self.view.clear_log()
        self.follower.start(timestamps=self.timestamps_box.isChecked())

    def stop(self) -> None:
        self.follower.stop()

    def closeEvent(self, event) -> None:
        self.stop()
        self.closed.emit(self.container.id)
        super().closeEvent(event)
