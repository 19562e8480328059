"""Python's cyclic garbage collector, run in the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate: a stats or log reader thread can
then destroy a QObject that lives in the GUI thread, while that thread still delivers events to it, and the
app crashes in QObject's destructor. (pyqtgraph ships the same remedy as util.GarbageCollector.) Reference
counting still frees almost everything at once; only cycles wait for the timer."""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000
# A full collection slower than this means many long-lived objects (modules, widgets, Qt wrappers): they are
# frozen out of later full collections, which took 180 ms with 100 containers monitored, a visible stall.
SLOW_FULL_COLLECTION_S = 0.04
SETTLE_AFTER_MS = 5000  # by then the window, the engine client and the lists exist


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._timer = QTimer(self, interval=interval_ms, timeout=self.collect_due)

    def start(self) -> None:
        gc.disable()
        self._timer.start()
        QTimer.singleShot(SETTLE_AFTER_MS, self, self.settle)

    @staticmethod
    def settle() -> None:
        """The app's long-lived objects (modules, widgets, the engine client) left out of later full collections.
        No collection first: that would be the very stall this avoids; a little start-up garbage stays."""
        gc.freeze()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    @staticmethod
    def collect_due() -> None:
        """Collects the generations whose thresholds are passed, as the automatic collector would."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > thresholds[generation]:
                began = time.perf_counter()
                gc.collect(generation)
                if generation == 2 and time.perf_counter() - began > SLOW_FULL_COLLECTION_S:
                    gc.freeze()  # the survivors of a full collection are the app itself
                return
