"""A compose project's logs in one window, as `docker compose -p P logs --follow` shows them (issue 19): one
follower per container (gui.workers.log_follower, so each keeps following across restarts), each line prefixed
with its service, "web | ", padded to the longest, and the lines interleaved in the order they arrive."""

from __future__ import annotations

import shlex
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from gui.core.compose.projects import ComposeProject, service_of
from gui.core.engine.rows import ContainerRow
from gui.views.containers.logs_window import MAX_LINES, TAIL_LINES
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.log_view import LogView
from gui.workers.log_follower import LogFollower
from gui.workers.session import EngineSession


def prefixes(containers: tuple[ContainerRow, ...]) -> dict[str, str]:
    """Each container's prefix by id: its service, or its own name where the service is unknown or shared (a
    scaled service has several containers), padded so the bars line up."""
    services = [service_of(row) for row in containers]
    names = {
        row.id: service if service and services.count(service) == 1 else row.name
        for row, service in zip(containers, services)
    }
    width = max(map(len, names.values()), default=0)
    return {key: f"{name:<{width}} | " for key, name in names.items()}


class ProjectLogsWindow(QWidget):
    closed = Signal(str)  # project name

    def __init__(self, session: EngineSession, project: ComposeProject, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("project-logs-window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # its parent, the page, lives on
        self.setWindowTitle(f"Logs of project {project.name}")
        self.session = session
        self.project = project
        self.view = LogView(self, max_lines=MAX_LINES)
        self._statuses: dict[str, str] = {}  # the prefix's name: what its follower last said
        prefix_of = prefixes(project.containers)
        self.followers = [self._follower(row, prefix_of[row.id]) for row in project.containers]

        self.follow_box = QCheckBox("Follow", self)
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Keep showing new lines as they arrive (docker compose logs --follow)")
        self.follow_box.toggled.connect(self.view.set_follow)
        self.view.followChanged.connect(self.follow_box.setChecked)
        self.timestamps_box = QCheckBox("Timestamps", self)
        self.timestamps_box.setToolTip("Show when each line was written (docker compose logs --timestamps)")
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
        self.status_label.setWordWrap(True)
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
        self.resize(self.fontMetrics().averageCharWidth() * 130, self.fontMetrics().height() * 40)
        self.restart()

    def _follower(self, row: ContainerRow, prefix: str) -> LogFollower:
        follower = LogFollower(self.session, row.id, row.name, TAIL_LINES, max_pending=self.view.max_lines, parent=self)
        # Each batch goes to the view as it arrives: the followers' lines interleave in arrival order.
        follower.lines.connect(lambda lines: self.view.append_lines(prefix + line for line in lines))
        name = prefix.split("|")[0].strip()
        follower.status.connect(lambda text: self._show_status(name, text))
        return follower

    @property
    def command(self) -> str:
        """The compose command the shown log equals."""
        flags = ["--follow", "--tail", str(TAIL_LINES)] + (["--timestamps"] if self.timestamps_box.isChecked() else [])
        return shlex.join(["docker", "compose", "-p", self.project.name, "logs", *flags])

    def restart(self) -> None:
        """A fresh log from the engine: each container's last lines again, with or without timestamps."""
        self.view.clear_log()
        self._statuses.clear()
        self.command_label.setText(for_engine(self.command))
        for follower in self.followers:
            follower.start(timestamps=self.timestamps_box.isChecked())

    def _show_status(self, name: str, text: str) -> None:
        """One status line for the project: each container's own say, by its prefix."""
        self._statuses[name] = text
        self.status_label.setText(" · ".join(f"{key}: {value}" for key, value in self._statuses.items()))

    def _search(self, term: str) -> None:
        self.view.find_all(term)
        self._show_match_count()

    def _show_match_count(self) -> None:
        count = self.view.match_count
        self.match_label.setText(f"{count:,} match{'es' if count != 1 else ''}" if self.search_edit.text() else "")

    def save(self) -> None:
        default = str(Path.home() / f"{self.project.name}.log")
        path, _ = QFileDialog.getSaveFileName(self, "Save log", default, "Text files (*.log *.txt)")
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> None:
        text = self.view.plain_text()
        # Off the GUI thread: a big log on a slow disk must not freeze the window.
        self.session.tasks.submit(
            lambda: Path(path).write_text(text, encoding="utf-8"),
            lambda _r: self.status_label.setText(f"Saved to {path}."),
            lambda error: self.status_label.setText(f"Could not save: {error.message}"),
        )

    @property
    def following(self) -> bool:
        return any(follower.following for follower in self.followers)

    def stop(self) -> None:
        for follower in self.followers:
            follower.stop()

    def closeEvent(self, event) -> None:
        self.stop()
        self.closed.emit(self.project.name)
        super().closeEvent(event)
