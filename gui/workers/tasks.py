"""Blocking core calls on a few daemon threads; results come back to the GUI thread as signals.

The threads are Python daemon threads, not a QThreadPool: a pool waits for its jobs when it is deleted, so
quitting while the engine sat on a request froze the app for as long as the request (issue 15). A job stuck
on the engine is abandoned instead; its late answer is dropped or, for a deleted widget, never delivered.
"""

from __future__ import annotations

import collections
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from gui.core import log
from gui.core.errors import EngineError, explain

logger = log.get("workers")

OnDone = Callable[[Any], None]
OnError = Callable[[EngineError], None]

IDLE_THREAD_S = 30.0  # a pool thread with nothing to do for this long ends
# A job running this long is waiting (on an engine that hangs), not working: it no longer counts against the pool's
# size, so jobs behind it (a save, a recovery copy, a form check) get a spare thread rather than waiting for ever.
STUCK_S = 2.0
SPARE_THREADS = 16  # at most this many spares beside a pool of several threads (one of one thread keeps its order)

# Relays of jobs in flight, kept here until their answer is delivered in the GUI thread. A relay holds the job
# and its callbacks, which may hold widgets: those are released in the GUI thread (_forget), never by a pool
# thread dropping the last reference to them.
_in_flight: set[_Relay] = set()


class _Relay(QObject):
    """One job: lives in the GUI thread; the pool thread runs it and emits, and Qt queues the delivery here."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: TaskRunner, fn: Callable[[], Any], on_done: OnDone | None, on_error: OnError | None):
        super().__init__()
        self._runner, self._fn, self._on_done, self._on_error = runner, fn, on_done, on_error
        self.dropped = False  # the runner no longer wants the answer
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    def run(self) -> None:
        """In a pool thread: the job, then its answer sent to the GUI thread."""
        try:
            result = self._fn()
        except Exception as exc:  # every failure becomes a sentence for the user, never a traceback
            error = explain(exc)
            logger.info("task failed: %s\n%s", error.message, "".join(traceback.format_exception(exc)))
            _send(self.failed, error)
        else:
            _send(self.succeeded, result)

    @Slot(object)
    def _deliver_result(self, result):
        try:
            if self._on_done and not self.dropped and not _owner_gone(self._on_done):
                self._on_done(result)
        finally:
            self._forget()

    @Slot(object)
    def _deliver_error(self, error):
        try:
            if self.dropped:
                pass
            elif self._on_error:
                if not _owner_gone(self._on_error):
                    self._on_error(error)
            elif shiboken6.isValid(self._runner):
                self._runner.failed.emit(error)
        finally:
            self._forget()

    def _forget(self) -> None:
        runner = self._runner
        # Released here, in the GUI thread; the pool thread may still hold the relay itself a moment longer.
        self._runner = self._fn = self._on_done = self._on_error = None
        _in_flight.discard(self)
        if shiboken6.isValid(runner):
            runner._forget(self)
        self.deleteLater()


def _owner_gone(callback: Callable) -> bool:
    """True when the widget that asked (a bound method's object, or the QObject a lambda captured) has been
    deleted meanwhile, e.g. a dialog closed with its window: its answer has nobody left to show it to."""
    owners = [getattr(callback, "__self__", None)]
    owners += [cell.cell_contents for cell in getattr(callback, "__closure__", None) or () if _filled(cell)]
    return any(isinstance(owner, QObject) and not shiboken6.isValid(owner) for owner in owners)


def _filled(cell) -> bool:
    try:
        cell.cell_contents  # noqa: B018  (reading it raises ValueError when empty)
    except ValueError:  # a closure variable not assigned yet
        return False
    return True


class _Pool:
    """Up to `size` daemon threads taking jobs in order, plus up to `spares` more while jobs are stuck (see STUCK_S);
    plain Python, so no thread ever waits for another."""

    def __init__(self, size: int, spares: int = 0):
        self._size = max(1, size)
        self._spares = spares
        self._jobs: collections.deque = collections.deque()
        self._changed = threading.Condition()
        self._threads = 0
        self._idle = 0
        self._running = 0
        self._began: dict[int, float] = {}  # thread id -> when its job began
        self._recheck_due = False

    def start(self, job: _Relay) -> None:
        with self._changed:
            self._jobs.append(job)
            self._grow()
            self._changed.notify_all()  # all: wait_idle() waits on the same condition

    def _grow(self) -> None:
        """Under the lock: threads for the jobs no thread will take, while fewer than `size` jobs are working (not
        stuck); else a second look once the oldest of the working ones counts as stuck."""
        now = time.monotonic()
        starting = self._threads - self._idle - self._running  # started, about to take a job
        working = starting + sum(1 for began in self._began.values() if now - began < STUCK_S)
        waiting = len(self._jobs) - self._idle - starting
        most = self._size + self._spares
        while waiting > 0 and self._threads < most and (self._threads < self._size or working < self._size):
            self._threads += 1
            working += 1
            waiting -= 1
            threading.Thread(target=self._work, name="portside task", daemon=True).start()
        young = [began for began in self._began.values() if now - began < STUCK_S]
        if waiting > 0 and self._threads < most and young and not self._recheck_due:
            self._recheck_due = True
            recheck = threading.Timer(STUCK_S - (now - min(young)) + 0.05, self._recheck)
            recheck.daemon = True
            recheck.start()

    def _recheck(self) -> None:
        with self._changed:
            self._recheck_due = False
            self._grow()

    def wait_idle(self, seconds: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: not self._jobs and not self._running, seconds)

    def _work(self) -> None:
        while True:
            with self._changed:
                self._idle += 1
                self._changed.wait_for(lambda: bool(self._jobs), IDLE_THREAD_S)
                self._idle -= 1
                if not self._jobs:
                    self._threads -= 1
                    return
                job = self._jobs.popleft()
                self._running += 1
                self._began[threading.get_ident()] = time.monotonic()
            try:
                job.run()
                del job  # the relay's job and callbacks are released by the GUI thread, not here
            finally:
                with self._changed:
                    self._running -= 1
                    self._began.pop(threading.get_ident(), None)
                    self._changed.notify_all()


class TaskRunner(QObject):
    """Runs short engine calls off the GUI thread."""

    busyChanged = Signal(bool)
    failed = Signal(object)  # errors of tasks submitted without their own handler

    def __init__(self, parent: QObject | None = None, max_threads: int = 4):
        super().__init__(parent)
        # Several threads keep no order anyway: those get spares beside stuck jobs; one thread keeps its jobs' order.
        self._pool = _Pool(max_threads, SPARE_THREADS if max_threads > 1 else 0)
        self._relays: set[_Relay] = set()  # answers still wanted

    def submit(self, fn: Callable[[], Any], on_done: OnDone | None = None, on_error: OnError | None = None) -> None:
        relay = _Relay(self, fn, on_done, on_error)
        _in_flight.add(relay)
        self._relays.add(relay)
        if len(self._relays) == 1:
            self.busyChanged.emit(True)
        self._pool.start(relay)

    def _forget(self, relay: _Relay) -> None:
        if relay not in self._relays:
            return
        self._relays.discard(relay)
        if not self._relays:
            self.busyChanged.emit(False)

    def drop_pending(self) -> None:
        """The answers of the jobs in flight are no longer wanted: they are dropped when they come. Waits for
        nothing; a job stuck on the engine ends in its own time."""
        relays, self._relays = self._relays, set()
        for relay in relays:
            relay.dropped = True
        if relays:
            self.busyChanged.emit(False)

    @property
    def active(self) -> int:
        return len(self._relays)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Blocks until every job has run (tests, and the app's bounded grace for disk saves when it quits)."""
        return self._pool.wait_idle(msecs / 1000)


def _send(signal, value) -> None:
    try:
        signal.emit(value)
    except RuntimeError:  # the app is gone (quitting): nobody is left to answer
        pass
