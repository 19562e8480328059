"""The start-up offer of recovery copies: Dockerfile text that a session which stopped (a crash, a power cut,
a killed process) never saved.

offer_at_start() is the one call the main window makes: once the window shows, a worker gathers the copies
(gui.core.dockerfile.recovery.pending_copies) and, only when there is one, RecoveryDialog lists them with
where each file is, when its copy was made and whether the file changed since. Compare shows the copy
against the file (read-only), Restore opens the editor with the recovered text (unsaved: the user decides
to save), Discard removes the copy after asking. Later keeps every copy for the next start.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QFontDatabase, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.dockerfile.recovery import PendingCopy, RecoveryStore, drop_recovery_copy, pending_copies
from gui.core.errors import EngineError
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import error_label_style, text_colour

__all__ = ["OFFER_AT_START", "CompareDialog", "RecoveryDialog", "offer_at_start"]

logger = log.get("editor")

OFFER_AT_START = True  # tests that build many windows may switch the offer off

INTRO = (
    "Portside stopped before these Dockerfile changes were saved. Each one was kept in a recovery copy. "
    "Compare a copy with its file, restore it into the editor, or discard it. Later keeps the copies "
    "until the next start."
)


def offer_at_start(
    window: QWidget, tasks, open_editor: Callable[[Path], QWidget], store: RecoveryStore | None = None
) -> None:
    """Offers every pending recovery copy once `window` shows (the folder is read in a worker); nothing
    appears when there is none. `open_editor(path)` opens (or raises) the editor of a file."""
    if not OFFER_AT_START:
        return
    store = store if store is not None else RecoveryStore()

    def read() -> None:
        tasks.submit(
            lambda: pending_copies(store),
            while_alive(window, show),
            lambda error: logger.info("could not look for recovery copies: %s", error.detail or error.message),
        )

    def show(copies: list[PendingCopy]) -> None:
        if copies:
            RecoveryDialog(copies, store, tasks, open_editor, window).show()

    if window.isVisible():
        QTimer.singleShot(0, read)
    else:
        _WhenShown(window, read)


class _WhenShown(QObject):
    """Calls `then` once, just after `window` is first shown (the first paint comes before any disk work)."""

    def __init__(self, window: QWidget, then: Callable[[], None]):
        super().__init__(window)
        self._then = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
            self.deleteLater()
        return False


def _when(copy: PendingCopy) -> str:
    if copy.saved_at is None:
        return "unknown"
    return time.strftime("%d %b %Y, %H:%M", time.localtime(copy.saved_at))


def _disk_state(copy: PendingCopy) -> str:
    """The "File on disk now" column."""
    if copy.gone:
        return "gone"
    if copy.unreadable is not None:
        return "cannot be read"
    return "changed since the copy" if copy.changed_since else "unchanged since the copy"


def _note(copy: PendingCopy) -> str:
    """What the selected copy means for the user, and what Restore will do with it."""
    if copy.gone and not copy.folder_exists:
        return (
            "The file and its folder are gone; restore into a new file: Restore opens the text in the editor, "
            "then use Save As to choose where it goes."
        )
    if copy.gone:
        return (
            "The file is gone; restore into a new file: Restore opens the text in the editor, and saving "
            "creates the file again."
        )
    if copy.unreadable is not None:
        return (
            f"Portside cannot read the file now ({copy.unreadable}) so it cannot restore into it. Compare "
            "shows the text of the copy; the copy is kept for the next start."
        )
    if copy.changed_since:
        return (
            "The file was changed after the copy was made (by you or another program). Compare them before "
            "you restore: restoring replaces the file's text in the editor (Undo brings it back)."
        )
    return "The file is as it was before these changes. Restore puts them back in the editor, unsaved."


class RecoveryDialog(QDialog):
    """The list of recovery copies with Compare, Restore and Discard for the selected one."""

    def __init__(
        self,
        copies: list[PendingCopy],
        store: RecoveryStore,
        tasks,
        open_editor: Callable[[Path], QWidget],
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setObjectName("recovery-dialog")
        self.setWindowTitle("Unsaved Dockerfile Changes")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._store, self._tasks, self._open_editor = store, tasks, open_editor

        self.intro = message_label(self, "recovery-intro", INTRO)
        self.list = QTreeWidget(self)
        self.list.setObjectName("recovery-list")
        self.list.setAccessibleName("Recovery copies")
        self.list.setHeaderLabels(["File", "Copy made", "File on disk now"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for copy in copies:
            item = QTreeWidgetItem([str(copy.path), _when(copy), _disk_state(copy)])
            item.setData(0, Qt.ItemDataRole.UserRole, copy)
            item.setToolTip(0, str(copy.path))
            self.list.addTopLevelItem(item)
        self.list.resizeColumnToContents(0)
        self.note = message_label(self, "recovery-note")
        self.error = message_label(self, "recovery-error", style=error_label_style(), hidden=True)

        self.compare_button = QPushButton("&Compare…", self)
        self.compare_button.setObjectName("recovery-compare")
        self.compare_button.setToolTip("Show the recovery copy beside the file on disk (nothing changes)")
        self.restore_button = QPushButton("&Restore", self)
        self.restore_button.setObjectName("recovery-restore")
        self.restore_button.setToolTip("Open the editor with the recovered text; it stays unsaved until you save")
        self.discard_button = QPushButton("&Discard…", self)
        self.discard_button.setObjectName("recovery-discard")
        self.discard_button.setToolTip("Delete the recovery copy (asks first)")
        self.later_button = QPushButton("&Later", self)
        self.later_button.setObjectName("recovery-later")
        self.later_button.setToolTip("Close; the copies are offered again at the next start")

        row = QHBoxLayout()
        for button in (self.compare_button, self.restore_button, self.discard_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.later_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.error)
        layout.addLayout(row)

        self.list.currentItemChanged.connect(lambda *_: self._update())
        self.compare_button.clicked.connect(self.compare)
        self.restore_button.clicked.connect(self.restore)
        self.discard_button.clicked.connect(self.discard)
        self.later_button.clicked.connect(self.close)
        self.list.setCurrentItem(self.list.topLevelItem(0))
        width = self.fontMetrics().averageCharWidth()
        self.resize(max(width * 100, self.list.columnWidth(0) + width * 50), self.fontMetrics().height() * 20)

    def copies(self) -> list[PendingCopy]:
        """The copies still listed."""
        return [
            self.list.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) for i in range(self.list.topLevelItemCount())
        ]

    def selected(self) -> PendingCopy | None:
        item = self.list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _update(self) -> None:
        copy = self.selected()
        for button in (self.compare_button, self.discard_button):
            button.setEnabled(copy is not None)
        self.restore_button.setEnabled(copy is not None and copy.unreadable is None)
        self.note.setText(_note(copy) if copy is not None else "")

    def _remove(self, path: Path) -> None:
        for index in range(self.list.topLevelItemCount()):
            if self.list.topLevelItem(index).data(0, Qt.ItemDataRole.UserRole).path == path:
                self.list.takeTopLevelItem(index)
                break
        if self.list.topLevelItemCount() == 0:
            self.close()  # every copy has been dealt with
            return
        self.list.setCurrentItem(self.list.topLevelItem(0))

    def compare(self) -> None:
        copy = self.selected()
        if copy is not None:
            CompareDialog(copy, self).open()

    def restore(self) -> None:
        """Opens the editor with the recovered text, unsaved; the copy stays until the file is saved."""
        copy = self.selected()
        if copy is None or copy.unreadable is not None:
            return
        editor = self._open_editor(copy.path)
        editor.keeper.restore_offered()
        self._remove(copy.path)

    def discard(self) -> None:
        copy = self.selected()
        if copy is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Discard Unsaved Changes",
            f"Discard the unsaved changes to {copy.path}?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("discard-recovery-copy")
        box.setInformativeText("The recovery copy is deleted, and its text cannot be brought back.")
        accept = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not accept:
            return
        show_message(self.error, None)
        store, path = self._store, copy.path
        self._tasks.submit(
            lambda: drop_recovery_copy(store, path),
            while_alive(self, lambda _result: self._remove(path)),
            while_alive(self, lambda error: self._discard_failed(path, error)),
        )

    def _discard_failed(self, path: Path, error: EngineError) -> None:
        logger.info("could not discard the recovery copy of %s: %s", path, error.detail or error.message)
        show_message(self.error, f"{error.message} The copy is still there; try again or choose Later.")


class _DiffColours(QSyntaxHighlighter):
    """Removed lines (the file on disk) in the error colour, added lines (the copy) in the OK colour."""

    def __init__(self, document: QTextDocument, palette):
        super().__init__(document)
        self._added, self._removed = QTextCharFormat(), QTextCharFormat()
        self._added.setForeground(QColor(text_colour("ok", palette)))
        self._removed.setForeground(QColor(text_colour("error", palette)))

    def highlightBlock(self, text: str) -> None:
        if text.startswith("+") and not text.startswith("+++"):
            self.setFormat(0, len(text), self._added)
        elif text.startswith("-") and not text.startswith("---"):
            self.setFormat(0, len(text), self._removed)


class CompareDialog(QDialog):
    """The recovery copy against the file on disk, as a unified diff; read-only."""

    def __init__(self, copy: PendingCopy, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("recovery-compare-dialog")
        self.setWindowTitle(f"Compare {copy.path.name}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if copy.disk_text is None:
            what = "The file cannot be read now" if copy.unreadable else "The file is gone"
            explanation = f"{what}: every line below (marked +) is from the recovery copy."
        else:
            explanation = (
                "Lines marked - are only in the file on disk; lines marked + are only in the recovery copy. "
                "Restore puts the + lines in the editor."
            )
        self.explanation = message_label(self, "compare-explanation", f"{copy.path}\n{explanation}")
        self.diff = QPlainTextEdit(self)
        self.diff.setObjectName("recovery-diff")
        self.diff.setAccessibleName("Differences")
        self.diff.setReadOnly(True)
        self.diff.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._colours = _DiffColours(self.diff.document(), self.diff.palette())
        self.diff.setPlainText(copy.diff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.diff, 1)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().height() * 32)
