"""One exported file in the Export window: what was left out, the YAML to read and edit, whether it reads back as the
run's settings, Save and Copy, and the command that uses the file.

The read-back runs after each pause in typing (READ_BACK_PAUSE_MS). An export is a few kilobytes and PyYAML reads
that in about a millisecond, so texts under INLINE_READ_BACK_CHARS are read on the GUI thread; a longer (pasted)
text is read by a worker, and only the answer for the latest text is shown."""

from __future__ import annotations

import html
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextDocumentFragment
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from gui.core import fileio
from gui.views.export.yaml_highlighter import YamlHighlighter
from gui.views.widgets.code_editor import CodeEditor
from gui.views.widgets.engine_command import for_engine
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import colour_style, set_secondary

if TYPE_CHECKING:
    from gui.workers.tasks import TaskRunner

READ_BACK_PAUSE_MS = 300
INLINE_READ_BACK_CHARS = 100_000

# Reads a text back and compares it with what was exported: [] when it agrees, else sentences; ValueError(sentence)
# when the text cannot be read.
ReadBack = Callable[[str], list[str]]
AskPath = Callable[[str], "Path | None"]  # the file name suggested -> the path chosen, or None


def bullets(sentences) -> str:
    return (
        "<ul style='margin: 0; -qt-list-indent: 1'>"
        + "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
        + "</ul>"
    )


def command_for(command: str, file_name: str, path: Path | None) -> str:
    """The exported command with the saved file's path in place of the bare file name."""
    if path is None:
        return command
    try:
        words = shlex.split(command)
    except ValueError:  # not shell words after all: shown as it came
        return command
    return shlex.join(str(path) if word == file_name else word for word in words)


def write_file(path: Path, text: str) -> str:
    """In a worker: writes the file atomically. Returns "" or the sentence saying why it could not."""
    try:
        fileio.atomic_write(path, text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return f"Could not save {path}: {reason}. Choose another folder, or check that you may write there."
    return ""


class ExportTab(QWidget):
    """`saved(path)` after each save; `edited()` when the text starts or stops differing from the saved one."""

    saved = Signal(object)
    edited = Signal()

    def __init__(
        self,
        kind: str,
        exported: Any,
        read_back: ReadBack,
        subject: str,
        tasks: TaskRunner,
        ask_path: AskPath,
        secrets: tuple[str, str],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName(f"export-{kind}")
        self.kind = kind
        self.exported = exported
        self.subject = subject  # "web-1", or "the 3 containers"
        self.saved_path: Path | None = None
        self._saved_text = exported.text  # the text a close may drop without asking: as exported, or as saved
        self._read_back = read_back
        self._tasks = tasks
        self._ask_path = ask_path
        self._generation = 0  # +1 per edit: a worker's read-back of an older text is not shown
        self._saving = False
        self._after_save: list[Callable[[Path], None]] = []
        self._build(*secrets)
        self._read_back_timer = QTimer(self, singleShot=True, interval=READ_BACK_PAUSE_MS, timeout=self.read_back_now)
        self.editor.textChanged.connect(self._on_text_changed)
        self.read_back_now()

    # Layout --------------------------------------------------------------------------------------------

    def _build(self, secrets_hint: str, secrets_note: str) -> None:
        """`secrets_hint` ends the secrets line; `secrets_note`, core's note saying the same, is not repeated."""
        exported = self.exported
        # The note on how secrets are given stands on the secrets line, not among the notes.
        notes = [note for note in exported.notes if not (exported.secrets and note == secrets_note)]
        self.notes = message_label(self, f"{self.kind}-notes", hidden=not notes)
        if notes:
            self.notes.setText(bullets(notes))
        self.notes.setAccessibleName("What the file leaves out")
        self.secrets = message_label(self, f"{self.kind}-secrets", hidden=not exported.secrets)
        if exported.secrets:
            self.secrets.setText(f"Left out, as references: {', '.join(exported.secrets)}. {secrets_hint}".strip())
            self.secrets.setStyleSheet(colour_style("warning"))

        self.editor = CodeEditor(self)
        self.editor.setObjectName(f"{self.kind}-editor")
        self.editor.setAccessibleName(f"{exported.file_name}, editable")
        self.highlighter = YamlHighlighter(self.editor.document(), self.editor.palette())
        self.editor.setPlainText(exported.text)  # after the highlighter: coloured at once, not a turn later
        self.read_back_line = message_label(self, f"{self.kind}-read-back")
        self.read_back_line.setAccessibleName("Read back")

        self.status = message_label(self, f"{self.kind}-status", hidden=True)
        copy_text = QPushButton("Copy text", self)
        copy_text.setToolTip(f"Copy the whole of {exported.file_name}")
        copy_text.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text()))
        self.save_button = QPushButton("Save…", self)
        self.save_button.setToolTip(f"Save {exported.file_name} (Ctrl+S)")
        self.save_button.clicked.connect(lambda: self.save())
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addStretch()  # the buttons keep their size while no status shows
        buttons.addWidget(copy_text)
        buttons.addWidget(self.save_button)

        self.command = QLineEdit(command_for(exported.command, exported.file_name, None), self)
        self.command.setObjectName(f"{self.kind}-command")
        self.command.setReadOnly(True)
        self.command.setAccessibleName("Command")
        self.command.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.command.setToolTip("The command that uses the saved file, to copy into a terminal")
        self.command.setCursorPosition(0)
        copy_command = QPushButton("Copy", self)
        copy_command.setToolTip("Copy the command")
        copy_command.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.command.text()))
        command_row = QHBoxLayout()
        label = QLabel("Command:", self)
        set_secondary(label)
        command_row.addWidget(label)
        command_row.addWidget(self.command, 1)
        command_row.addWidget(copy_command)

        self.layout_ = QVBoxLayout(self)
        for widget in (self.notes, self.secrets):
            self.layout_.addWidget(widget)
        self.layout_.addWidget(self.editor, 1)
        self.layout_.addWidget(self.read_back_line)
        self.layout_.addLayout(buttons)
        self.layout_.addLayout(command_row)

    def add_below(self, widget: QWidget) -> None:
        """A part of this format's own under the command (the Kubernetes tab's kubectl panel)."""
        self.layout_.addWidget(widget)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a light or dark theme: colours that read on it
            self.highlighter.set_palette(self.editor.palette())

    # Text ----------------------------------------------------------------------------------------------

    def text(self) -> str:
        return self.editor.toPlainText()

    @property
    def unsaved(self) -> bool:
        """True when the text differs from the export as made, or from what was saved last."""
        return self.text() != self._saved_text

    def _on_text_changed(self) -> None:
        self._generation += 1
        self._read_back_timer.start()
        self.edited.emit()

    # Reading back ----------------------------------------------------------------------------------------

    def read_back_now(self) -> None:
        """Reads the text back and says whether it keeps the run's settings (see the module's note on threads)."""
        self._read_back_timer.stop()
        text, generation, subject, read_back = self.text(), self._generation, self.subject, self._read_back
        if len(text) < INLINE_READ_BACK_CHARS:
            self._show_read_back(generation, read_back_result(read_back, text, subject))
            return
        self._tasks.submit(
            lambda: read_back_result(read_back, text, subject),
            while_alive(self, lambda result: self._show_read_back(generation, result)),
        )

    def _show_read_back(self, generation: int, result: tuple[str, str]) -> None:
        if generation != self._generation:
            return  # the text changed since: its own read-back follows
        kind, message = result
        self.read_back_line.setStyleSheet(colour_style(kind))
        self.read_back_line.setText(message)

    def read_back_text(self) -> str:
        """The read-back line as a user reads it (without its markup)."""
        return QTextDocumentFragment.fromHtml(self.read_back_line.text()).toPlainText()

    # Saving --------------------------------------------------------------------------------------------

    def save(self, then: Callable[[Path], None] | None = None) -> bool:
        """Asks where (the exported file name in the last folder), then writes off the GUI thread. `then(path)`
        runs after a good save. False when the user cancelled or a save is already running."""
        if self._saving:
            return False
        path = self._ask_path(self.exported.file_name)
        if path is None:
            return False
        self.save_to(path, then)
        return True

    def save_to(self, path: Path, then: Callable[[Path], None] | None = None) -> None:
        text = self.text()
        self._saving = True
        self._after_save = [then] if then else []
        self.save_button.setEnabled(False)
        show_message(self.status, f"Saving {path}…")
        self.status.setStyleSheet(colour_style("secondary"))
        self._tasks.submit(
            lambda: write_file(path, text),
            while_alive(self, lambda error: self._written(path, text, error)),
            while_alive(self, lambda error: self._written(path, text, error.message)),
        )

    def _written(self, path: Path, text: str, error: str) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        after, self._after_save = self._after_save, []
        if error:
            self.status.setStyleSheet(colour_style("error"))
            show_message(self.status, error)
            return
        self.saved_path = path
        self._saved_text = text
        self.status.setStyleSheet(colour_style("ok"))
        show_message(self.status, f"Saved to {path}")
        self.command.setText(for_engine(command_for(self.exported.command, self.exported.file_name, path)))
        self.command.setCursorPosition(0)
        self.edited.emit()
        self.saved.emit(path)
        for then in after:
            then(path)

    @property
    def saving(self) -> bool:
        return self._saving


def read_back_result(read_back: ReadBack, text: str, subject: str) -> tuple[str, str]:
    """(style kind, HTML) for the read-back line: "ok", "warning" with the differences, or "error"."""
    try:
        differences = read_back(text)
    except ValueError as exc:
        return "error", html.escape(str(exc))
    except Exception as exc:  # a reader's bug must not take the window down: said, and logged by nobody else
        return "error", html.escape(f"Could not read the file back ({type(exc).__name__}: {exc}).")
    if not differences:
        return "ok", html.escape(f"Read back: the same settings as {subject}.")
    return "warning", "Read back, it differs from the run's settings:" + bullets(differences)
