"""One client per thread, closed when its thread ends.

Why: docker-py's clients are not documented as thread-safe, so each worker thread gets its own (Engine.api, and
local_json's connections). The task pool's threads end after half a minute with nothing to do and new ones start
with the next job; a client kept for good in a list of all clients would keep its connection to the engine open
long after its thread was gone, one more with every new thread.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Held(Generic[T]):
    """A thread's client; closed when the thread's locals let go of it (the thread ended) or by close_all."""

    def __init__(self, value: T, close: Callable[[T], None]):
        self.value = value
        self._close: Callable[[T], None] | None = close

    @property
    def closed(self) -> bool:
        return self._close is None

    def close(self) -> None:
        close, self._close = self._close, None
        if close is not None:
            close(self.value)

    def __del__(self) -> None:
        self.close()


class PerThread(Generic[T]):
    def __init__(self, make: Callable[[], T], close: Callable[[T], None]):
        self._make = make
        self._close = close
        self._local = threading.local()
        self._all: weakref.WeakSet[_Held[T]] = weakref.WeakSet()
        self._lock = threading.Lock()

    def get(self) -> T:
        """This thread's, made on first use."""
        held = getattr(self._local, "held", None)
        if held is None or held.closed:
            held = _Held(self._make(), self._close)
            self._local.held = held
            with self._lock:
                self._all.add(held)
        return held.value

    def drop(self) -> None:
        """Closes this thread's now; the next get() makes a new one."""
        held = getattr(self._local, "held", None)
        if held is not None:
            self._local.held = None
            held.close()

    def close_all(self) -> None:
        """Closes every thread's (the engine is left): a thread that asks again gets a new one."""
        with self._lock:
            everyone = list(self._all)
        for held in everyone:
            held.close()
