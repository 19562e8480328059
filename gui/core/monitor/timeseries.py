"""Bounded metric history for the charts and sparklines: a ring of 1 s points for the last 15 minutes and a
ring of 10 s averages for the last hour, per metric.

Memory is fixed per series from its first point, whatever the sampling rate or uptime: FINE_POINTS + COARSE_POINTS
pairs of 4-byte floats (time, value), about 10 KB, allocated at once. So the app's memory is flat while the
history fills (at 100 containers, 6 metrics each, the rings take 6 MB from the start; growing rings of doubles took
0.6 MB in the first minute and 8.6 MB more by the tenth, which read as growth). Single precision is plenty for a
chart: values keep 7 significant digits; a time is kept as its offset from a base a few hours back (BASE_BLOCK), so
it keeps about 4 ms. The rings are the standard library's array('f'): plain C floats with nothing to import (an
array library would cost 18 MiB resident, of the app's 120 MiB). Appending costs a few Python operations and two
array writes, so recording ~600 values a second (100 containers, 6 metrics) is a fraction of a millisecond.
`window` and `recent` return fresh copies in double precision, never the rings themselves, so a chart may keep them
while recording goes on.
"""

from __future__ import annotations

import math
import struct
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.core.monitor.keys import SeriesKey

WINDOWS = {"1 min": 60, "5 min": 300, "15 min": 900, "60 min": 3600}  # seconds

FINE_STEP = 1.0  # seconds per fine point: samples within one second are averaged into one point
FINE_POINTS = 900  # 15 minutes at 1 s
COARSE_STEP = 10.0  # seconds per coarse point (the mean of the samples in that span)
COARSE_POINTS = 360  # 60 minutes at 10 s
# Clocks step: a time a little earlier than the last point joins the last point; a big step back (the wall clock
# was set back) starts the history afresh, since old and new points could no longer be told apart.
CLOCK_STEP_TOLERANCE = 2.0
# Coarse points further apart than this had no samples between them (paused, container stopped): the chart
# gets a break there instead of a straight line across the gap.
COARSE_GAP = 2.5 * COARSE_STEP
KEY_RETENTION = 3600.0  # a key with no new values for this long is dropped from a SeriesBook
PRUNE_EVERY = 60.0
# Times are kept as single-precision offsets from a base: the start of the block of BASE_BLOCK seconds before the
# newest point's. Offsets then stay below 3 blocks (49,152 s: steps of 4 ms at most), the base moves a whole block
# when the newest point enters a new block (exactly: the offsets shrink by a power of two's multiple), and two
# series given the same time hold the same offset (the GPU timeline matches owners' times to the total's).
BASE_BLOCK = 16384.0

_NAN = math.nan
_SINGLE = struct.Struct("f")


def _floats(count: int) -> array:
    """`count` single-precision floats, allocated exactly (repeating an array does not over-allocate)."""
    return array("f", (0.0,)) * count


def _single(x: float) -> float:
    """`x` rounded to single precision, as a ring stores it: bounds compare with stored offsets the same way."""
    return _SINGLE.unpack(_SINGLE.pack(x))[0]


def _base_for(t: float) -> float:
    return (t // BASE_BLOCK - 1.0) * BASE_BLOCK


class _Ring:
    """Bounded (time, value) ring of single-precision floats, allocated in full; the oldest point is overwritten
    first once `capacity` points are held."""

    __slots__ = ("base", "capacity", "head", "size", "times", "values")

    def __init__(self, capacity: int):
        self.times = _floats(capacity)
        self.values = _floats(capacity)
        self.capacity = capacity
        self.base = 0.0  # epoch seconds the times are offsets from (set by the first point)
        self.size = 0
        self.head = 0  # where the next point goes

    def push(self, t: float, value: float) -> None:
        base = _base_for(t)
        if base != self.base:
            self._rebase(base)
        self.times[self.head] = t - base
        self.values[self.head] = value
        self.head = (self.head + 1) % self.capacity
        if self.size < self.capacity:
            self.size += 1

    def _rebase(self, base: float) -> None:
        """Moves the points held onto a new base: exact for the next block (offsets shrink by a multiple of a power
        of two); after a jump of hours (a clock set forward, a machine woken from sleep) old points round once."""
        shift = self.base - base
        self.base = base
        if self.size:
            self.times = array("f", [offset + shift for offset in self.times])

    def set_last_value(self, value: float) -> None:
        self.values[self.head - 1] = value  # index -1 wraps to the end of the arrays, as a ring should

    def clear(self) -> None:
        self.size = self.head = 0

    def between(self, start: float, end: float, include_end: bool = True) -> tuple[array, array]:
        """Copies of the points from `start` to `end` (up to it, or only before it), oldest first, as array('d') of
        epoch times and of values. Points are in time order (see Series.append), so the bounds are found by bisect
        on the offsets as stored, and only the points in the window are converted."""
        if self.size < self.capacity:  # not wrapped yet: the points are the first `size`
            offsets, values = self.times[: self.size], self.values[: self.size]  # slices of an array are copies
        else:
            head = self.head
            offsets, values = self.times[head:] + self.times[:head], self.values[head:] + self.values[:head]
        base = self.base
        first = bisect_left(offsets, _single(start - base))
        last = (bisect_right if include_end else bisect_left)(offsets, _single(end - base))
        return array("d", [base + offset for offset in offsets[first:last]]), array("d", values[first:last].tolist())

    def holds_before(self, t: float) -> bool:
        """Whether its oldest point is earlier than `t`."""
        oldest = 0 if self.size < self.capacity else self.head
        return self.size > 0 and self.times[oldest] < _single(t - self.base)

    def last_value(self) -> float:
        return self.values[self.head - 1]

    def last_values(self, count: int) -> list[float]:
        """The newest `count` values (fewer while the ring holds fewer), oldest first."""
        count = min(count, self.size)
        if count <= self.head:
            return self.values[self.head - count : self.head].tolist()
        # Wrapped, so the arrays are `capacity` long: the older part is at their end.
        return self.values[self.head - count :].tolist() + self.values[: self.head].tolist()


class Series:
    """One metric's bounded history: 1 s points for the last 15 minutes, 10 s averages up to 60 minutes.

    Times are epoch seconds and should not go backwards (see CLOCK_STEP_TOLERANCE). A value of None is a gap (no
    sample): it is kept as NaN so a chart breaks its line there.
    """

    __slots__ = (
        "_bucket",
        "_bucket_count",
        "_bucket_samples",
        "_bucket_sum",
        "_bucket_time_sum",
        "_coarse",
        "_fine",
        "_fine_count",
        "_fine_sum",
        "_last_time",
        "_second",
    )

    def __init__(self):
        self._fine = _Ring(FINE_POINTS)
        self._coarse = _Ring(COARSE_POINTS)
        self._reset_buckets()

    def _reset_buckets(self) -> None:
        self._last_time = -math.inf
        self._second = None  # the fine point still being filled: its whole second
        self._fine_sum, self._fine_count = 0.0, 0  # of its finite samples
        self._bucket = None  # the 10 s span still being filled, and its running sums
        self._bucket_time_sum, self._bucket_samples = 0.0, 0
        self._bucket_sum, self._bucket_count = 0.0, 0

    def append(self, t: float, value: float | None) -> None:
        if t < self._last_time:
            if t < self._last_time - CLOCK_STEP_TOLERANCE:
                self.clear()
            else:
                t = self._last_time
        self._last_time = t
        finite = value is not None and math.isfinite(value)
        v = float(value) if finite else _NAN

        second = t // FINE_STEP
        if second == self._second and (finite or not self._fine_count):
            # same second: the point becomes the mean of its finite samples
            if finite:
                self._fine_sum += v
                self._fine_count += 1
                self._fine.set_last_value(self._fine_sum / self._fine_count)
        else:  # a new second, or a gap after a value in the same second: a gap always gets a point of its own
            self._second = second
            self._fine_sum, self._fine_count = (v, 1) if finite else (0.0, 0)
            self._fine.push(t, v)

        bucket = t // COARSE_STEP
        if bucket != self._bucket:
            self._flush_bucket()
            self._bucket = bucket
        self._bucket_time_sum += t
        self._bucket_samples += 1
        if finite:
            self._bucket_sum += v
            self._bucket_count += 1

    def _flush_bucket(self) -> None:
        if self._bucket_samples:
            mean = self._bucket_sum / self._bucket_count if self._bucket_count else _NAN
            self._coarse.push(self._bucket_time_sum / self._bucket_samples, mean)
        self._bucket_time_sum, self._bucket_samples = 0.0, 0
        self._bucket_sum, self._bucket_count = 0.0, 0

    def clear(self) -> None:
        self._fine.clear()
        self._coarse.clear()
        self._reset_buckets()

    def __len__(self) -> int:
        """Points held (fine and coarse), not samples appended."""
        return self._fine.size + self._coarse.size

    @property
    def last_time(self) -> float | None:
        return None if self._fine.size == 0 else self._last_time

    def window(self, seconds: float, now: float | None = None) -> tuple[array, array]:
        """(times, values) of the last `seconds` up to `now` (default: the wall clock), oldest first, as two new
        array('d') the caller may keep and change.

        The last 15 minutes come at 1 s resolution; older parts of a longer window as 10 s averages, with NaN
        breaks where no samples were taken."""
        now = time.time() if now is None else now
        start = now - seconds
        times, values = self._fine.between(start, now)  # copies, in time order (times never go back: see append)
        if self._coarse.size and not self._fine.holds_before(start):  # the window reaches back past the fine ring:
            fine_start = times[0] if times else now  # older 10 s means (in time order too: a span's mean is later)
            coarse_times, coarse_values = self._coarse.between(start, fine_start, include_end=False)
            if coarse_times:
                coarse_times, coarse_values = _break_gaps(coarse_times, coarse_values, COARSE_GAP)
                times = coarse_times + times
                values = coarse_values + values
        return times, values

    def last(self) -> float | None:
        """The newest value; None when there is none or the newest is a gap."""
        if self._fine.size == 0:
            return None
        value = self._fine.last_value()
        return None if math.isnan(value) else value

    def recent(self, count: int) -> list[float]:
        """The newest `count` fine values (fewer while the history is short), oldest first, gaps as NaN."""
        if count <= 0:
            return []
        return self._fine.last_values(count)


def _break_gaps(times: array, values: array, gap: float) -> tuple[array, array]:
    """Inserts a NaN point after every pair of points further apart than `gap` (the arrays given when there is none)."""
    after = [i for i, (a, b) in enumerate(pairwise(times), start=1) if b - a > gap]
    if not after:
        return times, values
    broken_times, broken_values = array("d"), array("d")
    begin = 0
    for i in after:
        broken_times += times[begin:i]
        broken_times.append(times[i - 1] + COARSE_STEP)
        broken_values += values[begin:i]
        broken_values.append(_NAN)
        begin = i
    broken_times += times[begin:]
    broken_values += values[begin:]
    return broken_times, broken_values


class SeriesBook:
    """Series by (key, metric), the keys being gui.core.monitor.keys values: (ContainerKey(id), "cpu"),
    (HOST, "cpu"), (GpuKey(0), "util").

    Bounded: a key with no new values for KEY_RETENTION (an hour, by the times recorded) is dropped, and
    `forget(key)` drops one at once (a destroyed container)."""

    def __init__(self, retention: float = KEY_RETENTION):
        self._series: dict[SeriesKey, dict[str, Series]] = {}
        self._touched: dict[SeriesKey, float] = {}  # key -> the last time recorded (or first asked for)
        self._retention = retention
        self._last_time: float | None = None
        self._last_prune = -math.inf

    def series(self, key: SeriesKey, metric: str) -> Series:
        """The series, created empty if there is none yet (it is then dropped after KEY_RETENTION unless fed)."""
        metrics = self._series.get(key)
        if metrics is None:
            metrics = self._series[key] = {}
            self._touched[key] = self._last_time if self._last_time is not None else time.time()
        found = metrics.get(metric)
        if found is None:
            found = metrics[metric] = Series()
        return found

    def get(self, key: SeriesKey, metric: str) -> Series | None:
        """The series if it exists; never creates one (for readers such as views)."""
        return self._series.get(key, {}).get(metric)

    def record(self, key: SeriesKey, t: float, values: Mapping[str, float | None]) -> None:
        metrics = self._series.get(key)
        if metrics is None:
            metrics = self._series[key] = {}
        for metric, value in values.items():
            found = metrics.get(metric)
            if found is None:
                found = metrics[metric] = Series()
            found.append(t, value)
        self._touched[key] = t
        if self._last_time is None or t > self._last_time:
            self._last_time = t
        if t - self._last_prune >= PRUNE_EVERY:
            self.prune(t)

    def prune(self, now: float) -> None:
        """Drops the keys not recorded since `now - retention`."""
        self._last_prune = now
        for key in [key for key, touched in self._touched.items() if touched < now - self._retention]:
            self.forget(key)

    def forget(self, key: SeriesKey) -> None:
        self._series.pop(key, None)
        self._touched.pop(key, None)

    def keys(self) -> list[SeriesKey]:
        return list(self._series)

    def metrics(self, key: SeriesKey) -> list[str]:
        return list(self._series.get(key, ()))

    @property
    def last_time(self) -> float | None:
        """The newest time recorded in any series (what a chart of a paused history may use as "now")."""
        return self._last_time

    def __contains__(self, key: object) -> bool:
        return key in self._series

    def __iter__(self) -> Iterator[SeriesKey]:
        """The keys, as they are now: forgetting keys while iterating is fine."""
        return iter(list(self._series))

    def __len__(self) -> int:
        """Number of series held."""
        return sum(len(metrics) for metrics in self._series.values())
