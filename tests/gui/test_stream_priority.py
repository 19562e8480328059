"""A stream's reader thread gives way to the GUI thread when the CPUs are busy (issue 17: a container printing as
fast as it can kept the GUI thread waiting behind Portside's own readers; see gui/workers/priority.py)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from gui.workers.priority import BACKGROUND_NICENESS, give_way_to_gui_thread
from gui.workers.streams import StreamWorker


def niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


class OneLine:
    """A stream of one item that remembers the niceness of the thread reading it."""

    def __init__(self):
        self.read_at: int | None = None

    def __iter__(self):
        self.read_at = niceness()
        yield "a line"

    def close(self) -> None:
        pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities are set on Linux only")
def test_a_stream_is_read_at_a_lower_priority_than_the_gui_thread_s(qtbot):
    stream = OneLine()
    worker = StreamWorker(lambda: stream, name="logs")
    with qtbot.waitSignal(worker.ended, timeout=10_000):
        worker.start()
    assert stream.read_at is not None
    assert stream.read_at >= BACKGROUND_NICENESS > niceness()  # the GUI thread (this one) kept its own


def test_the_gui_thread_never_lowers_its_own_priority():
    before = niceness()
    with pytest.raises(RuntimeError):
        give_way_to_gui_thread()
    assert niceness() == before
