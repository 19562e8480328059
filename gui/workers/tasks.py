"""Blocking core calls on a thread pool; results come back to the GUI thread as signals."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from gui.core import log
from gui.core.errors import EngineError, explain

logger = log.get("workers")

OnDone = Callable[[Any], None]
OnError = Callable[[EngineError], None]


class _Relay(QObject):
    """Lives in the GUI thread; the pool thread emits, and Qt queues the delivery over to here."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, runner: TaskRunner, on_done: OnDone | None, on_error: OnError | None):
        super().__init__()
        self._runner, self._on_done, self._on_error = runner, on_done, on_error
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    @Slot(object)
    def _deliver_result(self, result):
        try:
            if self._on_done and not _owner_gone(self._on_done):
                self._on_done(result)
        finally:
            self._runner._forget(self)

    @Slot(object)
    def _deliver_error(self, error):
        try:
            if self._on_error:
                if not _owner_gone(self._on_error):
                    self._on_error(error)
            else:
                self._runner.failed.emit(error)
        finally:
            self._runner._forget(self)


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


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay):
        super().__init__()
        self._fn, self._relay = fn, relay

    def run(self):
        try:
            result = self._fn()
        except Exception as exc:  # every failure becomes a sentence for the user, never a traceback
            error = explain(exc)
            logger.info("task failed: %s\n%s", error.message, "".join(traceback.format_exception(exc)))
            self._relay.failed.emit(error)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    """Runs short engine calls off the GUI thread."""

    busyChanged = Signal(bool)
    failed = Signal(object)  # errors of tasks submitted without their own handler

    def __init__(self, parent: QObject | None = None, max_threads: int = 4):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relays: set[_Relay] = set()  # kept alive until their result is delivered

    def submit(self, fn: Callable[[], Any], on_done: OnDone | None = None, on_error: OnError | None = None) -> None:
        relay = _Relay(self, on_done, on_error)
        self._relays.add(relay)
        if len(self._relays) == 1:
            self.busyChanged.emit(True)
        self._pool.start(_Job(fn, relay))

    def _forget(self, relay: _Relay) -> None:
        self._relays.discard(relay)
        relay.deleteLater()
        if not self._relays:
            self.busyChanged.emit(False)

    @property
    def active(self) -> int:
        return len(self._relays)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        return self._pool.waitForDone(msecs)
