"""The Commands panel: every action's docker command, in order, ready to copy into a terminal. Secrets in a
command (a known secret value, a token, a password in a URL, NAME=value with a secret name) are masked before
they are shown, so neither the list nor the clipboard ever holds one."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QPainter
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from gui.core.secrets import mask_known, mask_text
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.style import secondary_colour

MAX_COMMANDS = 500
EMPTY_TEXT = "The docker command behind each thing you do in Portside shows here, to copy into a terminal."


class CommandList(QListWidget):
    """The list of commands; empty, it says what will appear in it instead of showing a blank box."""

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.count() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(QColor(secondary_colour(self.palette())))
            painter.setFont(QGuiApplication.font())  # a sentence, in the normal font rather than the commands' one
            margin = self.fontMetrics().averageCharWidth() * 2
            rect = self.viewport().rect().adjusted(margin, 0, -margin, 0)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, EMPTY_TEXT)


class CommandsPanel(QDockWidget):
    def __init__(self, parent=None):
        super().__init__("Commands", parent)
        self.setObjectName("commands-dock")
        self.list = CommandList(self)
        self.list.setObjectName("commands-list")
        self.list.setAccessibleName("Commands")
        self.list.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setToolTip("The docker commands behind what you clicked. Copy them to try in a terminal.")
        self.list.itemDoubleClicked.connect(lambda item: self._copy([item]))
        copy = QPushButton("Copy", self)
        copy.setToolTip("Copy the selected commands (or all of them)")
        copy.clicked.connect(lambda: self._copy(self.list.selectedItems() or self._all_items()))
        clear = QPushButton("Clear", self)
        clear.clicked.connect(self.list.clear)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(copy)
        buttons.addWidget(clear)
        layout.addLayout(buttons)
        self.setWidget(body)

    def add_command(self, command: str, description: str) -> None:
        command = for_engine(mask_text(mask_known(command)))  # which engine it acts on
        item = QListWidgetItem(command)
        item.setToolTip(f"{description} — {time.strftime('%H:%M:%S')}\nDouble-click to copy")
        item.setData(Qt.ItemDataRole.UserRole, command)
        self.list.addItem(item)
        while self.list.count() > MAX_COMMANDS:
            self.list.takeItem(0)
        self.list.scrollToBottom()

    def commands(self) -> list[str]:
        return [item.data(Qt.ItemDataRole.UserRole) for item in self._all_items()]

    def _all_items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    @staticmethod
    def _copy(items: list[QListWidgetItem]) -> None:
        QGuiApplication.clipboard().setText("\n".join(item.data(Qt.ItemDataRole.UserRole) for item in items))
