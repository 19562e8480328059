"""Terminals in a running container, one tab each: `docker exec -it NAME bash` without a terminal of one's own.

The shell is found, not assumed (bash, then sh); the Command box runs another program instead (`python`, `top`,
`nvidia-smi -l 1`). Each tab says what it runs as the CLI twin, and how its session ended; Enter on an ended tab
opens a new session there. Closing a tab or the window ends its sessions without waiting for the engine.
"""

from __future__ import annotations

import shlex

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget

from gui.core.engine.rows import ContainerRow
from gui.views.terminal.terminal_view import TerminalView
from gui.views.widgets.engine_command import for_engine
from gui.workers.session import EngineSession
from gui.workers.terminal_session import TerminalSession


def exec_twin(container_name: str, command: list[str] | None) -> str:
    shown = shlex.join(command) if command else "bash  (or sh)"
    return f"docker exec -it {container_name} {shown}"


class TerminalTab(QWidget):
    titleChanged = Signal(str)

    def __init__(self, session: EngineSession, container: ContainerRow, command: list[str] | None, parent=None):
        super().__init__(parent)
        self.session = session
        self.container = container
        self.command = command
        self.view = TerminalView(self)
        self.link = TerminalSession(session, container.id, self)
        self.status = QLabel("Opening…", self)
        self.status.setObjectName("terminal-status")
        self.status.setWordWrap(True)
        self.twin = QLabel(exec_twin(container.name, command), self)
        self.twin.setObjectName("terminal-command")
        self.twin.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.view.typed.connect(self._typed)
        self.view.sizeChanged.connect(self.link.resize)
        self.link.received.connect(self.view.feed)
        self.link.opened.connect(self._opened)
        self.link.ended.connect(self._finished)
        self.link.failed.connect(self._finished)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.twin)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)

    @property
    def running(self) -> bool:
        return self.link.running

    def open(self) -> None:
        rows, columns = self.view.size_in_cells() if self.view.isVisible() else (24, 80)
        self.view.set_size(rows, columns)
        self.status.setText("Opening…")
        self.link.start(rows, columns, self.command)

    def close_session(self) -> None:
        self.link.close()

    def _opened(self, command: str) -> None:
        self.status.setText("")
        twin = exec_twin(self.container.name, shlex.split(command))
        self.twin.setText(for_engine(twin))
        self.session.commandIssued.emit(twin, "open a terminal in the container")  # the Commands panel lists it
        self.titleChanged.emit(command.split()[0] if command else "terminal")

    def _finished(self, sentence: str) -> None:
        self.status.setText(sentence)

    def _typed(self, data: bytes) -> None:
        if self.link.running:
            self.link.write(data)
        elif data == b"\r":  # an ended session: Enter opens a new one
            self.view.feed(b"\r\n")
            self.open()


class TerminalWindow(QWidget):
    closed = Signal(str)  # container id

    def __init__(self, session: EngineSession, container: ContainerRow, parent=None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("terminal-window")
        self.setWindowTitle(f"Terminal — {container.name}")
        self.session = session
        self.container = container
        self.command_edit = QLineEdit(self)
        self.command_edit.setObjectName("terminal-command-edit")
        self.command_edit.setPlaceholderText("the container's shell (bash, else sh); or a program: python, top…")
        self.command_edit.setToolTip("What the new tab runs, as after `docker exec -it NAME`")
        self.command_edit.returnPressed.connect(self.new_tab)
        self.command_error = QLabel(self)
        self.command_error.setObjectName("terminal-command-error")
        new = QPushButton("New tab", self)
        new.setToolTip("Open another terminal in this container (Ctrl+Shift+T)")
        new.clicked.connect(self.new_tab)
        self.tabs = QTabWidget(self)
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        top = QHBoxLayout()
        top.addWidget(QLabel("Command:", self))
        top.addWidget(self.command_edit, 1)
        top.addWidget(new)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.command_error)
        layout.addWidget(self.tabs, 1)
        self.command_error.hide()
        QShortcut(QKeySequence("Ctrl+Shift+T"), self, self.new_tab)
        metrics = QFontMetrics(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.resize(metrics.horizontalAdvance("M") * 100 + 40, metrics.height() * 32 + 90)
        self.new_tab()

    def terminals(self) -> list[TerminalTab]:
        return [self.tabs.widget(i) for i in range(self.tabs.count())]

    def new_tab(self) -> TerminalTab | None:
        """A new terminal running the Command box's program, or the shell when it is empty."""
        text = self.command_edit.text().strip()
        try:
            command = shlex.split(text) if text else None
        except ValueError:
            self.command_error.setText(
                "The command has an unclosed quote: close it, or leave the box empty for the shell."
            )
            self.command_error.show()
            return None
        self.command_error.hide()
        tab = TerminalTab(self.session, self.container, command, self.tabs)
        index = self.tabs.addTab(tab, command[0] if command else "shell")
        tab.titleChanged.connect(lambda title, tab=tab: self.tabs.setTabText(self.tabs.indexOf(tab), title))
        self.tabs.setCurrentIndex(index)
        tab.view.setFocus()
        tab.open()
        return tab

    def close_tab(self, index: int) -> None:
        tab = self.tabs.widget(index)
        tab.close_session()
        self.tabs.removeTab(index)
        tab.deleteLater()
        if self.tabs.count() == 0:
            self.close()

    def closeEvent(self, event) -> None:
        for tab in self.terminals():
            tab.close_session()
        self.closed.emit(self.container.id)
        super().closeEvent(event)
