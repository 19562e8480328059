"""This computer's CPU, memory, swap, load and the free space of Docker's data-root, through psutil.

Blocking but cheap (a few reads of /proc, well under a millisecond): the Monitor service calls it from a worker
once per tick. CPU percentages are computed the way psutil.cpu_percent(interval=None) computes them, from the
CPU times of the previous call, but with state of our own: another caller of psutil.cpu_percent (a plug-in, a
test) cannot shorten our interval.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import psutil

# The very first sample has no previous CPU times to compare with; it waits this long for a baseline rather than
# showing 0 % or an average since boot.
FIRST_INTERVAL = 0.1


@dataclass(frozen=True)
class HostSample:
    time: float
    cpu_percent: float  # all CPUs together, 0-100, since the previous sample
    per_cpu: tuple[float, ...]  # each CPU, 0-100, since the previous sample
    memory_used: int  # total - available: what the programs hold (no caches)
    memory_total: int
    memory_percent: float
    swap_used: int
    swap_total: int
    load: tuple[float, float, float] | None  # 1, 5, 15 minutes; None where the OS has none
    data_root: str | None  # Docker's data-root (DockerRootDir), when it is on this computer
    data_root_free: int | None  # bytes free for the engine (what `df` calls available)
    data_root_total: int | None

    @property
    def swap_percent(self) -> float | None:
        """None when there is no swap at all."""
        return self.swap_used / self.swap_total * 100.0 if self.swap_total else None


def _total_time(times: Any) -> float:
    # Linux counts guest time inside user and nice already (psutil subtracts it too).
    return sum(times) - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)


def _busy_time(times: Any) -> float:
    return _total_time(times) - times.idle - getattr(times, "iowait", 0.0)


def busy_percent(before: Any, after: Any) -> float:
    """psutil's formula: the busy share of the time that passed between two cpu_times readings, 0-100."""
    busy = _busy_time(after) - _busy_time(before)
    total = _total_time(after) - _total_time(before)
    if busy <= 0 or total <= 0:
        return 0.0
    return round(min(100.0, busy / total * 100.0), 1)


class HostSampler:
    """Keeps the previous CPU times between samples; `sample_host` uses one shared instance."""

    def __init__(self, cpu_times: Callable[[bool], Any] | None = None):
        self._cpu_times = cpu_times or (lambda percpu: psutil.cpu_times(percpu=percpu))
        self._lock = threading.Lock()  # two callers at once would each get a meaningless split of the interval
        self._previous: tuple[Any, Sequence[Any]] | None = None

    def _cpu(self) -> tuple[float, tuple[float, ...]]:
        with self._lock:
            if self._previous is None:
                self._previous = (self._cpu_times(False), self._cpu_times(True))
                time.sleep(FIRST_INTERVAL)
            total, per_cpu = self._cpu_times(False), self._cpu_times(True)
            previous_total, previous_per_cpu = self._previous
            self._previous = (total, per_cpu)
        if len(previous_per_cpu) != len(per_cpu):  # a CPU went on- or offline: no comparable baseline per CPU
            previous_per_cpu = per_cpu
        return (
            busy_percent(previous_total, total),
            tuple(busy_percent(before, after) for before, after in zip(previous_per_cpu, per_cpu)),
        )

    def sample(self, data_root: str | None = None) -> HostSample:
        cpu_percent, per_cpu = self._cpu()
        memory = psutil.virtual_memory()
        swap = psutil.swap_memory()
        free, total = _disk(data_root)
        return HostSample(
            time=time.time(),
            cpu_percent=cpu_percent,
            per_cpu=per_cpu,
            memory_used=memory.total - memory.available,
            memory_total=memory.total,
            memory_percent=float(memory.percent),
            swap_used=swap.used,
            swap_total=swap.total,
            load=_load(),
            data_root=data_root,
            data_root_free=free,
            data_root_total=total,
        )


def _load() -> tuple[float, float, float] | None:
    try:
        one, five, fifteen = os.getloadavg()
    except (AttributeError, OSError):  # Windows has no load average
        return None
    return one, five, fifteen


def _disk(path: str | None) -> tuple[int | None, int | None]:
    if not path:
        return None, None
    try:
        usage = psutil.disk_usage(path)
    except OSError:  # not readable by this user, or not on this computer after all
        return None, None
    return usage.free, usage.total


_shared = HostSampler()


def sample_host(data_root: str | None = None) -> HostSample:
    """A sample of this computer now. data_root: Docker's data-root, only when the engine runs on this computer."""
    return _shared.sample(data_root)
