"""The Run dialog's command panel: the `docker run` line the form stands for, written as typed, with a Copy
button. Secret values arrive masked (RunSpec.command_line), so copying never leaks them."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from gui.views.widgets.engine_command import for_engine

COMMAND_TITLE = "Command:"
COMMAND_TITLE_INVALID = "Command, as typed (fix the problems below before it can run):"
PREVIEW_LINES = 4


class CommandPreview(QWidget):
    """`copied` says the command is now on the clipboard."""

    copied = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(COMMAND_TITLE, self)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("run-preview")
        self.preview.setReadOnly(True)
        self.preview.setTabChangesFocus(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setToolTip(
            "The docker command that does the same as Run. Secret values are shown as "
            "••••••: put the real value in when you paste it."
        )
        self.preview.setFixedHeight(
            self.preview.fontMetrics().lineSpacing() * PREVIEW_LINES
            + 2 * (self.preview.frameWidth() + int(self.preview.document().documentMargin()))
        )
        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setAutoDefault(False)
        self.copy_button.setToolTip("Copy the command")
        self.copy_button.clicked.connect(self.copy_command)

        row = QHBoxLayout()
        row.addWidget(self.preview, 1)
        row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # lines up with the dialog's other rows
        layout.addWidget(self.title)
        layout.addLayout(row)

    def show_command(self, command_line: str, valid: bool) -> None:
        """Written even while the form is invalid: the learner sees where each field goes."""
        self.preview.setPlainText(for_engine(command_line))  # which engine it would run on
        self.title.setText(COMMAND_TITLE if valid else COMMAND_TITLE_INVALID)

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.preview.toPlainText())
        self.copied.emit()
