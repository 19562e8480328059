"""A container's logs: live follow, timestamps, colours, search, save. One window per container."""

from __future__ import annotations

import shlex
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from gui.core.engine.logtext import LineAssembler
from gui.core.engine.rows import ContainerRow
from gui.core.errors import EngineError
from gui.views.widgets.log_view import LogView
from gui.workers.session import EngineSession
from gui.workers.streams import StreamWorker

TAIL_LINES = 1000


class LogsWindow(QWidget):
    closed = Signal(str)  # container id

    def __init__(self, session: EngineSession, container: ContainerRow, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("logs-window")
        self.setWindowTitle(f"Logs — {container.name}")
        self.session = session
        self.container = container
        self.worker: StreamWorker | None = None

        self.view = LogView(self)
        self.follow_box = QCheckBox("Follow", self)
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Keep showing new lines as they arrive (docker logs --follow)")
        self.follow_box.toggled.connect(self.view.set_follow)
        self.view.followChanged.connect(self.follow_box.setChecked)
        self.timestamps_box = QCheckBox("Timestamps", self)
        self.timestamps_box.setToolTip("Show when each line was written (docker logs --timestamps)")
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
        self.resize(self.fontMetrics().averageCharWidth() * 120, self.fontMetrics().height() * 40)
        self.restart()

    @property
    def command(self) -> str:
        flags = ["--follow", "--tail", str(TAIL_LINES)] + (["--timestamps"] if self.timestamps_box.isChecked() else [])
        return shlex.join(["docker", "logs", *flags, self.container.name])

    def restart(self) -> None:
        """(Re)open the stream; toggling timestamps needs a new one from the engine."""
        self.stop()
        self.view.clear_log()
        engine = self.session.engine
        if engine is None:
            self.status_label.setText("Not connected to the engine.")
            return
        assembler = LineAssembler()
        timestamps = self.timestamps_box.isChecked()
        container_id = self.container.id
        self.worker = StreamWorker(
            lambda: engine.logs(container_id, timestamps=timestamps, tail=TAIL_LINES),
            transform=assembler.feed,
            finish=assembler.flush,
            max_pending=self.view.maximumBlockCount(),
            name="logs",
            parent=self,
        )
        self.worker.batch.connect(self._append)
        self.worker.ended.connect(self._ended)
        self.worker.start()
        self.command_label.setText(self.command)
        self.session.commandIssued.emit(self.command, f"show the logs of {self.container.name}")
        self.status_label.setText("Following…")

    def _append(self, lines: list[str]) -> None:
        self.view.append_lines(lines)
        if self.search_edit.text():
            self._search(self.search_edit.text())

    def _ended(self, error: EngineError | None) -> None:
        if error is not None:
            self.status_label.setText(error.message)
        elif self.worker is not None and not self.worker.cancelled:
            self.status_label.setText("The container stopped; the log is complete.")

    def _search(self, term: str) -> None:
        count = self.view.find_all(term) if term else self.view.find_all("")
        self.match_label.setText(f"{count} match{'es' if count != 1 else ''}" if term else "")

    def save(self) -> None:
        default = str(Path.home() / f"{self.container.name}.log")
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

    def stop(self) -> None:
        if self.worker is not None:
            worker, self.worker = self.worker, None
            worker.dispose()

    def closeEvent(self, event) -> None:
        self.stop()
        self.closed.emit(self.container.id)
        super().closeEvent(event)
