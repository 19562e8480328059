"""One Learn step, shown in full: its sentences, its command in a box to copy, whether it is done and why, and
the buttons that act on it."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from gui.core.learn.steps import ACTIONS, STEPS, Step, fill_command
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import colour_style

DONE_MARK = "✓"
NOT_DONE_MARK = "○"


class StepDetail(QWidget):
    actionRequested = Signal(str)  # an action id of gui.core.learn.steps.ACTIONS
    nextRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("learn-step")
        self.step: Step | None = None
        self.title = QLabel(self)
        self.title.setObjectName("learn-step-title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.position = message_label(self, "learn-step-position", style=colour_style("secondary"))
        self.sentences = message_label(self, "learn-sentences")
        self.practices = message_label(self, "learn-practices", hidden=True)
        self.practices.setTextFormat(Qt.TextFormat.RichText)
        self.offline = message_label(self, "learn-offline", style=colour_style("secondary"), hidden=True)
        self.command_title = QLabel(self)
        self.command_box = QPlainTextEdit(self)
        self.command_box.setObjectName("learn-command")
        self.command_box.setReadOnly(True)
        self.command_box.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command_box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.command_box.setAccessibleName("Command")
        self.copy_button = QPushButton("&Copy", self)
        self.copy_button.setObjectName("learn-copy")
        self.copy_button.setToolTip("Copy the command, to paste it in a terminal")
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.command_box.toPlainText()))
        self.status = message_label(self, "learn-status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.project = message_label(self, "learn-project", style=colour_style("secondary"))
        self.project.setTextFormat(Qt.TextFormat.PlainText)
        self.do_button = QPushButton(self)
        self.do_button.setObjectName("learn-do-it")
        self.do_button.clicked.connect(lambda: self.step and self.actionRequested.emit(self.step.action or ""))
        self.offline_button = QPushButton(self)
        self.offline_button.setObjectName("learn-offline-action")
        self.offline_button.clicked.connect(
            lambda: self.step and self.actionRequested.emit(self.step.offline_action or "")
        )
        self.next_button = QPushButton("&Next step", self)
        self.next_button.setObjectName("learn-next")
        self.next_button.clicked.connect(self.nextRequested)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.position)
        layout.addWidget(self.sentences)
        layout.addWidget(self.practices)
        layout.addWidget(self.offline)
        layout.addWidget(self.command_title)
        layout.addWidget(self.command_box)
        copy_row = QHBoxLayout()
        copy_row.addStretch()
        copy_row.addWidget(self.copy_button)
        layout.addLayout(copy_row)
        layout.addWidget(self.status)
        layout.addWidget(self.project)
        buttons = QHBoxLayout()
        buttons.addWidget(self.do_button)
        buttons.addWidget(self.offline_button)
        buttons.addStretch()
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)
        layout.addStretch()

    def show_step(
        self,
        step: Step,
        done: bool,
        image: str | None,
        container: str | None,
        project_line: str,
        lint_rules: frozenset[str] | None,
    ) -> None:
        """Shows `step`; `image` and `container` are the user's own names for its command, when known."""
        self.step = step
        number = STEPS.index(step) + 1
        self.title.setText(step.title)
        self.position.setText(f"Step {number} of {len(STEPS)}")
        self.sentences.setText(" ".join(step.sentences))
        self._show_practices(step, lint_rules)
        show_message(self.offline, fill_command(step.offline, image, container) if step.offline else "")
        text = step.example or fill_command(step.command, image, container)
        self.command_title.setText("Example Dockerfile" if step.example else "The command")
        self.command_title.setVisible(bool(text))
        if self.command_box.toPlainText() != text:
            self.command_box.setPlainText(text)
        lines = text.count("\n") + 1
        box = self.command_box
        margins = box.frameWidth() * 2 + int(box.document().documentMargin() * 2)
        box.setFixedHeight(box.fontMetrics().lineSpacing() * (lines + 1) + margins)  # one spare line for a wrap
        self.command_box.setVisible(bool(text))
        self.copy_button.setVisible(bool(text))
        if done:
            self.status.setText(f"{DONE_MARK} Done: {step.check}")
            self.status.setStyleSheet(colour_style("ok"))
        elif step.read_only:
            self.status.setText("Not done yet: press Got it once you have read it.")
            self.status.setStyleSheet("")
        else:
            self.status.setText(f"Not done yet: this step is done when {step.check}")
            self.status.setStyleSheet("")
        self.project.setText(project_line)
        self.project.setVisible(bool(project_line) and not step.read_only)
        self.do_button.setVisible(not step.read_only)
        self.do_button.setText(f"Do it: {step.action_label}")
        self.do_button.setToolTip(f"Opens {ACTIONS.get(step.action or '', '')}")
        self.offline_button.setVisible(step.offline_action is not None)
        self.offline_button.setText(step.offline_label)
        last = number == len(STEPS)
        self.next_button.setText(("Got it" if last else "Got it, next step") if step.read_only else "Next step")
        self.next_button.setEnabled(not last or step.read_only)

    def _show_practices(self, step: Step, lint_rules: frozenset[str] | None) -> None:
        if not step.practices:
            show_message(self.practices, "")
            return
        items = []
        for practice in step.practices:
            rules = ", ".join(practice.rules)
            if lint_rules is None:
                mark = ""
            else:
                mark = f"{NOT_DONE_MARK} " if set(practice.rules) & lint_rules else f"{DONE_MARK} "
            items.append(
                f"<li>{mark}<b>{escape(practice.title)}</b> (checked by {rules}): {escape(practice.sentence)}</li>"
            )
        show_message(self.practices, f"<ul>{''.join(items)}</ul>")
