"""DiskKeeper: keeps the editor's text and its file on disk in step, so that no edit is ever lost.

It opens and saves the file (atomically, through gui.core.dockerfile.recovery), keeps a recovery copy of
unsaved text within a second of typing (also while typing goes on) and offers it back after a crash, and
watches the file so that a change made outside Portside is taken silently (no unsaved edits) or offered
for reload (unsaved edits). A file is saved back in the encoding and line endings it had (gui.core.dockerfile.
text_file) unless the user converts it to UTF-8; a file that is not text is refused, never shown empty.

Every disk access runs in a worker (session.tasks), one after another through a small queue so that an
autosave never lands after the save that discards it. The queue is plain Python: it keeps draining after
the widget is gone, so a save started just before closing still finishes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from gui.core import log
from gui.core.dockerfile.recovery import RecoveryStore, SaveFailed, keep_recovery_copy
from gui.core.dockerfile.text_file import (
    UTF8,
    NotText,
    OpenedTextDocument,
    TextDocument,
    TextForm,
    as_utf8,
    open_text_document,
    read_text_document,
    save_text_document,
)
from gui.core.errors import EngineError
from gui.views.dockerfile.notice_bar import NoticeBar
from gui.views.widgets.code_editor import CodeEditor
from gui.views.widgets.lifetime import while_alive

__all__ = ["AUTOSAVE_MAX_WAIT_MS", "AUTOSAVE_MS", "DISK_CHECK_MS", "DiskKeeper"]

logger = log.get("editor")

# A crash loses at most the last second of typing: the copy is written once typing pauses AUTOSAVE_MS, and
# at least every AUTOSAVE_MAX_WAIT_MS while it goes on (a pause-only timer would wait for the end of a burst).
AUTOSAVE_MS = 500
AUTOSAVE_MAX_WAIT_MS = 1000
DISK_CHECK_MS = 150  # file watcher bursts (write, rename, chmod) become one look at the file


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


class DiskKeeper(QObject):
    """The file behind one editor: opening, saving, recovery copies and changes made on disk.

    It owns the two bars that ask the user about the disk (a recovery copy to restore, a file changed or
    deleted outside Portside); the window places them and shows whatever the signals below report."""

    opened = Signal(Path)  # the file's text (or an empty new file) is in the editor
    openFailed = Signal(str)  # a sentence for the user; the editor now edits no file
    saved = Signal(Path)  # the file is on disk with the text that was saved
    saveFailed = Signal(str)  # a sentence for the user: what was saved (the recovery copy?) and what was not
    recoveryCopyFailed = Signal(str)  # a sentence for the user: unsaved text has no recovery copy
    formChanged = Signal(object)  # the file's TextForm (encoding, line endings) changed

    def __init__(self, editor: CodeEditor, tasks, recovery: RecoveryStore, parent: QWidget):
        super().__init__(parent)
        self.editor = editor
        self.recovery = recovery
        self._io = _DiskQueue(tasks)
        self._path: Path | None = None
        self._form: TextForm = UTF8  # how the file stores its text: saving writes it back the same way
        self._refused: Path | None = None  # a file that is not text: not opened, and the editor stays read-only
        self._disk_text: str | None = None  # what the file on disk holds, as far as we know
        self._writes: list[str] = []  # texts being written by our own saves
        self._recovery_text: str | None = None  # what the recovery copy holds (None: no copy of ours)
        self._recovered: str | None = None  # a recovery copy offered for restore
        self._external_text: str | None = None  # a changed file on disk offered for reload
        self._forget_recovery: list[Path] = []  # old names after a rename, whose copies go on save
        self._loading = False
        self._restore_on_open = False  # the start-up offer's Restore came before the file was read
        self._open_generation = 0
        self._closed = False
        self._autosaving = False
        self._checking = False
        self._check_again = False

        self.recovery_bar = NoticeBar("recovery-bar", "warning", parent)
        self.restore_button = self.recovery_bar.add_button("&Restore", "restore")
        self.discard_button = self.recovery_bar.add_button("&Discard", "discard-recovery")
        self.recovery_bar.close_button.hide()  # a choice is needed; the text shows until then
        self.external_bar = NoticeBar("external-bar", "warning", parent)
        self.reload_button = self.external_bar.add_button("Re&load", "reload")
        self.keep_button = self.external_bar.add_button("&Keep My Version", "keep-mine")
        self.resave_button = self.external_bar.add_button("&Save Again", "save-again")
        self.encoding_bar = NoticeBar("encoding-bar", "info", parent)
        self.convert_button = self.encoding_bar.add_button("&Convert to UTF-8", "convert-utf8")

        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS, timeout=self._autosave)
        self._max_wait_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MAX_WAIT_MS, timeout=self._autosave)
        self._disk_timer = QTimer(self, singleShot=True, interval=DISK_CHECK_MS, timeout=self._check_disk)
        self._watcher = QFileSystemWatcher(self)

        self.restore_button.clicked.connect(self.restore_recovered)
        self.discard_button.clicked.connect(self.discard_recovered)
        self.reload_button.clicked.connect(self.reload_from_disk)
        self.keep_button.clicked.connect(self._keep_mine)
        self.resave_button.clicked.connect(self.save)
        self.convert_button.clicked.connect(self.convert_to_utf8)
        self._watcher.fileChanged.connect(lambda _path: self._disk_timer.start())
        self._watcher.directoryChanged.connect(lambda _path: self._disk_timer.start())

    # State -------------------------------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def idle(self) -> bool:
        """True when no read, write or recovery copy is pending."""
        return self._io.idle

    @property
    def on_disk(self) -> bool:
        """True when the file exists, as far as the keeper knows (its text may differ from the editor's)."""
        return self._disk_text is not None

    @property
    def form(self) -> TextForm:
        """The encoding and line endings the file is saved with."""
        return self._form

    @property
    def refused(self) -> Path | None:
        """The file that was not opened because it is not text (the editor is read-only), else None."""
        return self._refused

    def is_writing(self, text: str) -> bool:
        """True while one of our saves is writing exactly `text`."""
        return text in self._writes

    def _is_modified(self) -> bool:
        return self.editor.document().isModified()

    # Opening -----------------------------------------------------------------------------------------------

    def open(self, path: Path) -> None:
        """Loads `path` (in a worker; `opened` or `openFailed` follows). A missing file opens empty and is
        created on save. The editor is read-only meanwhile."""
        self._path = path
        self._refused = None
        self._form = UTF8
        self._loading = True
        self._open_generation += 1
        generation = self._open_generation
        self._restore_on_open = False
        self._disk_text = None
        self._recovered = self._external_text = None
        self._recovery_text = None
        self.recovery_bar.hide()
        self.external_bar.hide()
        self.encoding_bar.hide()
        self.editor.setReadOnly(True)
        self.editor.setPlaceholderText(f"Opening {path.name}…")
        self._disarm_watcher()
        store = self.recovery
        self._io.submit(
            lambda: open_text_document(path, store),
            while_alive(self, lambda opened: self._on_opened(generation, path, opened)),
            while_alive(self, lambda error: self._on_open_failed(generation, path, error)),
        )

    def _on_opened(self, generation: int, path: Path, opened: OpenedTextDocument) -> None:
        if generation != self._open_generation:
            return  # another open() came after this one
        self._loading = False
        self.editor.setReadOnly(False)
        self.editor.setPlaceholderText("")
        self._disk_text = opened.document.text
        self._set_form(opened.document.form)
        text = opened.document.text if opened.document.text is not None else ""
        self.editor.setPlainText(text)  # a new undo history: the file as it is on disk
        self.editor.document().setModified(False)
        self._arm_watcher(exists=opened.document.text is not None)
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
            self.discard_recovery_copy()  # the copy holds what the file holds: nothing to offer
        if self._restore_on_open:
            self._restore_on_open = False
            self.restore_recovered()
        self.opened.emit(path)

    def _on_open_failed(self, generation: int, path: Path, error: EngineError) -> None:
        if generation != self._open_generation:
            return
        logger.info("could not open %s: %s", path, error.detail or error.message)
        self._loading = False
        self._path = None  # never save over a file we could not read
        if isinstance(error, NotText):  # nothing to edit: an empty editor would invite saving over it
            self._refused = path
            self.editor.setPlaceholderText(f"{path.name} was not opened: it is not a text file.")
        else:
            self.editor.setPlaceholderText("")
            self.editor.setReadOnly(False)
        self.openFailed.emit(error.message)

    # Saving ------------------------------------------------------------------------------------------------

    def save(self) -> bool:
        """Writes the text atomically, in a worker. True when the write started (`saved` reports the end,
        `saveFailed` a failure); False while loading or with no file to save to."""
        if self._loading or self._path is None:
            return False
        path, text, store, form = self._path, self.editor.toPlainText(), self.recovery, self._form
        forget = tuple(self._forget_recovery)
        self._forget_recovery.clear()
        self._writes.append(text)
        self._io.submit(
            lambda: save_text_document(path, text, form, store, forget),
            while_alive(self, lambda _result: self._on_saved(path, text)),
            while_alive(self, lambda error: self._on_save_failed(path, text, error)),
        )
        return True

    def rename(self, path: Path) -> None:
        """The text belongs to `path` from now on (save as); the old name's recovery copy goes at the next save."""
        if self._path is not None and self._path != path:
            self._forget_recovery.append(self._path)
        self._path = path
        self._disk_text = None
        self._disarm_watcher()
        self.external_bar.hide()

    def _on_saved(self, path: Path, text: str) -> None:
        self._writes.remove(text)
        if path != self._path:
            return
        self._disk_text = text
        if self._form.mixed_newlines:  # the save wrote one line ending everywhere
            self._set_form(replace(self._form, mixed_newlines=False))
        if self.editor.toPlainText() == text:
            self.editor.document().setModified(False)
            self._recovery_text = None
        if self._external_text is None:
            self.external_bar.hide()
        self._arm_watcher(exists=True)
        self.saved.emit(path)

    def _on_save_failed(self, path: Path, text: str, error: EngineError) -> None:
        self._writes.remove(text)
        logger.info("save of %s failed: %s", path, error.detail or error.message)
        if not isinstance(error, SaveFailed):  # no word on the recovery copy: claim nothing about it
            self.saveFailed.emit(f"{error.message} Your text is still here: try again or save it elsewhere.")
            return
        if path == self._path:
            # What the copy on disk holds now, so the next autosave writes it again only when needed.
            self._recovery_text = text if error.recovery_saved else None
        self.saveFailed.emit(error.message)

    def shut_down(self) -> None:
        """The editor is closing: no more autosaves or looks at the file (queued disk jobs still finish)."""
        self._closed = True
        self._autosave_timer.stop()
        self._max_wait_timer.stop()
        self._disk_timer.stop()
        self._disarm_watcher()

    # Recovery copies ---------------------------------------------------------------------------------------

    def text_edited(self) -> None:
        """The user changed the text: a recovery copy follows once typing pauses AUTOSAVE_MS, and no later
        than AUTOSAVE_MAX_WAIT_MS after this edit's burst began."""
        if self._closed or self._loading or self._path is None:
            return
        self._autosave_timer.start()  # (re)started by every edit
        if not self._max_wait_timer.isActive():
            self._max_wait_timer.start()  # started by the first edit since the last copy

    def _autosave(self) -> None:
        self._autosave_timer.stop()
        self._max_wait_timer.stop()
        if self._closed or self._loading or self._path is None:
            return
        path, store = self._path, self.recovery
        if not self._is_modified():
            if self._recovery_text is not None:  # undone back to the saved text: the copy is not needed
                self.discard_recovery_copy()
            return
        text = self.editor.toPlainText()
        if text == self._recovery_text:
            return
        if self._autosaving:  # a slow disk: one copy at a time, the next one a little later
            self._autosave_timer.start()
            return
        self._recovery_text = text
        self._autosaving = True
        self._io.submit(
            lambda: keep_recovery_copy(store, path, text),
            while_alive(self, self._on_autosaved),
            while_alive(self, self._on_autosave_failed),
        )

    def _on_autosaved(self, _result=None) -> None:
        self._autosaving = False

    def _on_autosave_failed(self, error: EngineError) -> None:
        self._autosaving = False
        logger.info("recovery copy failed: %s", error.detail or error.message)
        self._recovery_text = None  # try again at the next autosave
        self.recoveryCopyFailed.emit(f"{error.message} Your unsaved changes are only in this window: save them soon.")

    def discard_recovery_copy(self) -> None:
        """Removes the recovery copy of the current file (in the queue, after any pending save)."""
        if self._path is None:
            return
        path, store = self._path, self.recovery
        self._recovery_text = None
        self._io.submit(lambda: store.discard(path))

    def restore_recovered(self) -> None:
        """Puts the recovered text in the editor (one undoable edit: Undo goes back to the file's text)."""
        recovered, self._recovered = self._recovered, None
        self.recovery_bar.hide()
        if recovered is None:
            return
        self.editor.replace_text(recovered)
        self._recovery_text = recovered  # the copy on disk already holds exactly this
        self.editor.setFocus()

    def restore_offered(self) -> None:
        """The start-up offer's Restore: the recovery copy goes into the editor (once the file is read)."""
        if self._loading:
            self._restore_on_open = True
        else:
            self.restore_recovered()

    def discard_recovered(self) -> None:
        """Throws the offered recovery copy away."""
        self._recovered = None
        self.recovery_bar.hide()
        self.discard_recovery_copy()
        self.editor.setFocus()

    # Changes on disk ---------------------------------------------------------------------------------------

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
            lambda: read_text_document(path),
            while_alive(self, lambda disk: self._on_disk_read(path, disk)),
            while_alive(self, lambda error: self._on_disk_unreadable(path, error)),
        )

    def _disk_check_done(self) -> None:
        self._checking = False
        if self._check_again:
            self._check_again = False
            self._disk_timer.start()

    def _on_disk_unreadable(self, path: Path, error: EngineError) -> None:
        self._disk_check_done()
        logger.info("could not look at %s: %s", path, error.message)

    def _on_disk_read(self, path: Path, disk: TextDocument) -> None:
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
        self._set_form(disk.form)
        if not self._is_modified():
            self._take_disk_text(disk.text)  # nothing of the user's to lose: follow the file silently
            return
        if self.editor.toPlainText() == disk.text:
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
            self.discard_recovery_copy()

    def reload_from_disk(self) -> None:
        """Replaces the text with the file's (one undoable edit, so the user's version is one Undo away)."""
        text, self._external_text = self._external_text, None
        self.external_bar.hide()
        if text is None:
            return
        self._take_disk_text(text)

    def _keep_mine(self) -> None:
        self._disk_text = self._external_text
        self._external_text = None
        self.external_bar.hide()
        self.editor.document().setModified(True)
        self.editor.setFocus()

    # Encodings ---------------------------------------------------------------------------------------------

    def _set_form(self, form: TextForm) -> None:
        """Remembers how the file stores its text and, when that is not plain UTF-8 or mixes line endings (which
        the next save evens out), says so above the text."""
        self._form = form
        sentences = []
        if not form.is_plain_utf8:
            sentences.append(
                f"This file is {form.label} text. Portside saves it back that way; "
                "convert it to use UTF-8, the usual encoding for Dockerfiles."
            )
        if form.mixed_newlines:
            ending = "CRLF" if form.newline == "\r\n" else "LF"
            sentences.append(
                "This file mixes Windows (CRLF) and Unix (LF) line endings; "
                f"Portside will save it with {ending} everywhere."
            )
        self.convert_button.setVisible(not form.is_plain_utf8)
        if sentences:
            self.encoding_bar.show_text(" ".join(sentences), "info")
        else:
            self.encoding_bar.hide()
        self.formChanged.emit(form)

    def convert_to_utf8(self) -> None:
        """The next save writes UTF-8 (same line endings). The text counts as changed until then."""
        self._set_form(as_utf8(self._form))
        self.editor.document().setModified(True)
        self.editor.setFocus()
