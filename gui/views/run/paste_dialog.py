"""Run from a command: paste a `docker run` line and see, as you type, what it fills in the Run form, what the form
has no field for, and any word it cannot take, marked in the text. Fill the Form hands the result on; with errors
it stays off, so the form is never filled from a line Docker or the form's checks would refuse.

Reading the line is pure and quick (gui.core.run.command_line): it runs on the GUI thread, on each edit."""

from __future__ import annotations

import html
import os
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.core.run.command_line import Finding, PastedCommand, parse_command
from gui.core.run.command_words import position
from gui.core.run.spec import GpuMode, RunSpec
from gui.views.widgets.style import ERROR_COLOUR, secondary_colour, text_colour

EXAMPLE = "docker run --gpus all -p 8000:8000 -v ~/.cache/huggingface:/root/.cache/huggingface vllm/vllm-openai"
INTRO = (
    "Paste a docker run, docker container run or docker create command, as documentation writes it: lines that "
    "go on with \\, ` or ^, sudo, VAR=value words and comments are fine."
)


def pasted_status(pasted: PastedCommand, image: str | None = None) -> str:
    """The Run dialog's status line after filling it from a pasted command."""
    status = "Filled in from the pasted command: check it, then Run."
    if pasted.dropped:
        # Each such sentence starts with what it is about: "--ipc host is left out: …".
        left_out = ", ".join(finding.message.split(" is left out")[0] for finding in pasted.dropped)
        status += f" Left out, as the form has no field for them: {left_out}."
    if image is not None and pasted.spec is not None and pasted.spec.image != image:
        status += f" This dialog runs {image}, not {pasted.spec.image}."
    return status


def filled_summary(spec: RunSpec) -> str:
    """Which parts of the form a spec fills, in the tabs' words: "General (name, command), Ports (2), GPUs (all)"."""
    general = [
        label
        for label, value in (
            ("name", spec.name),
            ("command", spec.command),
            ("entrypoint", spec.entrypoint),
            ("working folder", spec.workdir),
            ("user", spec.user),
            ("restart", spec.restart != "no"),
            ("--rm", spec.auto_remove),
            ("-it", spec.interactive_tty),
        )
        if value
    ]
    ports = [f"{len(spec.ports)}" if spec.ports else "", "-P" if spec.publish_all else ""]
    parts = [
        f"General ({', '.join(general)})" if general else "",
        f"Ports ({', '.join(filter(None, ports))})" if any(ports) else "",
        f"Environment ({len(spec.env)})" if spec.env else "",
        f"Volumes ({len(spec.mounts)})" if spec.mounts else "",
    ]
    if spec.gpus.requested:
        which = {GpuMode.ALL: "all", GpuMode.COUNT: str(spec.gpus.count)}.get(spec.gpus.mode)
        parts.append(f"GPUs ({which or ', '.join(spec.gpus.device_ids)})")
    resources = [
        label for label, value in (("memory", spec.memory), ("CPUs", spec.cpus), ("/dev/shm", spec.shm_size)) if value
    ]
    parts.append(f"Resources ({', '.join(resources)})" if resources else "")
    advanced = [label for label, value in (("privileged", spec.privileged), ("labels", spec.labels)) if value]
    parts.append(f"Advanced ({', '.join(advanced)})" if advanced else "")
    return ", ".join(part for part in parts if part) or "nothing but the image"


def ask_for_command(parent: QWidget, on_pasted, image: str | None = None) -> PasteCommandDialog:
    """Opens the dialog over `parent` (deleted when closed); on_pasted gets the reading when the user fills the
    form with it."""
    dialog = PasteCommandDialog(parent, image)
    dialog.accepted.connect(lambda: on_pasted(dialog.pasted))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


class PasteCommandDialog(QDialog):
    """`pasted` holds the last reading; accepted only when it has no errors. `image`: the Run dialog's image, when
    it is opened from one (a command for another image is said to be so)."""

    def __init__(self, parent: QWidget | None = None, image: str | None = None, text: str = ""):
        super().__init__(parent)
        self.setObjectName("paste-command")
        self.setWindowTitle("Run from a Command")
        self.image = image
        # What the command's variables, ~ and $(pwd) mean: Portside's own environment and the home folder.
        self._environ, self._home = dict(os.environ), str(Path.home())
        self.pasted = parse_command("")

        intro = QLabel(INTRO, self)
        intro.setWordWrap(True)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("paste-text")
        self.text_edit.setAccessibleName("The docker run command")
        self.text_edit.setPlaceholderText(EXAMPLE)
        self.text_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text_edit.setMinimumHeight(self.text_edit.fontMetrics().lineSpacing() * 7)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("paste-result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result_area = QScrollArea(self)
        self.result_area.setWidget(self.result_label)
        self.result_area.setWidgetResizable(True)
        self.result_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.result_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the text wraps

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.fill_button = self.buttons.addButton("&Fill the Form", QDialogButtonBox.ButtonRole.AcceptRole)
        self.fill_button.setObjectName("paste-fill")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text_edit, 2)
        layout.addWidget(self.result_area, 3)
        layout.addWidget(self.buttons)
        self.text_edit.textChanged.connect(self._read)
        self.text_edit.setPlainText(text)
        self._read()

    def sizeHint(self) -> QSize:
        # Room for the caret line under a wrong word (CARET_WIDTH characters of the fixed font) and the intro.
        fixed = self.text_edit.fontMetrics()
        return QSize(fixed.horizontalAdvance("m") * (CARET_WIDTH + 12), self.fontMetrics().lineSpacing() * 32)

    # Reading ------------------------------------------------------------------------------------------------

    def _read(self) -> None:
        text = self.text_edit.toPlainText()
        self.pasted = parse_command(text, self._environ, self._home, self._home)
        self.fill_button.setEnabled(self.pasted.ok)
        self._mark(self.pasted.errors, ERROR_COLOUR, QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.result_label.setText(self._result_html(text))

    def accept(self) -> None:
        if self.pasted.ok:  # Enter with errors does nothing: the sentence above says what to fix
            super().accept()

    def _mark(self, findings: tuple[Finding, ...], colour: str, style: QTextCharFormat.UnderlineStyle) -> None:
        """Underlines the words the errors point at, in the text box itself."""
        selections = []
        last = self.text_edit.document().characterCount() - 1  # the document's final paragraph mark
        for finding in findings:
            if finding.start >= last:
                continue  # about the text as a whole ("no command here"): nothing to underline
            selection = QTextEdit.ExtraSelection()
            selection.format.setUnderlineStyle(style)
            selection.format.setUnderlineColor(QColor(colour))
            selection.format.setBackground(QColor(colour).lighter(190))
            cursor = QTextCursor(self.text_edit.document())
            cursor.setPosition(finding.start)
            cursor.setPosition(min(max(finding.end, finding.start + 1), last), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selections.append(selection)
        self.text_edit.setExtraSelections(selections)

    def _result_html(self, text: str) -> str:
        pasted, parts = self.pasted, []
        if not text.strip():
            return f'<span style="color: {secondary_colour(self.palette())};">The result shows here.</span>'
        error, warning = text_colour("error", self.palette()), text_colour("warning", self.palette())
        for finding in pasted.errors:
            parts.append(f'<p style="color: {error};">{_html(finding.message)}</p>{_caret(text, finding)}')
        if pasted.ok:
            spec = pasted.spec
            parts.append(f"<p><b>Fills:</b> {_html(filled_summary(spec))}.</p>")
            fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
            command = f'<p style="font-family: {fixed}; white-space: pre-wrap;">{_html(spec.command_line)}</p>'
            parts.append(f"<p><b>The form will run:</b></p>{command}")
            if self.image is not None and spec.image != self.image:
                parts.append(
                    f'<p style="color: {warning};">This Run dialog runs {_html(self.image)}; the command\'s '
                    f"image, {_html(spec.image)}, is not used. To run it, use Run from a command… on the "
                    "Images page.</p>"
                )
        if pasted.dropped:
            items = "".join(f"<li>{_html(finding.message)}</li>" for finding in pasted.dropped)
            parts.append(f'<p style="color: {warning};"><b>Left out of the run:</b></p><ul>{items}</ul>')
        if pasted.notes:
            items = "".join(f"<li>{_html(finding.message)}</li>" for finding in pasted.notes)
            parts.append(f"<p><b>Good to know:</b></p><ul>{items}</ul>")
        return "".join(parts)


def _html(text: str) -> str:
    return html.escape(text, quote=False)


CARET_WIDTH = 72  # a longer line is shown around the word


def _caret(text: str, finding: Finding) -> str:
    """The line the finding is on, with ^^^ under its word."""
    if not text.strip():
        return ""
    line_number, column = position(text, finding.start)
    line = text.split("\n")[line_number - 1].rstrip("\r")
    width = max(1, min(finding.end - finding.start, len(line) - column + 1))
    start = max(0, min(column - 1 - CARET_WIDTH // 3, len(line) - CARET_WIDTH))
    shown, marks = line[start : start + CARET_WIDTH], " " * (column - 1 - start) + "^" * width
    if start:
        shown, marks = "…" + shown, " " + marks
    return f"<pre>{_html(shown)}\n{_html(marks)}</pre>"
