"""Which points a time chart draws: the ones inside its window, and, where there are more of them than pixel
columns, only the lowest and highest of each column, so an hour of 1 s samples (3,600 points) costs what a few
hundred do and its peaks still show. Plain Python on any float sequences (lists, array('d')); NaN is a gap.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence


def in_window(times: Sequence[float], now: float, window: float) -> tuple[int, int, int]:
    """(first, end, inside) of the points to draw for the last `window` seconds before `now`, `times` being sorted:
    the slice [first:end] keeps one point either side of the window, so a line enters at the left edge and leaves
    at the right instead of stopping short; points from `inside` on are within the window (they set the top)."""
    inside = bisect_left(times, now - window)
    end = min(len(times), bisect_right(times, now) + 1)
    return max(0, inside - 1), end, inside


def has_gaps(values: Sequence[float]) -> bool:
    """Whether any value is NaN: one sum in C, where looking at each value in Python costs ten times more."""
    total = sum(values)
    return total != total


def highest(values: Sequence[float]) -> float | None:
    """The highest value, NaN skipped; None when there is none."""
    if not has_gaps(values):
        return max(values, default=None)
    return max((value for value in values if value == value), default=None)


def last_value(values: Sequence[float]) -> float | None:
    """The newest value that is not a gap."""
    for value in reversed(values):
        if value == value:
            return float(value)
    return None


def drawn_runs(
    xs: Sequence[float], ys: Sequence[float], scale: float, offset: float, columns: int
) -> list[range | list[int]]:
    """The indices of the points to draw, as runs a gap (NaN) separates: every finite point while there are no more
    points than `columns`; otherwise, in each pixel column (int(x * scale + offset)), its lowest and its highest
    point in the order they came, which keeps every peak and dip a pixel can show. A run of every point from one
    index to another is a range (drawn from slices, without looking at each point)."""
    if len(ys) <= columns and not has_gaps(ys):
        return [range(len(ys))] if len(ys) else []
    runs: list[range | list[int]] = []
    run: list[int] = []
    if len(ys) <= columns:
        for index, y in enumerate(ys):
            if y == y:
                run.append(index)
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
        return runs

    column = None
    low = high = 0.0
    low_at = high_at = 0
    for index, (x, y) in enumerate(zip(xs, ys)):
        if y != y:  # a gap: close the column and the run
            if column is not None:
                _add_column(run, low_at, high_at)
                column = None
            if run:
                runs.append(run)
                run = []
            continue
        here = int(x * scale + offset)
        if here != column:
            if column is not None:
                _add_column(run, low_at, high_at)
            column, low, high, low_at, high_at = here, y, y, index, index
        elif y < low:
            low, low_at = y, index
        elif y > high:
            high, high_at = y, index
    if column is not None:
        _add_column(run, low_at, high_at)
    if run:
        runs.append(run)
    return runs


def _add_column(run: list[int], low_at: int, high_at: int) -> None:
    if low_at == high_at:
        run.append(low_at)
    elif low_at < high_at:
        run += (low_at, high_at)
    else:
        run += (high_at, low_at)
