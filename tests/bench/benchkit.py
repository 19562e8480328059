"""What the benchmark scripts share: a GUI-thread heartbeat that measures stalls, and waiting on the event loop."""
from __future__ import annotations

import time

from PySide6.QtCore import QElapsedTimer, QTimer


class Heartbeat:
    """A 5 ms timer in the GUI thread; `longest` is the longest gap between its ticks (ms): the worst stall a user
    would have felt while it ran."""

    def __init__(self, interval_ms: int = 5):
        self.longest = 0
        self._clock = QElapsedTimer()
        self._timer = QTimer(interval=interval_ms, timeout=self._beat)

    def start(self) -> None:
        self.longest = 0
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        self.longest = max(self.longest, self._clock.restart())


def wait(app, condition, timeout_s: float = 30, settle_s: float = 0) -> None:
    """Turns the event loop until `condition()` holds, then `settle_s` more seconds (delayed work runs there)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.001)
    settle = time.monotonic() + settle_s
    while time.monotonic() < settle:
        app.processEvents()
        time.sleep(0.001)
