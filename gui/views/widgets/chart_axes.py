"""What a time chart's axes say: human units, round tops and round ticks, as plain functions a test can call
without painting anything (gui/views/widgets/charts.py draws them)."""

from __future__ import annotations

import math

from gui.core.format import human_bytes

# Kinds of value a chart shows: they pick the axis labels and the text of the current value.
PERCENT = "percent"
BYTES = "bytes"
RATE = "rate"  # bytes per second

_TIME_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
# Tops of the value axis, times a power of ten in the axis's unit: round numbers a little apart.
_TOP_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
_TICK_STEPS = (1.0, 2.0, 5.0, 10.0)  # value-axis steps, times a power of ten in the labels' unit
_HEADROOM = 1.05  # the highest value stays a little under the top
_CHARS_PER_TIME_LABEL = 10  # about one time label per this many characters of width


def format_value(value: float | None, kind: str) -> str:
    """The text of one value: '12.5 %', '1.2 GiB', '340.0 KiB/s', or 'n/a'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == PERCENT:
        return f"{value:.1f} %"
    if kind == RATE:
        return f"{human_bytes(value)}/s"
    return human_bytes(value)


def _binary_unit(value: float) -> tuple[float, str]:
    """The power of 1024 (and its name) that shows `value` with at most three digits before the point."""
    names = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    unit = 1.0
    for name in names:
        if abs(value) < unit * 1024 or name == names[-1]:
            return unit, name
        unit *= 1024
    raise AssertionError("unreachable")


def time_tick_text(seconds_ago: float) -> str:
    """A time-axis tick, relative to now (seconds_ago is 0 or less): 'now', '−30 s', '−5 min', '−1 h'."""
    seconds = round(-seconds_ago)
    if seconds <= 0:
        return "now"
    if seconds % 3600 == 0:
        return f"−{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"−{seconds // 60} min"
    if seconds > 60:
        return f"−{seconds / 60:.1f} min"
    return f"−{seconds} s"


def round_top(value: float, kind: str) -> float:
    """The top of a chart's value axis for `value`: the next round number above it (12 %, 150 MiB, 2.5 GiB/s).

    Why round: a top that followed the values would move every second, and every move redraws the axes (kept as
    a picture between moves); a round top changes only when the values cross it, and reads better too."""
    if not value > 0 or math.isinf(value):
        return 1.0
    unit = 1.0 if kind == PERCENT else _binary_unit(value * _HEADROOM)[0]
    scaled = value * _HEADROOM / unit
    power = 10.0 ** math.floor(math.log10(scaled))
    step = next(step for step in _TOP_STEPS if step * power >= scaled * (1 - 1e-12))
    return step * power * unit


def value_ticks(top: float, kind: str, most: int = 5) -> list[tuple[float, str]]:
    """The value axis's ticks from 0 to `top`, bottom first: (value, label) on round steps of the labels' unit
    (0, 50, 100 %; 0, 100, 200 MiB; 0, 0.5, 1.0 KiB/s), at most `most` steps apart from 0 to the top."""
    if not top > 0 or math.isinf(top):
        return [(0.0, _value_text(0.0, kind, 1.0, "B", 0))]
    unit, name = (1.0, "%") if kind == PERCENT else _binary_unit(top)
    scaled = top / unit
    wanted = scaled / max(1, most)
    power = 10.0 ** math.floor(math.log10(wanted))
    step = next(m * power for m in _TICK_STEPS if m * power >= wanted * (1 - 1e-9))
    if name == "B":
        step = max(step, 1.0)  # no tenths of a byte
    places = max(0, -math.floor(math.log10(step) + 1e-9))
    count = int(scaled / step * (1 + 1e-9)) + 1
    return [(k * step * unit, _value_text(k * step, kind, unit, name, places)) for k in range(count)]


def _value_text(scaled: float, kind: str, unit: float, name: str, places: int) -> str:
    if kind == PERCENT:
        return f"{scaled:.{places}f} %"
    return f"{scaled:.{places}f} {name}{'/s' if kind == RATE else ''}"


def time_ticks(window: float, width_px: float, char_width: float) -> list[tuple[float, str]]:
    """The time axis's ticks over the last `window` seconds, oldest first: (seconds_ago, label), seconds_ago being
    0 or less ('−5 min' … 'now'); about one label per ten characters of width, on round steps of _TIME_STEPS."""
    if not window > 0:
        return [(0.0, "now")]
    room = max(2, int(width_px / max(1.0, char_width * _CHARS_PER_TIME_LABEL)))
    step = next((s for s in _TIME_STEPS if window / s <= room), _TIME_STEPS[-1])
    count = int(window / step * (1 + 1e-9))
    return [(-k * step + 0.0, time_tick_text(-k * step)) for k in range(count, -1, -1)]
