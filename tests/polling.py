"""Waiting for a condition in tests without a Qt event loop: polled with a generous deadline, never a timed sleep
standing in for it (the machines are shared and noisy)."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], object], seconds: float = 10.0) -> None:
    """Returns once `condition()` is true; fails the test when it is not within `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
