"""Pure presentation helpers: numbers and times in human units. No Qt."""

from __future__ import annotations

import time

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
LOW_DISK_BYTES = 5 * 1024**3


def human_bytes(count: int | float | None) -> str:
    if count is None:
        return "n/a"
    value = float(count)
    for unit in _UNITS:
        if abs(value) < 1024 or unit == _UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def exact_bytes(count: int | None) -> str:
    return "n/a" if count is None else f"{count:,} bytes"


def relative_time(timestamp: float, now: float | None = None) -> str:
    """'3 minutes ago', as the docker CLI says it."""
    seconds = max(0, int((now if now is not None else time.time()) - timestamp))
    for size, name in (
        (86400 * 365, "year"),
        (86400 * 30, "month"),
        (86400 * 7, "week"),
        (86400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ):
        if seconds >= size:
            amount = seconds // size
            return f"{amount} {name}{'s' if amount != 1 else ''} ago"
    return "just now" if seconds < 5 else f"{seconds} seconds ago"


def local_time(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))


def short_id(identifier: str) -> str:
    return identifier.split(":", 1)[-1][:12]


def human_duration(seconds: float) -> str:
    """'42 s', '3 min 05 s', '1 h 02 min'."""
    total = round(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
