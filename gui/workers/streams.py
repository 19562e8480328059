"""Long-lived engine streams (events, logs, pull) in threads of their own, cancellable.

The reader thread only parses and queues; a GUI-thread timer drains the queue in batches, so a
container printing a million lines costs a few repaints, not a million queued signals.

The GUI thread never waits for a reader (issue 15). Cancelling closes the stream's socket, so a reader
blocked on it wakes and ends. A reader blocked before the stream exists (an engine that accepts the
request and never answers) cannot be woken: it is abandoned, a daemon thread that touches no Qt object
of its own, sees the cancel once the engine answers or hangs up, closes what it opened and ends.
"""

from __future__ import annotations

import collections
import functools
import itertools
import threading
import traceback
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from gui.core import log
from gui.core.errors import EngineError, explain
from gui.workers.priority import give_way_to_gui_thread

if TYPE_CHECKING:
    from gui.core.engine.client import Stream

logger = log.get("workers")

BACKLOG_INTERVAL_MS = 10

# Every worker still alive, so tests can fail on a leaked thread and the app can cancel them all on exit.
_live: weakref.WeakSet[StreamWorker] = weakref.WeakSet()
# A reader's callables may hold Qt objects (a window's method, an owner that holds its own parent): the last
# reference to them must be dropped in the GUI thread from Python code, never by a reader thread, nor inside a
# Qt destructor (freeing a parent there deletes it a second time). So every reader is kept here until its thread
# is gone, and every worker until the event loop's next turn after Qt deleted it.
_readers: set[_Reader] = set()
_workers: dict[int, StreamWorker] = {}
_worker_keys = itertools.count()


def live_workers() -> list[StreamWorker]:
    return [worker for worker in list(_live) if worker.running]


def abandoned_readers() -> list[_Reader]:
    """Reader threads given up on by a disposed worker and still running (tests wait for them to end)."""
    _sweep()
    return [reader for reader in _readers if reader.abandoned and reader.alive]


def cancel_all() -> None:
    """Cancels every stream; waits for none (quitting)."""
    for worker in live_workers():
        worker.cancel()


def stop_all(msecs: int = 5000) -> None:
    """Cancels every stream and waits for each, a bounded time (tests only: the app never waits)."""
    cancel_all()
    for worker in live_workers():
        worker.wait(msecs)


def _sweep() -> None:
    """GUI thread: forget the readers whose thread is gone and that no worker drains."""
    for reader in [reader for reader in _readers if not reader.drained_by_worker and not reader.alive]:
        _readers.discard(reader)


def _destroyed(key: int, reader: _Reader, *_args) -> None:
    """A worker's C++ side is gone (disposed, or deleted with its parent): this runs inside Qt's destructor."""
    _let_go(reader)
    QTimer.singleShot(0, functools.partial(_workers.pop, key, None))


def _let_go(reader: _Reader) -> None:
    """GUI thread: its worker no longer drains the reader (disposed, or deleted with its parent); cancel it
    and leave it to end by itself. The sweep comes later: this may run inside a Qt destructor."""
    if not reader.drained_by_worker:
        return
    reader.drained_by_worker = False
    reader.cancel()
    reader.abandoned = reader.thread.ident is not None and not reader.done.is_set()
    QTimer.singleShot(0, _sweep)


class _Reader:
    """The reader thread's side of a stream: plain Python, so a thread the GUI gave up on never touches an
    object that is gone."""

    def __init__(self, open_stream, transform, finish, max_pending: int, name: str):
        self.name = name
        self._open_stream = open_stream
        self._transform = transform
        self._finish = finish
        self.pending: collections.deque = collections.deque(maxlen=max_pending)
        self.lock = threading.Lock()
        self._stream: Stream | None = None
        self.cancel_requested = threading.Event()
        self.result: EngineError | None = None
        self.done = threading.Event()  # set last: everything read is in `pending`
        self.answered = False  # the engine answered and the stream is open: cancel() can close its socket
        self.dropped = 0  # items dropped because the GUI could not keep up (bounded memory)
        self.abandoned = False  # its worker let go while it still ran (GUI thread only)
        self.drained_by_worker = True  # (GUI thread only)
        self.thread = threading.Thread(target=self._read, name=f"portside {name}", daemon=True)

    def start(self) -> None:
        _sweep()
        _readers.add(self)
        self.thread.start()

    def cancel(self) -> None:
        """Any thread. Closing the stream closes its socket: a reader blocked on it sees the end at once."""
        self.cancel_requested.set()
        with self.lock:
            stream = self._stream
        if stream is not None:
            stream.close()

    @property
    def alive(self) -> bool:
        """Started and not yet gone (the thread has let go of this reader once this is False)."""
        return self.thread.ident is not None and self.thread.is_alive()

    def _queue(self, items: Iterable[Any]) -> None:
        with self.lock:
            for item in items:
                if len(self.pending) == self.pending.maxlen:
                    self.dropped += 1
                self.pending.append(item)

    def _read(self) -> None:
        give_way_to_gui_thread()
        try:
            if self.cancel_requested.is_set():
                return
            stream = self._open_stream()
            with self.lock:
                self._stream = stream
                self.answered = True
            if self.cancel_requested.is_set():  # cancelled while the engine took its time to answer
                stream.close()
            for item in stream:
                self._queue(self._transform(item))
            self._queue(self._finish())
        except Exception as exc:
            if not self.cancel_requested.is_set():
                self.result = explain(exc)
                logger.info(
                    "%s stream failed: %s\n%s",
                    self.name,
                    self.result.message,
                    "".join(traceback.format_exception(exc)),
                )
        finally:
            with self.lock:
                stream, self._stream = self._stream, None
            if stream is not None:
                try:
                    stream.close()
                except Exception as exc:  # already closed by the engine going away
                    logger.debug("closing the %s stream: %s", self.name, exc)
            self.done.set()


class StreamWorker(QObject):
    """Reads one stream in its own thread and hands what it made to the GUI thread in batches."""

    # A list, declared as object: PySide hands an object over as it is, while a list signal copies every item
    # through a QVariant (some 1.3 µs a line of a log, more than showing it).
    batch = Signal(object)
    opened = Signal()  # the engine answered: the stream is open (at the first drain after it did)
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
        self._reader = _Reader(
            open_stream, transform or (lambda item: (item,)), finish or (lambda: ()), max_pending, name
        )
        # At most this many items at a time: a burst (a build printing 20,000 lines at once) is shown in
        # short slices, with the window's own events (typing, painting) handled between them.
        self._max_batch = max_batch
        self._timer = QTimer(self)
        self._interval_ms = interval_ms
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._drain)
        self._finished = False
        self._opened = False
        self._disposed = False  # the owner no longer listens
        self._gave_up = False  # cancelled before the engine answered: the reader is abandoned, `ended` comes anyway
        # Deleted with its parent, never disposed: the stream still ends, and its reader is not left running.
        key = next(_worker_keys)
        _workers[key] = self
        self.destroyed.connect(functools.partial(_destroyed, key, self._reader))
        _live.add(self)

    @property
    def running(self) -> bool:
        return not self._finished and not self._disposed

    @property
    def cancelled(self) -> bool:
        return self._reader.cancel_requested.is_set()

    @property
    def dropped(self) -> int:
        return self._reader.dropped

    def start(self) -> None:
        self._reader.start()
        self._timer.start()

    def cancel(self) -> None:
        """Ends the stream from the GUI thread, without waiting; `ended` follows with None.

        A reader still waiting for the engine's first answer has no socket to close (an engine that took the
        request and says nothing): it is let go, as dispose() does, and `ended` comes at the next drain anyway,
        so Cancel ends a transfer or a build whatever the engine does (issue 15)."""
        reader = self._reader
        reader.cancel()
        with reader.lock:
            waiting = not reader.answered
        if waiting and self.running and reader.thread.ident is not None and not reader.done.is_set():
            self._gave_up = True
            _let_go(reader)

    def dispose(self) -> None:
        """Cancel and forget, at once: no more batches, no `ended`. A reader still blocked on the engine is
        left to end by itself (see the module's docstring)."""
        self._disposed = True
        self._timer.stop()
        _let_go(self._reader)
        self.deleteLater()

    def wait(self, msecs: int = 5000) -> bool:
        """Blocks until the reader thread is gone and everything it read is delivered. Tests only: the app
        never waits for a reader."""
        reader = self._reader
        if reader.thread.ident is not None:
            reader.thread.join(msecs / 1000)
        finished = reader.done.is_set()
        while finished and not self._finished and not self._disposed:
            self._drain()
        return finished

    # GUI thread ----------------------------------------------------------------------------------

    def _drain(self) -> None:
        if self._finished or self._disposed:
            return
        reader = self._reader
        if not self._opened and reader.answered:
            self._opened = True
            self.opened.emit()
            if self._disposed:
                return
        # Read "done" before taking items: everything queued before it is then in this batch.
        done = reader.done.is_set() or self._gave_up
        with reader.lock:
            items = [reader.pending.popleft() for _ in range(min(len(reader.pending), self._max_batch))]
            more = bool(reader.pending)
        if items:
            self.batch.emit(items)
            if self._disposed:  # the owner let go of it while handling the batch
                return
        # A backlog is drained at a quicker pace, still through the timer so other timers and input
        # get their turn between slices.
        self._timer.setInterval(BACKLOG_INTERVAL_MS if more else self._interval_ms)
        if done and not more:
            self._finished = True
            self._timer.stop()
            reader.drained_by_worker = False
            QTimer.singleShot(0, _sweep)
            self.ended.emit(reader.result)
