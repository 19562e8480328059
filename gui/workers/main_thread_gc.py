"""Python's cyclic garbage collector, run in the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate: a stats or log reader thread can
then destroy a QObject that lives in the GUI thread, while that thread still delivers events to it, and the
app crashes in QObject's destructor. (pyqtgraph ships the same remedy as util.GarbageCollector.) Reference
counting still frees almost everything at once; only cycles wait for the timer."""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 1000


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._timer = QTimer(self, interval=interval_ms, timeout=self.collect_due)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

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
                gc.collect(generation)
                return
