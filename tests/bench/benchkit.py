"""What the benchmark scripts share: a GUI-thread heartbeat that measures stalls, and waiting on the event loop."""

from __future__ import annotations

import time

from PySide6.QtCore import QElapsedTimer, QTimer


class Heartbeat:
    """A 5 ms timer in the GUI thread; `longest` is the longest gap between its ticks (ms): the worst stall a user
    would have felt while it ran."""

    def __init__(self, interval_ms: int = 5, note_over_ms: int = 50):
        self.longest = 0
        self.over_50ms = 0  # how many stalls passed the 50 ms a user starts to notice: steadier than the longest
        self.stalls: list[tuple[float, int]] = []  # (wall-clock time, ms) of those over note_over_ms, to line up
        self._note_over_ms = note_over_ms  # with another benchmark's
        self._clock = QElapsedTimer()
        self._timer = QTimer(interval=interval_ms, timeout=self._beat)

    def start(self) -> None:
        self.longest = self.over_50ms = 0
        self.stalls = []
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _beat(self) -> None:
        gap = self._clock.restart()
        self.longest = max(self.longest, gap)
        self.over_50ms += gap > 50
        if gap > self._note_over_ms:
            self.stalls.append((time.time(), gap))

    def stall_times(self) -> str:
        """When the noted stalls were, as HH:MM:SS (ms)."""
        return ", ".join(f"{time.strftime('%H:%M:%S', time.localtime(at))} ({gap})" for at, gap in self.stalls)


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


# Where a thread sits when it waits rather than runs (its frame is the Python caller of a blocking call).
_WAITS = {
    "wait",
    "select",
    "_wait_for_tstate_lock",
    "sleep",
    "recv_into",
    "readinto",
    "get",
    "_watch",
    "accept",
    "poll",
}


class StallProbe:
    """Says what the GUI thread was doing when it stalled: a watchdog thread samples the GUI thread's Python stack
    whenever the heartbeat is late by more than `threshold_ms`, and gc.callbacks time every collection.
    For finding stalls, not for measuring them (the sampling itself costs a little)."""

    def __init__(self, threshold_ms: float = 25, depth: int = 6):
        import collections
        import threading

        self.threshold_s = threshold_ms / 1000
        self.depth = depth
        self.stacks: collections.Counter = collections.Counter()
        self.others: collections.Counter = collections.Counter()  # other threads' Python code meanwhile
        self.collections: list[tuple[int, float, int]] = []  # (generation, ms, collected) of slow collections
        self._main = threading.main_thread().ident
        self._beat = time.perf_counter()
        self._gc_began = 0.0
        self._running = False
        self._timer = QTimer(interval=5, timeout=self._on_beat)
        self._thread = threading.Thread(target=self._watch, name="stall probe", daemon=True)

    def start(self) -> None:
        import gc

        self._running = True
        self._timer.start()
        gc.callbacks.append(self._on_gc)
        self._thread.start()

    def stop(self) -> None:
        import gc

        self._running = False
        self._timer.stop()
        gc.callbacks.remove(self._on_gc)
        self._thread.join()

    def _on_beat(self) -> None:
        self._beat = time.perf_counter()

    def _on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
        else:
            took = (time.perf_counter() - self._gc_began) * 1000
            if took > 5:
                self.collections.append((info["generation"], took, info["collected"]))

    def _watch(self) -> None:
        import sys
        import threading
        import traceback

        while self._running:
            time.sleep(0.004)
            if time.perf_counter() - self._beat < self.threshold_s:
                continue
            frames = sys._current_frames()
            frame = frames.pop(self._main, None)
            if frame is None:
                continue
            self.stacks[self._describe(traceback.extract_stack(frame)[-self.depth :])] += 1
            frames.pop(threading.get_ident(), None)
            for other in frames.values():  # the GIL's other users: threads not asleep in a wait
                if other.f_code.co_name not in _WAITS:
                    self.others[self._describe(traceback.extract_stack(other)[-3:])] += 1

    @staticmethod
    def _describe(stack) -> str:
        return " < ".join(f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno} {f.name}" for f in reversed(stack))

    def report(self, most: int = 15) -> str:
        lines = [f"samples taken while the GUI thread was late (>{self.threshold_s * 1000:.0f} ms), most first:"]
        lines += [f"  {count:4d}  {stack}" for stack, count in self.stacks.most_common(most)]
        lines += ["other threads running Python meanwhile, most first:"]
        lines += [f"  {count:4d}  {stack}" for stack, count in self.others.most_common(8)]
        slow = sorted(self.collections, key=lambda c: -c[1])[:10]
        lines.append(f"slow garbage collections (>5 ms): {len(self.collections)}; slowest (generation, ms, freed):")
        lines += [f"  gen{generation}  {ms:.0f} ms  {freed}" for generation, ms, freed in slow]
        return "\n".join(lines)
