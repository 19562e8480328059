"""The Dockerfile editor: highlighting, line numbers, find/replace, plain-words explanations, live lint with
quick fixes, and no lost edits (recovery copies, a question on close, reload when the file changes on disk).

Every disk access (gui.core.dockerfile.recovery's read_document / open_document / save_document and the recovery
copies) runs in a worker (session.tasks), one after another through a small queue so that an autosave
never lands after the save that discards it. The queue is plain Python: it keeps draining after
the widget is gone, so a save started just before closing still finishes.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QFileSystemWatcher, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QIcon, QKeyEvent, QKeySequence, QPalette, QTextCharFormat
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.dockerfile.explain import explain_instruction
from gui.core.dockerfile.lint import Finding, apply_fix, lint_dockerfile
from gui.core.dockerfile.parser import Instruction, instruction_at, parse_dockerfile
from gui.core.dockerfile.recovery import (
    DiskText,
    OpenedDocument,
    RecoveryStore,
    open_document,
    read_document,
    save_document,
)
from gui.core.errors import EngineError
from gui.views.dockerfile.highlighter import DockerfileHighlighter, is_dark
from gui.views.widgets.code_editor import CodeEditor, FindBar
from gui.views.widgets.style import ERROR_COLOUR, SECONDARY_COLOUR, WARNING_COLOUR

__all__ = ["SEVERITY_COLOURS", "DockerfileEditor", "NoticeBar"]

logger = log.get("editor")

AUTOSAVE_MS = 3000  # unsaved text reaches the recovery copy at most this long after it was typed
LINT_DELAY_MS = 400  # lint once typing pauses this long
DISK_CHECK_MS = 150  # file watcher bursts (write, rename, chmod) become one look at the file

SEVERITY_COLOURS = {"error": ERROR_COLOUR, "warning": WARNING_COLOUR, "info": "#2f7bbf", "style": SECONDARY_COLOUR}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2, "style": 3}
_SEVERITY_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "style": QStyle.StandardPixmap.SP_MessageBoxInformation,
}
LINE_COLUMN, RULE_COLUMN, MESSAGE_COLUMN, WHY_COLUMN = range(4)
_FINDING_ROLE = Qt.ItemDataRole.UserRole

NO_INSTRUCTION = "Put the cursor on an instruction to read what it does."
COMMENT_LINE = (
    "This line is a comment: Docker ignores it. Comments are for the next person who reads the "
    "file, so say why a step is there."
)


# Disk jobs run one after another ------------------------------------------------------------------------


class _DiskQueue:
    """Runs disk jobs on a TaskRunner in the order they were asked for.

    Every job goes to the pool at once and waits in its worker for the one before it, so the order holds
    and TaskRunner.wait_idle() (what the app does when it quits) covers every job still queued: a save
    asked for just before quitting is written even though the event loop has stopped."""

    def __init__(self, tasks):
        self._tasks = tasks
        self._last: threading.Event | None = None
        self._pending = 0

    @property
    def idle(self) -> bool:
        return self._pending == 0

    def submit(self, fn: Callable[[], Any], on_done: Callable | None = None, on_error: Callable | None = None) -> None:
        previous, finished = self._last, threading.Event()
        self._last = finished
        self._pending += 1

        def run() -> Any:
            try:
                if previous is not None:
                    previous.wait()
                return fn()
            finally:
                finished.set()

        def deliver(callback: Callable | None, value: Any) -> None:
            self._pending -= 1
            if callback is not None:
                callback(value)
            elif isinstance(value, EngineError):
                logger.info("disk job failed: %s (%s)", value.message, value.detail)

        self._tasks.submit(run, lambda result: deliver(on_done, result), lambda error: deliver(on_error, error))


# Small widgets ------------------------------------------------------------------------------------------


class NoticeBar(QFrame):
    """A non-modal bar above the text: an icon, a sentence, some buttons and a close button."""

    _TINTS = {"info": "#2f7bbf", "warning": WARNING_COLOUR, "error": ERROR_COLOUR}
    _ICONS = {
        "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
        "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
        "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    }

    closed = Signal()

    def __init__(self, name: str, kind: str = "info", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self._kind = kind
        self.icon_label = QLabel(self)
        self.text_label = QLabel(self)
        self.text_label.setObjectName(f"{name}-text")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QToolButton(self)
        self.close_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close")
        self.close_button.clicked.connect(self.dismiss)
        self._buttons = QHBoxLayout()
        layout = QHBoxLayout(self)
        margin = self.fontMetrics().height() // 3
        layout.setContentsMargins(margin * 2, margin, margin, margin)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text_label, 1)
        layout.addLayout(self._buttons)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.set_kind(kind)
        self.hide()

    def add_button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        self._buttons.addWidget(button)
        return button

    def set_kind(self, kind: str) -> None:
        self._kind = kind
        size = self.fontMetrics().height()
        self.icon_label.setPixmap(self.style().standardIcon(self._ICONS[kind]).pixmap(size, size))
        self._recolour()

    def _recolour(self) -> None:
        tint = QColor(self._TINTS[self._kind])
        # The application's palette, not this frame's: the style sheet below changes the frame's own.
        palette = QApplication.palette(self)
        window = palette.color(QPalette.ColorRole.Window)
        mix = 0.18 if is_dark(palette) else 0.12
        background = QColor.fromRgbF(
            *(w * (1 - mix) + t * mix for w, t in zip(window.getRgbF()[:3], tint.getRgbF()[:3], strict=True))
        )
        sheet = (
            f"QFrame#{self.objectName()} {{ background-color: {background.name()};"
            f" border: 1px solid {tint.name()}; border-radius: 4px; }}"
        )
        if sheet != self.styleSheet():  # a new style sheet is itself a palette change: set it once
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:  # the desktop switched light/dark
            self._recolour()

    def show_text(self, text: str, kind: str | None = None) -> None:
        if kind is not None and kind != self._kind:
            self.set_kind(kind)
        self.text_label.setText(text)
        self.show()

    @property
    def text(self) -> str:
        return self.text_label.text()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()


# The editor -----------------------------------------------------------------------------------------------


class DockerfileEditor(QWidget):
    """Edits one Dockerfile. See the module docstring for what it guarantees."""

    saved = Signal(Path)  # the file is on disk with the editor's text
    buildRequested = Signal(Path)  # the user asked to build this (saved) Dockerfile
    opened = Signal(Path)  # the file's text (or an empty new file) is in the editor
    saveFailed = Signal(str)  # a sentence for the user; the text stays, with a recovery copy
    findingsChanged = Signal(list)  # the lint findings now shown (list[Finding])

    def __init__(
        self, session, path: Path | None = None, parent: QWidget | None = None, *, recovery: RecoveryStore | None = None
    ):
        super().__init__(parent)
        self.session = session
        self.recovery = recovery if recovery is not None else RecoveryStore()
        self._io = _DiskQueue(session.tasks)
        self._path: Path | None = None
        self._newline = "\n"
        self._disk_text: str | None = None  # what the file on disk holds, as far as we know
        self._writes: list[str] = []  # texts being written by our own saves
        self._recovery_text: str | None = None  # what the recovery copy holds (None: no copy of ours)
        self._recovered: str | None = None  # a recovery copy offered for restore
        self._external_text: str | None = None  # a changed file on disk offered for reload
        self._forget_recovery: list[Path] = []  # old names after save_as, whose copies go on save
        self._loading = False
        self._open_generation = 0
        self._text_generation = 0  # +1 on every edit: lint results of older text are stale
        self._lint_running = False
        self._lint_again = False
        self._findings: list[Finding] = []
        self._findings_current = False
        self._instructions: list[Instruction] = []
        self._instructions_generation = -1
        self._pending_goto: tuple[int, str] | None = None
        self._build_after_save = False
        self._closed = False
        self._autosaving = False
        self._checking = False
        self._check_again = False

        self._build_widgets()
        self._build_actions()
        self._lay_out()
        self._connect()
        self._update_title()
        self._show_findings([], current=False)
        self._update_explanation()
        if path is not None:
            self.open(path)
        else:
            self._lint_timer.start()

    # Building -------------------------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.editor = CodeEditor(self)
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.highlighter = DockerfileHighlighter(self.editor.document(), self.editor.palette())
        self.find_bar = FindBar(self.editor, self)

        self.recovery_bar = NoticeBar("recovery-bar", "warning", self)
        self.restore_button = self.recovery_bar.add_button("&Restore", "restore")
        self.discard_button = self.recovery_bar.add_button("&Discard", "discard-recovery")
        self.recovery_bar.close_button.hide()  # a choice is needed; the text shows until then
        self.external_bar = NoticeBar("external-bar", "warning", self)
        self.reload_button = self.external_bar.add_button("Re&load", "reload")
        self.keep_button = self.external_bar.add_button("&Keep My Version", "keep-mine")
        self.resave_button = self.external_bar.add_button("&Save Again", "save-again")
        self.message_bar = NoticeBar("message-bar", "error", self)

        self.explanation = QTextBrowser(self)
        self.explanation.setObjectName("explanation")
        self.explanation.setFrameShape(QFrame.Shape.NoFrame)
        self.explanation.setOpenLinks(False)
        self.explanation_box = QGroupBox("About this line", self)

        self.findings = QTreeWidget(self)
        self.findings.setObjectName("findings")
        self.findings.setHeaderLabels(["Line", "Rule", "Problem", "Why it matters"])
        self.findings.setRootIsDecorated(False)
        self.findings.setUniformRowHeights(True)
        self.findings.setAlternatingRowColors(True)
        self.findings.setAllColumnsShowFocus(True)
        header = self.findings.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(LINE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RULE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MESSAGE_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(MESSAGE_COLUMN, self.fontMetrics().horizontalAdvance("M") * 32)
        self.findings_label = QLabel(self)
        self.findings_label.setObjectName("findings-summary")
        self.fix_label = QLabel(self)
        self.fix_label.setObjectName("fix-title")
        self.fix_button = QPushButton("&Fix", self)
        self.fix_button.setObjectName("fix")
        self.fix_button.setToolTip("Apply the suggested fix for the selected problem (Ctrl+Z undoes it)")

        self._lint_timer = QTimer(self, singleShot=True, interval=LINT_DELAY_MS, timeout=self._lint_now)
        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self._autosave)
        self._explain_timer = QTimer(self, singleShot=True, interval=50, timeout=self._update_explanation)
        self._disk_timer = QTimer(self, singleShot=True, interval=DISK_CHECK_MS, timeout=self._check_disk)
        self._watcher = QFileSystemWatcher(self)

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

        findings_box = QWidget(self)
        findings_layout = QVBoxLayout(findings_box)
        findings_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.findings_label, 1)
        header.addWidget(self.fix_label)
        header.addWidget(self.fix_button)
        findings_layout.addLayout(header)
        findings_layout.addWidget(self.findings, 1)

        self._vertical = QSplitter(Qt.Orientation.Vertical, self)
        self._vertical.addWidget(self._horizontal)
        self._vertical.addWidget(findings_box)
        self._vertical.setStretchFactor(0, 3)
        self._vertical.setStretchFactor(1, 1)
        self._vertical.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        for bar in (self.recovery_bar, self.external_bar, self.message_bar):
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
        # Activated: a double click, or Enter (a single click where the desktop activates on single click).
        self.findings.itemActivated.connect(self._on_finding_activated)
        self.findings.currentItemChanged.connect(lambda *_: self._update_fix_button())
        self.fix_button.clicked.connect(self._fix_selected)
        self.restore_button.clicked.connect(self.restore_recovered)
        self.discard_button.clicked.connect(self.discard_recovered)
        self.reload_button.clicked.connect(self.reload_from_disk)
        self.keep_button.clicked.connect(self._keep_mine)
        self.resave_button.clicked.connect(self.save)
        self.message_bar.closed.connect(lambda: self.editor.set_layer("goto", []))
        self._watcher.fileChanged.connect(lambda _path: self._disk_timer.start())
        self._watcher.directoryChanged.connect(lambda _path: self._disk_timer.start())

    def _alive(self, fn: Callable[..., None]) -> Callable[..., None]:
        """Wraps a worker callback so it does nothing once this widget has been deleted."""

        def call(*args):
            if shiboken6.isValid(self):
                fn(*args)

        return call

    # Public API ----------------------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def disk_idle(self) -> bool:
        """True when no read, write or recovery copy of this editor is pending."""
        return self._io.idle

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        """Replaces the text as one edit the user can undo."""
        self.editor.replace_text(text)

    def is_modified(self) -> bool:
        return self.editor.document().isModified()

    def findings_shown(self) -> list[Finding]:
        return list(self._findings)

    def open(self, path: Path) -> None:
        """Loads `path` (in a worker; `opened` follows). A missing file opens empty and is created on save."""
        path = Path(path)
        self._path = path
        self._loading = True
        self._open_generation += 1
        generation = self._open_generation
        self._disk_text = None
        self._recovered = self._external_text = None
        self._recovery_text = None
        for bar in (self.recovery_bar, self.external_bar, self.message_bar):
            bar.hide()
        self.editor.setReadOnly(True)
        self.editor.setPlaceholderText(f"Opening {path.name}…")
        self._disarm_watcher()
        self._update_title()
        store = self.recovery
        self._io.submit(
            lambda: open_document(path, store),
            self._alive(lambda opened: self._on_opened(generation, path, opened)),
            self._alive(lambda error: self._on_open_failed(generation, path, error)),
        )

    def save(self) -> bool:
        """Writes the text atomically, in a worker. True when the write started (`saved` reports the end,
        `saveFailed` a failure); False when there is nothing to save to (no path and the user cancelled)."""
        if self._loading:
            return False
        if self._path is None:
            chosen = self._ask_save_path()
            if chosen is None:
                return False
            return self.save_as(chosen)
        path, text, store, newline = self._path, self.text(), self.recovery, self._newline
        forget = tuple(self._forget_recovery)
        self._forget_recovery.clear()
        self._writes.append(text)
        self._io.submit(
            lambda: save_document(path, text, newline, store, forget),
            self._alive(lambda _result: self._on_saved(path, text)),
            self._alive(lambda error: self._on_save_failed(path, text, error)),
        )
        return True

    def save_as(self, path: Path) -> bool:
        """Saves under a new name; the editor then edits that file."""
        path = Path(path)
        if self._path is not None and self._path != path:
            self._forget_recovery.append(self._path)
        self._path = path
        self._disk_text = None
        self._disarm_watcher()
        self._update_title()
        self.external_bar.hide()
        return self.save()

    def go_to_line(self, line: int, message: str = "") -> None:
        """Scrolls to 1-based `line`, selects and marks it, and shows `message` above the text."""
        if self._loading:
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
        if self.is_modified() and self.text() not in self._writes:
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
                self._discard_recovery_copy()
            else:
                return False
        self._shut_down()
        return True

    def request_build(self) -> None:
        """Emits buildRequested(path), saving first when the text is not on disk yet."""
        if self._loading:
            return
        if self._path is None or self.is_modified() or self._disk_text is None:
            self._build_after_save = True
            if not self.save():
                self._build_after_save = False
            return
        self.buildRequested.emit(self._path)

    def restore_recovered(self) -> None:
        """Puts the recovered text in the editor (one undoable edit: Undo goes back to the file's text)."""
        recovered, self._recovered = self._recovered, None
        self.recovery_bar.hide()
        if recovered is None:
            return
        self.editor.replace_text(recovered)
        self._recovery_text = recovered  # the copy on disk already holds exactly this
        self.editor.setFocus()

    def discard_recovered(self) -> None:
        """Throws the offered recovery copy away."""
        self._recovered = None
        self.recovery_bar.hide()
        self._discard_recovery_copy()
        self.editor.setFocus()

    def reload_from_disk(self) -> None:
        """Replaces the text with the file's (one undoable edit, so the user's version is one Undo away)."""
        text, self._external_text = self._external_text, None
        self.external_bar.hide()
        if text is None:
            return
        self._take_disk_text(text)

    # Opening ---------------------------------------------------------------------------------------------

    def _on_opened(self, generation: int, path: Path, opened: OpenedDocument) -> None:
        if generation != self._open_generation:
            return  # another open() came after this one
        self._loading = False
        self.editor.setReadOnly(False)
        self.editor.setPlaceholderText("")
        self._newline = opened.disk.newline
        self._disk_text = opened.disk.text
        text = opened.disk.text if opened.disk.text is not None else ""
        self.editor.setPlainText(text)  # a new undo history: the file as it is on disk
        self.editor.document().setModified(False)
        self._arm_watcher(exists=opened.disk.text is not None)
        if opened.recovered is not None and opened.recovered != text:
            self._recovered = opened.recovered
            when = (
                time.strftime("%d %b %Y, %H:%M", time.localtime(opened.recovered_at))
                if opened.recovered_at
                else "an earlier session"
            )
            self.recovery_bar.show_text(
                f"{path.name} has unsaved changes from {when} that were never saved "
                "(Portside or the computer stopped). Restore them?",
                "warning",
            )
        elif opened.recovered is not None:
            self._discard_recovery_copy()  # the copy holds what the file holds: nothing to offer
        self._update_title()
        self._update_explanation()
        if self._pending_goto is not None:
            line, message = self._pending_goto
            self._pending_goto = None
            self.go_to_line(line, message)
        self.opened.emit(path)

    def _on_open_failed(self, generation: int, path: Path, error: EngineError) -> None:
        if generation != self._open_generation:
            return
        logger.info("could not open %s: %s", path, error.detail or error.message)
        self._loading = False
        self._path = None  # never save over a file we could not read
        self.editor.setPlaceholderText("")
        self.editor.setReadOnly(False)
        self._update_title()
        self.message_bar.show_text(error.message, "error")

    # Saving ----------------------------------------------------------------------------------------------

    def _ask_save_path(self) -> Path | None:
        start = str(Path.home() / "Dockerfile")
        chosen, _filter = QFileDialog.getSaveFileName(self, "Save Dockerfile", start)
        return Path(chosen) if chosen else None

    def _on_saved(self, path: Path, text: str) -> None:
        self._writes.remove(text)
        if path != self._path:
            return
        self._disk_text = text
        if self.text() == text:
            self.editor.document().setModified(False)
            self._recovery_text = None
        if self._external_text is None:
            self.external_bar.hide()
        self._arm_watcher(exists=True)
        self.saved.emit(path)
        if self._build_after_save:
            self._build_after_save = False
            self.buildRequested.emit(path)

    def _on_save_failed(self, path: Path, text: str, error: EngineError) -> None:
        self._writes.remove(text)
        self._build_after_save = False
        logger.info("save of %s failed: %s", path, error.detail or error.message)
        message = f"{error.message} Your text is still here (and in a recovery copy); try again or save elsewhere."
        self.message_bar.show_text(message, "error")
        self.saveFailed.emit(message)

    def _shut_down(self) -> None:
        """The editor is closing: no more timers, autosaves or lint runs."""
        self._closed = True
        for timer in (self._lint_timer, self._autosave_timer, self._explain_timer, self._disk_timer):
            timer.stop()
        self._disarm_watcher()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed or self.maybe_close():
            event.accept()
        else:
            event.ignore()

    # Recovery copies -------------------------------------------------------------------------------------

    def _autosave(self) -> None:
        if self._closed or self._loading or self._path is None:
            return
        path, store = self._path, self.recovery
        if not self.is_modified():
            if self._recovery_text is not None:  # undone back to the saved text: the copy is not needed
                self._discard_recovery_copy()
            return
        text = self.text()
        if text == self._recovery_text:
            return
        if self._autosaving:  # a slow disk: one copy at a time, the next one a little later
            self._autosave_timer.start()
            return
        self._recovery_text = text
        self._autosaving = True
        self._io.submit(
            lambda: store.save(path, text), self._alive(self._on_autosaved), self._alive(self._on_autosave_failed)
        )

    def _on_autosaved(self, _result=None) -> None:
        self._autosaving = False

    def _on_autosave_failed(self, error: EngineError) -> None:
        self._autosaving = False
        logger.info("recovery copy failed: %s", error.detail or error.message)
        self._recovery_text = None  # try again at the next autosave
        if self.message_bar.isHidden():
            self.message_bar.show_text(
                f"Portside could not keep a recovery copy of your unsaved changes ({error.message}). Save soon.",
                "warning",
            )

    def _discard_recovery_copy(self) -> None:
        if self._path is None:
            return
        path, store = self._path, self.recovery
        self._recovery_text = None
        self._io.submit(lambda: store.discard(path))

    # Changes on disk -------------------------------------------------------------------------------------

    def _disarm_watcher(self) -> None:
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)

    def _arm_watcher(self, exists: bool) -> None:
        """Watches the file (files replaced by rename drop out of the watcher, so this runs after every
        look at the file); while the file is missing, its folder, to see it come back."""
        if self._path is None or self._closed:
            return
        file, folder = str(self._path), str(self._path.parent)
        if exists:
            if folder in self._watcher.directories():
                self._watcher.removePath(folder)
            if file not in self._watcher.files():
                self._watcher.addPath(file)
        else:
            if file in self._watcher.files():
                self._watcher.removePath(file)
            if folder not in self._watcher.directories():
                self._watcher.addPath(folder)  # fails quietly when the folder is missing too

    def _check_disk(self) -> None:
        if self._path is None or self._loading or self._closed:
            return
        if self._checking:  # one look at a time; the watcher's later news gets its own look after it
            self._check_again = True
            return
        self._checking = True
        path = self._path
        self._io.submit(
            lambda: read_document(path),
            self._alive(lambda disk: self._on_disk_read(path, disk)),
            self._alive(lambda error: self._on_disk_unreadable(path, error)),
        )

    def _disk_check_done(self) -> None:
        self._checking = False
        if self._check_again:
            self._check_again = False
            self._disk_timer.start()

    def _on_disk_unreadable(self, path: Path, error: EngineError) -> None:
        self._disk_check_done()
        logger.info("could not look at %s: %s", path, error.message)

    def _on_disk_read(self, path: Path, disk: DiskText) -> None:
        self._disk_check_done()
        if path != self._path or self._loading or self._closed:
            return
        self._arm_watcher(exists=disk.text is not None)
        if disk.text is None:
            if self._disk_text is not None:
                self._disk_text = None
                self._external_text = None
                self.editor.document().setModified(True)  # the text is no longer on disk anywhere
                self.reload_button.hide()
                self.keep_button.hide()
                self.resave_button.show()
                self.external_bar.show_text(
                    f"{path.name} was deleted or moved outside Portside. The text is "
                    "still here: save it to write the file again.",
                    "warning",
                )
            return
        if disk.text == self._disk_text or disk.text in self._writes:
            return  # our own save, or a touch that changed nothing
        self._newline = disk.newline
        if not self.is_modified():
            self._take_disk_text(disk.text)  # nothing of the user's to lose: follow the file silently
            return
        if self.text() == disk.text:
            self._disk_text = disk.text
            self.editor.document().setModified(False)
            self.external_bar.hide()
            return
        self._external_text = disk.text
        self.reload_button.show()
        self.keep_button.show()
        self.resave_button.hide()
        self.external_bar.show_text(
            f"{path.name} changed on disk. Reload it (Undo brings your version back) or "
            "keep your version (saving then replaces the file)?",
            "warning",
        )

    def _take_disk_text(self, text: str) -> None:
        self._disk_text = text
        self.editor.replace_text(text)
        self.editor.document().setModified(False)
        self.external_bar.hide()
        if self._recovery_text is not None:
            self._discard_recovery_copy()

    def _keep_mine(self) -> None:
        self._disk_text = self._external_text
        self._external_text = None
        self.external_bar.hide()
        self.editor.document().setModified(True)
        self.editor.setFocus()

    # Typing ----------------------------------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        self._text_generation += 1
        if self._findings_current:
            self._findings_current = False
            self._update_fix_button()
        if self._closed:
            return
        self._lint_timer.start()
        self._explain_timer.start()
        if not self._loading and self._path is not None and not self._autosave_timer.isActive():
            self._autosave_timer.start()

    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self._display_name()}[*] — Portside")
        self.setWindowModified(self.is_modified())

    def _display_name(self) -> str:
        if self._path is None:
            return "Untitled Dockerfile"
        return f"{self._path.name} ({self._path.parent})"

    # Lint --------------------------------------------------------------------------------------------------

    def _lint_now(self) -> None:
        if self._loading or self._closed:
            return
        if self._lint_running:
            self._lint_again = True
            return
        self._lint_running = True
        generation, text = self._text_generation, self.text()
        context = self._path.parent if self._path is not None else None
        self.session.tasks.submit(
            lambda: lint_dockerfile(text, context),
            self._alive(lambda findings: self._on_lint_done(generation, findings)),
            self._alive(lambda error: self._on_lint_failed(generation, error)),
        )

    def _lint_finished(self) -> None:
        self._lint_running = False
        if self._lint_again:
            self._lint_again = False
            self._lint_now()

    def _on_lint_done(self, generation: int, findings: list[Finding]) -> None:
        self._lint_finished()
        if generation == self._text_generation:  # else the text changed meanwhile: a newer run follows
            self._show_findings(findings, current=True)

    def _on_lint_failed(self, generation: int, error: EngineError) -> None:
        self._lint_finished()
        if generation == self._text_generation:
            logger.info("lint failed: %s", error.detail or error.message)
            self._show_findings([], current=False)
            self.findings_label.setText(f"Could not check the file: {error.message}")

    def _show_findings(self, findings: list[Finding], current: bool) -> None:
        self._findings = sorted(findings, key=lambda f: (f.line, _SEVERITY_RANK.get(f.severity, 9), f.rule))
        self._findings_current = current
        self.findings.clear()
        style = self.style()
        items = []
        for index, finding in enumerate(self._findings):
            item = QTreeWidgetItem(
                [str(finding.line) if finding.line > 0 else "—", finding.rule, finding.message, finding.why]
            )
            item.setIcon(
                LINE_COLUMN, style.standardIcon(_SEVERITY_ICONS.get(finding.severity, _SEVERITY_ICONS["info"]))
            )
            item.setData(LINE_COLUMN, _FINDING_ROLE, index)
            tip = f"{finding.severity.capitalize()} {finding.rule}: {finding.message}"
            if finding.why:
                tip += f"\n\nWhy it matters: {finding.why}"
            if finding.fix is not None:
                tip += f"\n\nQuick fix: {finding.fix.title}"
            for column in range(4):
                item.setToolTip(column, tip)
            items.append(item)
        self.findings.addTopLevelItems(items)
        self._mark_findings()
        self._summarise_findings()
        self._update_fix_button()
        self._explain_timer.start()
        self.findingsChanged.emit(list(self._findings))

    def _mark_findings(self) -> None:
        worst: dict[int, Finding] = {}
        tips: dict[int, list[str]] = {}
        lines = self.editor.line_count()
        for finding in self._findings:
            if not 1 <= finding.line <= lines:
                continue
            tips.setdefault(finding.line, []).append(f"{finding.rule}: {finding.message}")
            known = worst.get(finding.line)
            if known is None or _SEVERITY_RANK.get(finding.severity, 9) < _SEVERITY_RANK.get(known.severity, 9):
                worst[finding.line] = finding
        selections, marks = [], {}
        for line, finding in worst.items():
            colour = QColor(SEVERITY_COLOURS.get(finding.severity, SEVERITY_COLOURS["info"]))
            text_format = QTextCharFormat()
            text_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            text_format.setUnderlineColor(colour)
            selections.append(self.editor.line_selection(line, text_format))
            marks[line] = colour
        self.editor.set_layer("lint", selections)
        self.editor.set_line_marks(marks)
        self.editor.set_line_tooltips({line: "\n".join(texts) for line, texts in tips.items()})

    def _summarise_findings(self) -> None:
        if not self._findings:
            self.findings_label.setText("No problems found." if self._findings_current else "Problems")
            return
        counts: dict[str, int] = {}
        for finding in self._findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        names = {
            "error": ("error", "errors"),
            "warning": ("warning", "warnings"),
            "info": ("note", "notes"),
            "style": ("style hint", "style hints"),
        }
        parts = [
            f"{counts[s]} {names.get(s, (s, s))[counts[s] != 1]}"
            for s in sorted(counts, key=lambda s: _SEVERITY_RANK.get(s, 9))
        ]
        self.findings_label.setText("Problems: " + ", ".join(parts))

    def _selected_finding(self) -> Finding | None:
        item = self.findings.currentItem()
        if item is None:
            return None
        index = item.data(LINE_COLUMN, _FINDING_ROLE)
        return self._findings[index] if isinstance(index, int) and index < len(self._findings) else None

    def _update_fix_button(self) -> None:
        finding = self._selected_finding()
        fixable = finding is not None and finding.fix is not None
        self.fix_button.setEnabled(fixable and self._findings_current)
        self.fix_label.setText(finding.fix.title if fixable else "")

    def _on_finding_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        index = item.data(LINE_COLUMN, _FINDING_ROLE)
        if isinstance(index, int) and index < len(self._findings) and self._findings[index].line > 0:
            self.editor.go_to_line(self._findings[index].line)
            self.editor.setFocus()

    def _fix_selected(self) -> None:
        finding = self._selected_finding()
        if finding is not None:
            self.apply_finding_fix(finding)

    def apply_finding_fix(self, finding: Finding) -> bool:
        """Applies a finding's quick fix as one undoable edit. False when the text changed since the lint
        (the fix may no longer fit; the next lint offers it again)."""
        if finding.fix is None or not self._findings_current:
            return False
        try:
            fixed = apply_fix(self.text(), finding.fix)
        except ValueError as exc:  # the fix no longer fits the text: lint again and offer the new one
            logger.info("stale fix: %s", exc)
            self._lint_now()
            return False
        changed = self.editor.replace_text(fixed)
        if changed and finding.line > 0:
            self.editor.go_to_line(finding.line)
        self.editor.setFocus()
        return changed

    def fix_actions_at(self, line: int) -> list[QAction]:
        """The "Fix: ..." actions for the findings on 1-based `line` (for the context menu)."""
        actions = []
        if not self._findings_current:
            return actions
        for finding in self._findings:
            if finding.line == line and finding.fix is not None:
                action = QAction(f"Fix: {finding.fix.title}", self)
                action.triggered.connect(lambda _checked=False, f=finding: self.apply_finding_fix(f))
                actions.append(action)
        return actions

    def _show_context_menu(self, position: QPoint) -> None:
        menu: QMenu = self.editor.createStandardContextMenu(position)
        line = self.editor.cursorForPosition(position).blockNumber() + 1
        fixes = self.fix_actions_at(line)
        if fixes:
            first = menu.actions()[0] if menu.actions() else None
            menu.insertActions(first, fixes)
            menu.insertSeparator(first)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.editor.viewport().mapToGlobal(position))

    # Explanation -------------------------------------------------------------------------------------------

    def _parsed(self) -> list[Instruction]:
        """The instructions of the current text, parsed once per edit."""
        if self._instructions_generation != self._text_generation:
            self._instructions = parse_dockerfile(self.text())
            self._instructions_generation = self._text_generation
        return self._instructions

    def _update_explanation(self) -> None:
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
        here = [f for f in self._findings if first <= f.line <= last] if self._findings_current else []
        if here:
            items = "".join(
                f"<li><b>{html.escape(f.rule)}</b>: {html.escape(f.message)}"
                + (f"<br><i>{html.escape(f.why)}</i>" if f.why else "")
                + "</li>"
                for f in here
            )
            parts.append(f"<p><b>Problems here</b></p><ul>{items}</ul>")
        page = "".join(parts)
        if page != getattr(self, "_explanation_html", None):
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
