"""Long-lived engine streams (events, logs, pull) in threads of their own, cancellable.

The reader thread only parses and queues; a GUI-thread timer drains the queue in batches, so a
container printing a million lines costs a few repaints, not a million queued signals.
"""

from __future__ import annotations

import collections
import threading
import traceback
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from gui.core import log
from gui.core.errors import EngineError, explain

if TYPE_CHECKING:
    from gui.core.engine.client import Stream

logger = log.get("workers")

BACKLOG_INTERVAL_MS = 10

# Every worker still alive, so tests can fail on a leaked thread and the app can stop them all on exit.
_live: weakref.WeakSet[StreamWorker] = weakref.WeakSet()


def live_workers() -> list[StreamWorker]:
    return [worker for worker in list(_live) if worker.running]


def stop_all(msecs: int = 5000) -> None:
    for worker in live_workers():
        worker.cancel()
    for worker in live_workers():
        worker.wait(msecs)


class _Reader(QThread):
    def __init__(self, owner: StreamWorker):
        super().__init__()
        self._owner = owner

    def run(self):
        self._owner._read()


class StreamWorker(QObject):
    """Reads one stream in its own thread and hands what it made to the GUI thread in batches."""

    batch = Signal(list)
    ended = Signal(object)  # None: ended or cancelled; EngineError: failed

    def __init__(
        self,
        open_stream: Callable[[], Stream],
        transform: Callable[[Any], Iterable[Any]] | None = None,
        finish: Callable[[], Iterable[Any]] | None = None,
        interval_ms: int = 50,
        max_pending: int = 100_000,
        max_batch: int = 250,
        name: str = "stream",
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.name = name
        self._open_stream = open_stream
        self._transform = transform or (lambda item: (item,))
        self._finish = finish or (lambda: ())
        self._pending: collections.deque = collections.deque(maxlen=max_pending)
        # At most this many items at a time: a burst (a build printing 20,000 lines at once) is shown in
        # short slices, with the window's own events (typing, painting) handled between them.
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._stream: Stream | None = None
        self._cancel_requested = threading.Event()
        self._result: EngineError | None = None
        self._done = threading.Event()
        self.dropped = 0  # items dropped because the GUI could not keep up (bounded memory)
        self._thread = _Reader(self)
        self._timer = QTimer(self)
        self._interval_ms = interval_ms
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._drain)
        self._finished = False
        self._silenced = False  # disposed: the owner no longer listens
        _live.add(self)

    @property
    def running(self) -> bool:
        return not self._finished

    @property
    def cancelled(self) -> bool:
        return self._cancel_requested.is_set()

    def start(self) -> None:
        self._thread.start()
        self._timer.start()

    def cancel(self) -> None:
        """Ends the stream from the GUI thread; `ended` follows with None."""
        self._cancel_requested.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.close()

    def dispose(self, msecs: int = 5000) -> None:
        """Cancel and forget: no more batches, no `ended`; returns once the reader thread is gone."""
        self._silenced = True
        self.cancel()
        self.wait(msecs)
        self.deleteLater()

    def wait(self, msecs: int = 5000) -> bool:
        """Blocks until the reader thread is gone and everything it read is delivered (shutdown, tests)."""
        finished = self._thread.wait(msecs)
        while finished and not self._finished:
            self._drain()
        return finished

    # Reader thread -------------------------------------------------------------------------------

    def _queue(self, items: Iterable[Any]) -> None:
        with self._lock:
            for item in items:
                if len(self._pending) == self._pending.maxlen:
                    self.dropped += 1
                self._pending.append(item)

    def _read(self) -> None:
        try:
            if self._cancel_requested.is_set():
                return
            stream = self._open_stream()
            with self._lock:
                self._stream = stream
            if self._cancel_requested.is_set():
                stream.close()
            for item in stream:
                self._queue(self._transform(item))
            self._queue(self._finish())
        except Exception as exc:
            if not self._cancel_requested.is_set():
                self._result = explain(exc)
                logger.info(
                    "%s stream failed: %s\n%s",
                    self.name,
                    self._result.message,
                    "".join(traceback.format_exception(exc)),
                )
        finally:
            with self._lock:
                stream, self._stream = self._stream, None
            if stream is not None:
                stream.close()
            self._done.set()

    # GUI thread ----------------------------------------------------------------------------------

    def _drain(self) -> None:
        if self._finished:
            return
        # Read "done" before taking items: everything queued before it is then in this batch.
        done = self._done.is_set() and not self._thread.isRunning()
        with self._lock:
            items = [self._pending.popleft() for _ in range(min(len(self._pending), self._max_batch))]
            more = bool(self._pending)
        if items and not self._silenced:
            self.batch.emit(items)
        # A backlog is drained at a quicker pace, still through the timer so other timers and input
        # get their turn between slices.
        self._timer.setInterval(BACKLOG_INTERVAL_MS if more else self._interval_ms)
        if done and not more:
            self._thread.wait()
            self._finished = True
            self._timer.stop()
            if not self._silenced:
                self.ended.emit(self._result)
