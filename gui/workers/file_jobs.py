"""One file job (a folder listing, a download, an upload) on a daemon thread of its own, cancellable.

The thread touches no Qt object: it leaves its progress and its outcome in a plain `_Shared`, and a timer in the GUI
thread hands them on as signals, progress at most PROGRESS_PER_S times a second. So a job whose window has closed
meanwhile has nobody to call, and no Qt object is ever released by the job's thread. Cancel sets the job's Event; the
backend sees it between pieces and raises, so the thread ends soon after.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from gui.core import log
from gui.core.errors import EngineError
from gui.core.files.entries import FilesCancelled

logger = log.get("files")

Progress = Callable[[int, "int | None"], None]
Work = Callable[[Progress, threading.Event], Any]  # the blocking call: (progress, cancel) -> result

PROGRESS_PER_S = 20
DELIVER_MS = 1000 // PROGRESS_PER_S
CLOSE_WAIT_S = 10.0  # how long closing waits (on its own thread) for cancelled jobs before backend.close()

_threads: set[threading.Thread] = set()  # every job thread started and not yet ended (tests wait on these)
_threads_lock = threading.Lock()


def live_threads() -> list[threading.Thread]:
    """The job threads still running (tests check that none is left behind)."""
    with _threads_lock:
        return [thread for thread in _threads if thread.is_alive()]


class _Shared:
    """What the job's thread and the GUI thread share: plain Python under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cancel = threading.Event()
        self.progress: tuple[int, int | None] | None = None  # the latest, not yet delivered
        self.outcome: tuple[bool, Any] | None = None  # (succeeded, result or exception)

    def report(self, done: int, total: int | None) -> None:
        if not self.cancel.is_set():
            with self.lock:
                self.progress = (done, total)

    def end(self, succeeded: bool, value: Any) -> None:
        with self.lock:
            self.outcome = (succeeded, value)

    def take(self) -> tuple[tuple[int, int | None] | None, tuple[bool, Any] | None]:
        with self.lock:
            progress, self.progress = self.progress, None
            return progress, self.outcome


def _run(shared: _Shared, work: Work, name: str) -> None:
    try:
        result = work(shared.report, shared.cancel)
    except Exception as exc:  # every failure is the view's to word; nothing escapes the thread
        if not isinstance(exc, (EngineError, OSError, FilesCancelled)):
            logger.info("%s failed:\n%s", name, "".join(traceback.format_exception(exc)))
        shared.end(False, exc)
    else:
        shared.end(True, result)
    finally:
        with _threads_lock:
            _threads.discard(threading.current_thread())


class FileJob(QObject):
    """Runs `work(progress, cancel)` once, off the GUI thread. `progress(done, total)` while it runs, then either
    `finished(result)` or `failed(exception)` (a FilesCancelled when it stopped for cancel)."""

    progress = Signal(int, object)  # bytes so far, total bytes or None
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Work, name: str = "file job", parent: QObject | None = None):
        super().__init__(parent)
        self._work = work
        self._name = name
        self._shared: _Shared | None = None
        self.thread: threading.Thread | None = None
        self._timer = QTimer(self, interval=DELIVER_MS, timeout=self._deliver)

    @property
    def running(self) -> bool:
        """Started, and its outcome not delivered yet."""
        return self._timer.isActive()

    def start(self) -> None:
        if self._shared is not None:
            raise RuntimeError("a FileJob runs once")
        shared = self._shared = _Shared()
        thread = self.thread = threading.Thread(
            target=_run, args=(shared, self._work, self._name), name=f"portside {self._name}", daemon=True
        )
        with _threads_lock:
            _threads.add(thread)
        thread.start()
        self._timer.start()

    def cancel(self) -> None:
        """Asks the work to stop; its outcome (usually FilesCancelled) still comes. Waits for nothing."""
        if self._shared is not None:
            self._shared.cancel.set()

    def abandon(self) -> None:
        """Cancels and drops the outcome: nobody wants it any more (a newer listing, a closed window)."""
        self.cancel()
        self._timer.stop()

    def _deliver(self) -> None:
        progress, outcome = self._shared.take()
        if progress is not None and outcome is None:
            self.progress.emit(*progress)
        if outcome is None:
            return
        self._timer.stop()
        succeeded, value = outcome
        self._work = None  # released here, in the GUI thread
        (self.finished if succeeded else self.failed).emit(value)


def close_after(jobs: Iterable[FileJob], close: Callable[[], None], name: str = "close files") -> None:
    """Cancels `jobs`, then runs `close` on a thread of its own once their threads ended (at most CLOSE_WAIT_S), so a
    helper container is removed after the transfers that read from it stopped. The GUI thread waits for nothing."""
    threads = []
    for job in jobs:
        job.abandon()
        if job.thread is not None:
            threads.append(job.thread)

    def run(progress: Progress, cancel: threading.Event) -> None:
        for thread in threads:
            thread.join(CLOSE_WAIT_S)
        try:
            close()
        except Exception as exc:  # the window is gone: the log is the one place left to say it
            logger.warning("could not %s: %s", name, getattr(exc, "message", exc))

    shared = _Shared()
    thread = threading.Thread(target=_run, args=(shared, run, name), name=f"portside {name}", daemon=True)
    with _threads_lock:
        _threads.add(thread)
    thread.start()
