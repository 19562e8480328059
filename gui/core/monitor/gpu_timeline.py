"""Who took my GPU, and when: each GPU's memory over the last hour, split by the container that used it.

`record` takes each GPU sample with its attribution (which container each process belongs to) and keeps, per GPU, the
memory in use on the whole card (NVML's figure, which also counts what no process owns) and one series per owner (a
container, or the host's own processes). An owner that used a GPU keeps a line, at 0 once it stops, until it has not
used that GPU for FORGET_AFTER_S; the book then drops it. `stack` lines the owners up on the card's sample times for
a stacked chart. Sampling that stopped for a while (paused, the page hidden and sampled slowly) leaves a gap, not a
straight line across it.

Costs: one series per (GPU, owner), about 20 KB each (gui.core.monitor.timeseries); for `stack`, one pass over the
window's points per owner.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gui.core.monitor.timeseries import FINE_STEP, SeriesBook

if TYPE_CHECKING:
    from gui.core.monitor.attribution import GpuUse
    from gui.core.monitor.gpu import GpuSnapshot

GAP_S = 15.0  # no sample for longer than this: the lines break (the hidden Monitor samples GPUs every 5 s)
FORGET_AFTER_S = 3600.0  # the longest window shown
METRIC = "memory"


@dataclass(frozen=True, slots=True)
class GpuTotalKey:
    """The memory in use on one GPU, whoever uses it."""

    gpu_index: int


@dataclass(frozen=True, slots=True)
class GpuShareKey:
    """One owner's memory on one GPU: a container by its full id, or the host's own processes (None)."""

    gpu_index: int
    owner: str | None


@dataclass(frozen=True)
class Layer:
    owner: str | None  # container id; None: processes of this computer, not in any container
    values: array  # array('d'): bytes, on Stack.times
    peak: float  # the most it used in the window
    last: float  # what it uses now (its newest value)


@dataclass(frozen=True)
class Stack:
    times: array  # array('d'): epoch seconds, oldest first
    total: array  # array('d'): the GPU's memory in use (every process, and what no process owns); NaN in gaps
    layers: tuple[Layer, ...]  # owners that used the GPU in the window, the biggest first


class GpuTimeline:
    def __init__(self) -> None:
        self.book = SeriesBook(retention=FORGET_AFTER_S + 60.0)
        self._owners: dict[int, dict[str | None, float]] = {}  # GPU index -> owner -> last time it used the GPU
        self._last: dict[int, float] = {}  # GPU index -> time of its last sample

    def record(self, snapshot: GpuSnapshot, use: dict[str | None, GpuUse]) -> None:
        t = snapshot.time
        on_gpu: dict[int, dict[str | None, int]] = {}
        for owner, owned in use.items():
            for process in owned.processes:
                memory = on_gpu.setdefault(process.gpu_index, {})
                memory[owner] = memory.get(owner, 0) + (process.used_memory or 0)
        for gpu in snapshot.gpus:
            index = gpu.index
            owners = self._owners.setdefault(index, {})
            last = self._last.get(index)
            if last is not None and t - last > GAP_S:  # nothing sampled in between: break every line here
                self._record(index, last + FINE_STEP, None, dict.fromkeys(owners))
            memory = on_gpu.get(index, {})
            owners.update(dict.fromkeys(memory, t))
            for owner in [owner for owner, used in owners.items() if t - used > FORGET_AFTER_S]:
                del owners[owner]  # no new points: the book lets its line go
            if gpu.lost:
                self._record(index, t, None, dict.fromkeys(owners))
            else:
                self._record(index, t, gpu.memory_used, {owner: memory.get(owner, 0) for owner in owners})
            self._last[index] = t

    def _record(self, index: int, t: float, total: float | None, owners: dict[str | None, float | None]) -> None:
        self.book.record(GpuTotalKey(index), t, {METRIC: total})
        for owner, value in owners.items():
            self.book.record(GpuShareKey(index, owner), t, {METRIC: value})

    def gpus(self) -> list[int]:
        """The GPUs with a history, by index."""
        return sorted(key.gpu_index for key in self.book if isinstance(key, GpuTotalKey))

    def stack(self, gpu_index: int, seconds: float, now: float) -> Stack:
        """The last `seconds` of one GPU: its total and each owner's memory on the total's times."""
        total = self.book.get(GpuTotalKey(gpu_index), METRIC)
        if total is None:
            return Stack(array("d"), array("d"), ())
        times, values = total.window(seconds, now)
        layers = []
        for key in self.book:
            if not isinstance(key, GpuShareKey) or key.gpu_index != gpu_index:
                continue
            series = self.book.get(key, METRIC)
            own_times, own_values = series.window(seconds, now) if series is not None else ((), ())
            if not len(own_times) or not len(times):
                continue
            # Recorded on the same samples as the total; an owner that came later reads 0 before its first point.
            on_times = interpolate(times, own_times, own_values, outside=0.0)
            peak = max((value for value in on_times if math.isfinite(value)), default=0.0)
            if peak > 0:
                last = series.last() if series is not None else None
                layers.append(Layer(key.owner, on_times, peak, float(last or 0.0)))
        layers.sort(key=lambda layer: (-layer.peak, layer.owner or ""))
        return Stack(times, values, tuple(layers))


def interpolate(x: array, xp: array, fp: array, outside: float) -> array:
    """fp (given at the ascending times xp) read at the times x, linearly between its points and `outside` beyond
    them: numpy.interp(x, xp, fp, left=outside, right=outside) to the last bit, NaN in fp included (a NaN point is
    NaN where hit exactly and spoils the spans either side). x must hold no NaN (times never do)."""
    # Owners are recorded on the total's samples, so most times are hits: a dict finds them faster than bisect.
    at_point = {t: j for j, t in enumerate(xp)}  # of equal times the last wins, as bisect_right would find
    last = len(xp) - 1
    result = array("d")
    for at in x:
        j = at_point.get(at)
        if j is not None:
            result.append(fp[j])
            continue
        j = bisect_right(xp, at) - 1  # xp[j] < at < xp[j + 1]
        if j < 0 or j == last:  # before the first point or after the last
            result.append(outside)
            continue
        slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
        value = slope * (at - xp[j]) + fp[j]
        if math.isnan(value):  # as numpy does: from the other end, then a flat span's value (infinities)
            value = slope * (at - xp[j + 1]) + fp[j + 1]
            if math.isnan(value) and fp[j] == fp[j + 1]:
                value = fp[j]
        result.append(value)
    return result
