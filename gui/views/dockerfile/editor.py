"""DockerfileEditor, the Dockerfile editor window: highlighting, line numbers, find/replace, plain-words
explanations, live lint with quick fixes, and no lost edits.

The window composes its parts and runs lint; each part lives in its own module:
- CodeEditor (gui.views.widgets.code_editor) and FindBar (gui.views.widgets.find_bar): the text itself;
- DiskKeeper (disk_keeper): opening, saving, recovery copies and changes made on disk;
- FindingsPanel (findings_panel): the lint findings, marked in the text, with one-click fixes;
- NoticeBar (notice_bar): the bars above the text.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QIcon, QKeyEvent, QKeySequence, QTextCharFormat
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGroupBox,
    QMenu,
    QMessageBox,
    QSplitter,
    QStyle,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.dockerfile.explain import explain_instruction
from gui.core.dockerfile.findings import Finding
from gui.core.dockerfile.parser import Instruction, instruction_at, parse_dockerfile
from gui.core.dockerfile.recovery import RecoveryStore
from gui.views.dockerfile.disk_keeper import DiskKeeper
from gui.views.dockerfile.findings_panel import FindingsPanel
from gui.views.dockerfile.highlighter import DockerfileHighlighter
from gui.views.dockerfile.lint_runner import LintRunner
from gui.views.dockerfile.notice_bar import NoticeBar
from gui.views.widgets.code_editor import CodeEditor
from gui.views.widgets.find_bar import FindBar
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import ERROR_COLOUR

__all__ = ["DockerfileEditor"]

logger = log.get("editor")

LINT_DELAY_MS = 400  # lint once typing pauses this long

NO_INSTRUCTION = "Put the cursor on an instruction to read what it does."
COMMENT_LINE = (
    "This line is a comment: Docker ignores it. Comments are for the next person who reads the "
    "file, so say why a step is there."
)


class DockerfileEditor(QWidget):
    """Edits one Dockerfile. See the module docstring for its parts."""

    saved = Signal(Path)  # the file is on disk with the editor's text
    buildRequested = Signal(Path)  # the user asked to build this (saved) Dockerfile
    opened = Signal(Path)  # the file's text (or an empty new file) is in the editor
    saveFailed = Signal(str)  # a sentence for the user: what was saved (the recovery copy?) and what was not
    findingsChanged = Signal(list)  # the lint findings now shown (list[Finding])

    def __init__(
        self, session, path: Path | None = None, parent: QWidget | None = None, *, recovery: RecoveryStore | None = None
    ):
        super().__init__(parent)
        self.session = session
        self._text_generation = 0  # +1 on every edit: lint results of older text are stale
        self._instructions: list[Instruction] = []
        self._instructions_generation = -1
        self._parsing = False  # a parse for the explanation is running in a worker
        self._explanation_html = ""  # the page the explanation shows, so an unchanged page is not set again
        self._pending_goto: tuple[int, str] | None = None
        self._build_after_save = False
        self._closed = False

        self._build_widgets(recovery if recovery is not None else RecoveryStore())
        self._build_actions()
        self._lay_out()
        self._connect()
        self._update_title()
        self.findings_panel.show_findings([], current=False)
        self._update_explanation()
        if path is not None:
            self.open(path)
        else:
            self._lint_timer.start()

    # Building -------------------------------------------------------------------------------------------

    def _build_widgets(self, recovery: RecoveryStore) -> None:
        self.editor = CodeEditor(self)
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.highlighter = DockerfileHighlighter(
            self.editor.document(), self.editor.palette(), visible_lines=self.editor.visible_lines
        )
        self.find_bar = FindBar(self.editor, self)
        self.keeper = DiskKeeper(self.editor, self.session.tasks, recovery, self)
        self.message_bar = NoticeBar("message-bar", "error", self)

        self.explanation = QTextBrowser(self)
        self.explanation.setObjectName("explanation")
        self.explanation.setFrameShape(QFrame.Shape.NoFrame)
        self.explanation.setOpenLinks(False)
        self.explanation_box = QGroupBox("About this line", self)

        self.findings_panel = FindingsPanel(self.editor, self)

        self.lint_runner = LintRunner(
            self.session.tasks, lambda: self._text_generation, self, engine_version=self._engine_version
        )
        self._lint_timer = QTimer(self, singleShot=True, interval=LINT_DELAY_MS, timeout=self._lint_now)
        self._explain_timer = QTimer(self, singleShot=True, interval=50, timeout=self._update_explanation)

    def _action(self, text: str, tip: str, slot: Callable, key=None, icon: QIcon | None = None) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        if icon is not None and not icon.isNull():
            action.setIcon(icon)
        if key is not None:
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        keys, themed = QKeySequence.StandardKey, QIcon.ThemeIcon
        save_icon = QIcon.fromTheme(
            themed.DocumentSave, self.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton)
        )
        self.save_action = self._action(
            "&Save",
            "Save the Dockerfile (atomically: the old file stays whole until the new one is written)",
            self.save,
            keys.Save,
            save_icon,
        )
        self.build_action = self._action(
            "&Build…", "Build an image from this Dockerfile (saves it first)", self.request_build
        )
        self.undo_action = self._action(
            "&Undo", "Undo the last edit", self.editor.undo, keys.Undo, QIcon.fromTheme(themed.EditUndo)
        )
        self.redo_action = self._action(
            "&Redo", "Redo the edit you undid", self.editor.redo, keys.Redo, QIcon.fromTheme(themed.EditRedo)
        )
        self.find_action = self._action(
            "&Find",
            "Find text (Enter: next, Shift+Enter: previous)",
            self.find_bar.show_find,
            keys.Find,
            QIcon.fromTheme(themed.EditFind),
        )
        self.replace_action = self._action(
            "Re&place",
            "Find and replace text",
            self.find_bar.show_replace,
            keys.Replace,
            QIcon.fromTheme("edit-find-replace"),
        )
        self.find_next_action = self._action(
            "Find &Next", "Go to the next match", self.find_bar.find_next, keys.FindNext
        )
        self.find_previous_action = self._action(
            "Find Pre&vious", "Go to the previous match", self.find_bar.find_previous, keys.FindPrevious
        )
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)

        self.toolbar = QToolBar(self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (
            self.save_action,
            self.build_action,
            None,
            self.undo_action,
            self.redo_action,
            None,
            self.find_action,
            self.replace_action,
        ):
            if action is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(action)

    def _lay_out(self) -> None:
        editor_column = QWidget(self)
        column = QVBoxLayout(editor_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.editor, 1)
        column.addWidget(self.find_bar)

        explanation_layout = QVBoxLayout(self.explanation_box)
        explanation_layout.addWidget(self.explanation)

        self._horizontal = QSplitter(Qt.Orientation.Horizontal, self)
        self._horizontal.addWidget(editor_column)
        self._horizontal.addWidget(self.explanation_box)
        self._horizontal.setStretchFactor(0, 3)
        self._horizontal.setStretchFactor(1, 1)
        self._horizontal.setChildrenCollapsible(False)

        self._vertical = QSplitter(Qt.Orientation.Vertical, self)
        self._vertical.addWidget(self._horizontal)
        self._vertical.addWidget(self.findings_panel)
        self._vertical.setStretchFactor(0, 3)
        self._vertical.setStretchFactor(1, 1)
        self._vertical.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        for bar in (self.keeper.recovery_bar, self.keeper.external_bar, self.keeper.encoding_bar, self.message_bar):
            layout.addWidget(bar)
        layout.addWidget(self._vertical, 1)

    def _connect(self) -> None:
        document = self.editor.document()
        self.editor.textChanged.connect(self._on_text_changed)
        document.modificationChanged.connect(self._update_title)
        self.editor.undoAvailable.connect(self.undo_action.setEnabled)
        self.editor.redoAvailable.connect(self.redo_action.setEnabled)
        self.editor.cursorPositionChanged.connect(self._explain_timer.start)
        self.editor.customContextMenuRequested.connect(self._show_context_menu)
        # New findings change the explanation's "Problems here"; its timer starts before listeners hear of them.
        self.findings_panel.findingsChanged.connect(lambda _findings: self._explain_timer.start())
        self.findings_panel.findingsChanged.connect(self.findingsChanged)
        self.findings_panel.relintRequested.connect(self._lint_now)
        self.keeper.opened.connect(self._on_opened)
        self.keeper.openFailed.connect(self._on_open_failed)
        self.keeper.saved.connect(self._on_saved)
        self.keeper.saveFailed.connect(self._on_save_failed)
        self.keeper.recoveryCopyFailed.connect(self._on_recovery_copy_failed)
        self.keeper.formChanged.connect(self._update_title)
        self.lint_runner.ownReady.connect(lambda own: self.findings_panel.show_findings(own, True, still_checking=True))
        self.lint_runner.allReady.connect(lambda found: self.findings_panel.show_findings(found, current=True))
        self.lint_runner.failed.connect(self._on_lint_failed)
        self.message_bar.closed.connect(lambda: self.editor.set_layer("goto", []))

    def _engine_version(self) -> str | None:
        """The connected engine's version ("20.10.24"), or None while none answers."""
        diagnosis = self.session.diagnosis
        info = diagnosis.info if diagnosis is not None and diagnosis.usable else None
        return info.engine_version if info is not None else None

    # Public API ----------------------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self.keeper.path

    @property
    def loading(self) -> bool:
        return self.keeper.loading

    @property
    def disk_idle(self) -> bool:
        """True when no read, write or recovery copy of this editor is pending."""
        return self.keeper.idle

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replaces the text as one edit the user can undo."""
        self.editor.replace_text(text)

    def is_modified(self) -> bool:
        return self.editor.document().isModified()

    def findings_shown(self) -> list[Finding]:
        return self.findings_panel.findings()

    def open(self, path: Path) -> None:
        """Loads `path` (in a worker; `opened` follows). A missing file opens empty and is created on save."""
        self.message_bar.hide()
        self.keeper.open(Path(path))
        self._update_title()

    def save(self) -> bool:
        """Writes the text atomically, in a worker. True when the write started (`saved` reports the end,
        `saveFailed` a failure); False when there is nothing to save to (no path and the user cancelled, or
        the file was refused as not text)."""
        if self.keeper.loading or self.keeper.refused is not None:
            return False
        if self.keeper.path is None:
            chosen = self._ask_save_path()
            if chosen is None:
                return False
            return self.save_as(chosen)
        return self.keeper.save()

    def save_as(self, path: Path) -> bool:
        """Saves under a new name; the editor then edits that file."""
        self.keeper.rename(Path(path))
        self._update_title()
        return self.save()

    def go_to_line(self, line: int, message: str = "") -> None:
        """Scrolls to 1-based `line`, selects and marks it, and shows `message` above the text."""
        if self.keeper.loading:
            self._pending_goto = (line, message)
            return
        self.editor.go_to_line(line, select=True)
        colour = QColor(ERROR_COLOUR)
        colour.setAlpha(45)
        text_format = QTextCharFormat()
        text_format.setBackground(colour)
        # The whole instruction is marked when it spans continuation lines: the build ran all of them.
        instruction = instruction_at(self._parsed(), line)
        last = instruction.end_line if instruction is not None and instruction.line == line else line
        self.editor.set_layer(
            "goto",
            [
                self.editor.line_selection(number, text_format, full_width=True)
                for number in range(line, min(last, self.editor.line_count()) + 1)
            ],
        )
        if message:
            self.message_bar.show_text(f"Line {line}: {message}", "error")
        else:
            self.message_bar.hide()
        self.editor.setFocus()

    def maybe_close(self) -> bool:
        """Asks Save / Discard / Cancel when there are unsaved changes. True when the editor may close."""
        if self.is_modified() and not self.keeper.is_writing(self.text()):
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Unsaved Changes",
                f"Save the changes to {self._display_name()} before closing?",
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                self,
            )
            box.setObjectName("unsaved-changes")
            box.setInformativeText("If you discard them, the changes since the last save are lost.")
            box.setDefaultButton(QMessageBox.StandardButton.Save)
            answer = box.exec()
            if answer == QMessageBox.StandardButton.Save:
                if not self.save():
                    return False
            elif answer == QMessageBox.StandardButton.Discard:
                self.keeper.discard_recovery_copy()
            else:
                return False
        self._shut_down()
        return True

    def request_build(self) -> None:
        """Emits buildRequested(path), saving first when the text is not on disk yet."""
        if self.keeper.loading:
            return
        path = self.keeper.path
        if path is None or self.is_modified() or not self.keeper.on_disk:
            self._build_after_save = True
            if not self.save():
                self._build_after_save = False
            return
        self.buildRequested.emit(path)

    # What the disk keeper reports ------------------------------------------------------------------------

    def _on_opened(self, path: Path) -> None:
        self._update_title()
        self._explain_timer.start()  # its parse (in a worker) waits for the next turn: not on top of showing it
        if self._pending_goto is not None:
            line, message = self._pending_goto
            self._pending_goto = None
            self.go_to_line(line, message)
        self.opened.emit(path)

    def _on_open_failed(self, message: str) -> None:
        self._update_title()
        self.message_bar.show_text(message, "error")

    def _ask_save_path(self) -> Path | None:
        start = str(Path.home() / "Dockerfile")
        chosen, _filter = QFileDialog.getSaveFileName(self, "Save Dockerfile", start)
        return Path(chosen) if chosen else None

    def _on_saved(self, path: Path) -> None:
        self.saved.emit(path)
        if self._build_after_save:
            self._build_after_save = False
            self.buildRequested.emit(path)

    def _on_save_failed(self, message: str) -> None:
        self._build_after_save = False
        self.message_bar.show_text(message, "error")
        self.saveFailed.emit(message)

    def _on_recovery_copy_failed(self, message: str) -> None:
        if self.message_bar.isHidden():  # a build failure or a failed save says more
            self.message_bar.show_text(message, "warning")

    def _shut_down(self) -> None:
        """The editor is closing: no more timers, autosaves or lint runs."""
        self._closed = True
        for timer in (self._lint_timer, self._explain_timer):
            timer.stop()
        self.lint_runner.cancel_hadolint()
        self.keeper.shut_down()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed or self.maybe_close():
            event.accept()
        else:
            event.ignore()

    # Typing ----------------------------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        self._text_generation += 1
        self.findings_panel.mark_stale()
        self.lint_runner.cancel_hadolint()  # its answer would be for the old text
        if self._closed:
            return
        self._lint_timer.start()
        self._explain_timer.start()
        self.keeper.text_edited()

    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self._display_name()}[*] — Portside")
        self.setWindowModified(self.is_modified())

    def _display_name(self) -> str:
        path, form = self.keeper.path, self.keeper.form
        if path is None:
            refused = self.keeper.refused
            return f"{refused.name} (not opened)" if refused is not None else "Untitled Dockerfile"
        encoding = "" if form.is_plain_utf8 else f", {form.label}"
        return f"{path.name} ({path.parent}{encoding})"

    # Lint --------------------------------------------------------------------------------------------------

    def _lint_now(self) -> None:
        if self.keeper.loading or self._closed or self.keeper.refused is not None:
            return
        path = self.keeper.path
        self.lint_runner.run(self.text(), path.parent if path is not None else None)

    def _on_lint_failed(self, message: str) -> None:
        logger.info("lint failed: %s", message)
        self.findings_panel.show_lint_failure(message)

    def _show_context_menu(self, position: QPoint) -> None:
        menu: QMenu = self.editor.createStandardContextMenu(position)
        line = self.editor.cursorForPosition(position).blockNumber() + 1
        fixes = self.findings_panel.fix_actions(line)
        if fixes:
            first = menu.actions()[0] if menu.actions() else None
            menu.insertActions(first, fixes)
            menu.insertSeparator(first)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.editor.viewport().mapToGlobal(position))

    # Explanation -------------------------------------------------------------------------------------------

    def _parsed(self) -> list[Instruction]:
        """The instructions of the current text, parsed once per edit (here, at once: for a user's one-off)."""
        if self._instructions_generation != self._text_generation:
            self._instructions = parse_dockerfile(self.text())
            self._instructions_generation = self._text_generation
        return self._instructions

    def _parse_in_background(self) -> None:
        """Parses the text for the explanation in a worker: on 5,000 lines that takes 10 ms and more, too long for
        the GUI thread after every pause in typing. One parse at a time; the explanation follows its answer."""
        if self._parsing or self._closed:
            return
        self._parsing = True
        generation, text = self._text_generation, self.text()
        self.session.tasks.submit(
            lambda: parse_dockerfile(text),
            while_alive(self, lambda parsed: self._on_parsed(generation, parsed)),
            while_alive(self, lambda _error: self._on_parsed(generation, [])),  # logged by the runner
        )

    def _on_parsed(self, generation: int, parsed: list[Instruction]) -> None:
        self._parsing = False
        if generation > self._instructions_generation:
            self._instructions, self._instructions_generation = parsed, generation
        if generation == self._text_generation:
            self._update_explanation()
        else:  # the text changed meanwhile: parse it again once typing pauses
            self._explain_timer.start()

    def _update_explanation(self) -> None:
        if self._instructions_generation != self._text_generation:
            self._parse_in_background()
            return
        line = self.editor.current_line()
        instruction = instruction_at(self._parsed(), line)
        parts = []
        if instruction is not None:
            span = (
                f"line {instruction.line}"
                if instruction.line == instruction.end_line
                else f"lines {instruction.line}–{instruction.end_line}"
            )
            parts.append(f"<p><b>{html.escape(instruction.keyword)}</b> <small>({span})</small></p>")
            parts.append(_paragraphs(explain_instruction(instruction)))
        elif self.editor.textCursor().block().text().lstrip().startswith("#"):
            parts.append(_paragraphs(COMMENT_LINE))
        else:
            parts.append(_paragraphs(NO_INSTRUCTION))
        first, last = (instruction.line, instruction.end_line) if instruction is not None else (line, line)
        here = [f for f in self.findings_panel.current_findings() if first <= f.line <= last]
        if here:
            items = "".join(
                f"<li><b>{html.escape(f.rule)}</b>: {html.escape(f.message)}"
                + (f"<br><i>{html.escape(f.why)}</i>" if f.why else "")
                + "</li>"
                for f in here
            )
            parts.append(f"<p><b>Problems here</b></p><ul>{items}</ul>")
        page = "".join(parts)
        if page != self._explanation_html:
            self._explanation_html = page
            self.explanation.setHtml(page)

    @property
    def explanation_text(self) -> str:
        return self.explanation.toPlainText()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape in the text (QPlainTextEdit passes it on) closes the find bar, then the message bar.
        if event.key() == Qt.Key.Key_Escape:
            if self.find_bar.isVisible():
                self.find_bar.close_bar()
                return
            if self.message_bar.isVisible():
                self.message_bar.dismiss()
                return
        super().keyPressEvent(event)

    # Look --------------------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.highlighter.set_palette(self.editor.palette())


def _paragraphs(text: str) -> str:
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in text.split("\n\n") if part.strip()
    )
