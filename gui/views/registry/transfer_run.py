"""One pull or push in flight: the engine's stream read in a thread of its own, each batch of messages folded
into the progress and shown in a TransferView, and the ending said in the dialog's own words.

The run decides how the transfer ended (succeeded, failed or cancelled); the dialog says what follows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from gui.core.errors import EngineError, StreamError
from gui.views.registry.transfer_view import TransferView
from gui.workers.streams import StreamWorker

if TYPE_CHECKING:
    from gui.core.engine.client import Stream
    from gui.core.registry.transfer import TransferProgress


@dataclass(frozen=True)
class TransferWords:
    """What the status line says, in the dialog's words."""

    going: str  # "Pushing": the reference and an ellipsis follow
    failed: str  # "The push failed."
    cancelled: str  # "Push cancelled."
    ended_early: str  # the error shown when the stream closed without the engine's confirmation


class TransferRun(QObject):
    ended = Signal(bool, str)  # succeeded; if not, the error to show ("" after a cancel)

    def __init__(self, view: TransferView, name: str, words: TransferWords, parent: QObject | None = None):
        super().__init__(parent)
        self.name = name  # "pull" or "push": names the reader thread
        self._view = view
        self._words = words
        self._worker: StreamWorker | None = None
        self._progress: TransferProgress | None = None  # set by start(), before any message can arrive
        self._failure: EngineError | None = None  # reported inside the stream, which may still be open
        self._reference = ""

    @property
    def running(self) -> bool:
        return self._worker is not None

    def start(self, reference: str, progress: TransferProgress, open_stream: Callable[[], Stream]) -> None:
        """Shows `progress` from empty, then reads what `open_stream` opens (called in the stream's thread)."""
        self._reference, self._progress, self._failure = reference, progress, None
        self._view.clear()
        self._view.show_status(f"{self._words.going} {reference}…")
        self._view.show_progress(progress)
        self._worker = StreamWorker(open_stream, name=self.name, parent=self)
        self._worker.batch.connect(self._on_messages)
        self._worker.ended.connect(self._on_ended)
        self._worker.start()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()  # closes the stream: the engine abandons the transfer, as Ctrl+C does
            self._view.show_status("Cancelling…")

    def abandon(self) -> None:
        """The dialog is closing: cancel the transfer (its socket closes, so the engine stops it) and let the
        reader thread end by itself. Never waited for on the GUI thread: a silent engine would freeze it."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.dispose()

    def _on_messages(self, messages: list) -> None:
        if self._failure is not None:
            return
        try:
            for message in messages:
                self._progress.feed(message)
        except StreamError as error:
            self._failure = error
            if self._worker is not None:
                self._worker.cancel()  # the engine has given up on this transfer: stop reading
        self._view.show_progress(self._progress)

    def _on_ended(self, error: EngineError | None) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.deleteLater()
        failure = self._failure or error
        if failure is not None:  # before the cancel: a failure in the stream cancels the worker too
            self._end_unsuccessfully(self._words.failed, failure.message)
        elif worker is not None and worker.cancelled:
            self._end_unsuccessfully(self._words.cancelled, "")
        elif not self._progress.finished:
            self._end_unsuccessfully(self._words.failed, self._words.ended_early)
        else:
            self._view.show_progress(self._progress)
            self.ended.emit(True, "")

    def _end_unsuccessfully(self, status: str, error: str) -> None:
        self._view.stop_busy_bar()
        self._view.show_status(status)
        self.ended.emit(False, error)
