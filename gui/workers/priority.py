"""Background threads give way to the GUI thread when the CPUs are busy.

On a small machine a container printing as fast as it can and the engine passing its lines on fill every CPU; the
GUI thread then waited for a CPU behind Portside's own reader threads too, up to 81 ms (bench_log_view, 2 CPUs),
while Portside computed at most 13 ms of it. A reader thread at a lower priority (nice +10, for that thread only)
still gets all the CPU it wants on an idle machine, and the GUI thread first on a busy one: the longest stall fell
to 36-40 ms in five runs.

Linux only: there a thread's own id names it to setpriority. Elsewhere (macOS, Windows) the call would name a
process, or does not exist: nothing is changed.
"""

from __future__ import annotations

import os
import sys
import threading

BACKGROUND_NICENESS = 10


def give_way_to_gui_thread() -> None:
    """Lowers the calling thread's CPU priority; never the GUI thread's (a programming error: it raises)."""
    if threading.current_thread() is threading.main_thread():
        raise RuntimeError("the GUI thread keeps its priority")
    if not sys.platform.startswith("linux"):
        return
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, max(os.getpriority(os.PRIO_PROCESS, thread), BACKGROUND_NICENESS))
    except OSError:
        pass  # a sandbox may refuse: the thread keeps its priority
