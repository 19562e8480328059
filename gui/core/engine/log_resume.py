"""Following a container's log across engine restarts and container restarts. No Qt.

A log stream ends for two very different reasons: the container ended (its state and exit code say how), or the
connection to the engine dropped (the container may be running still, or be restarted by its restart policy).
LogPosition remembers where the log shown so far ends (the newest timestamp and how many lines carried it), so the
stream can be asked again with `since` and the lines already shown are dropped: no line is shown twice.
LogEnd reads `docker container inspect` after a stream ended and says, in plain words, what happened next. A
container found running was either started again or never stopped (only the connection dropped): its State.StartedAt,
compared with the one read when the stream began, tells which.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from gui.core.engine.exit_codes import meaning
from gui.core.engine.logtext import split_timestamp

__all__ = [
    "CONNECTION_DROPPED",
    "RUNNING_AGAIN",
    "STARTED_AGAIN",
    "LogEnd",
    "LogPosition",
    "ResumeFilter",
    "log_end",
    "timestamp_nanos",
]

STARTED_AGAIN = "The container started again; following its log."
CONNECTION_DROPPED = "The connection to the engine dropped; resuming the log."
RUNNING_AGAIN = "The container is running; following its log again."  # when the run's start time is not known

_RFC3339_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$")


def timestamp_nanos(text: str | None) -> int | None:
    """Docker's RFC 3339 timestamp ('2024-01-01T12:00:00.123456789Z') in nanoseconds since the epoch; None when
    it is not one. Exact to the nanosecond (a datetime keeps microseconds only)."""
    match = _RFC3339_RE.match(text or "")
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    if match[9]:  # an offset: 12:00+02:00 is 10:00 UTC
        offset = int(match[10]) * 3600 + int(match[11]) * 60
        seconds -= offset if match[9] == "+" else -offset
    fraction = (match[7] or "")[:9].ljust(9, "0")
    return seconds * 1_000_000_000 + int(fraction)


@dataclass
class LogPosition:
    """Where the log shown so far ends: the newest timestamp seen and how many lines carried exactly it."""

    timestamp: str | None = None  # docker's own text, for the `docker logs --since` shown to the user
    nanos: int | None = None
    count: int = 0

    def advance(self, timestamp: str | None) -> None:
        """One more line was shown. Lines without a timestamp (the rest of a very long line) change nothing; an
        older line (stderr's copier a little behind stdout's) leaves the newest in place."""
        nanos = timestamp_nanos(timestamp)
        if nanos is None:
            return
        if self.nanos is None or nanos > self.nanos:
            self.timestamp, self.nanos, self.count = timestamp, nanos, 1
        elif nanos == self.nanos:
            self.count += 1

    @property
    def since(self) -> int | None:
        """What to ask the engine for: its whole second, so the newest line shown comes again (the engine's
        `since` keeps lines at or after it) and ResumeFilter drops what was shown already."""
        return None if self.nanos is None else max(1, self.nanos // 1_000_000_000)

    def resume_filter(self) -> ResumeFilter:
        return ResumeFilter(self.nanos, self.count)


class ResumeFilter:
    """Drops the lines of a resumed stream that were shown already: every line older than the newest shown, and
    as many lines at exactly that time as were shown. Runs in the reader thread: it holds copies, not the
    position the GUI thread keeps moving."""

    def __init__(self, nanos: int | None, count: int):
        self._nanos = nanos
        self._skip = count
        self._passing = nanos is None
        self._last_kept = True

    def keep(self, line: str) -> tuple[str | None, str] | None:
        """(timestamp, text) of a line to show, or None for a line shown before."""
        timestamp, text = split_timestamp(line)
        if self._passing:
            return timestamp, text
        nanos = timestamp_nanos(timestamp)
        if nanos is None:  # the rest of a long line: goes with the line it continues
            kept = self._last_kept
        elif nanos < self._nanos:
            kept = False
        elif nanos == self._nanos and self._skip > 0:
            self._skip -= 1
            kept = False
        else:
            kept = True
            self._passing = nanos > self._nanos
        self._last_kept = kept
        return (timestamp, text) if kept else None


@dataclass(frozen=True)
class LogEnd:
    """What a finished log stream means, from the container's inspect payload."""

    running: bool  # it is running (it restarted, or never stopped): follow it again now
    comes_back: bool  # it is restarting, or may be started again by its restart policy
    message: str  # what the status line says
    same_run: bool = False  # running, and the run the stream followed: only the connection dropped


_COMES_BACK_POLICIES = ("always", "unless-stopped")


def _same_time(one: str | None, other: str | None) -> bool:
    nanos = timestamp_nanos(one), timestamp_nanos(other)
    return nanos[0] == nanos[1] if None not in nanos else one == other


def log_end(inspect: dict, started_at: str | None = None) -> LogEnd:
    """Reads the State and RestartPolicy of `docker container inspect` after the container's log stream ended.
    started_at: the container's State.StartedAt when the stream began (None: not known)."""
    state = inspect.get("State") or {}
    status = str(state.get("Status") or "").lower()
    policy = ((inspect.get("HostConfig") or {}).get("RestartPolicy") or {}).get("Name") or "no"
    code = state.get("ExitCode")
    code = code if isinstance(code, int) else None
    stopped = "The container stopped" + (f" (exit code {code})" if code is not None else "")
    why = f" {meaning(code)}" if code is not None else ""
    if state.get("OOMKilled"):
        why += " The kernel stopped it because it ran out of memory."
    if status == "running" and not state.get("Restarting"):
        if started_at is None:
            return LogEnd(True, True, RUNNING_AGAIN)
        if _same_time(state.get("StartedAt"), started_at):
            return LogEnd(True, True, CONNECTION_DROPPED, same_run=True)
        return LogEnd(True, True, STARTED_AGAIN)
    if status == "restarting" or state.get("Restarting"):
        return LogEnd(
            False, True, f"{stopped} and is restarting (restart policy {policy}). The log goes on when it starts.{why}"
        )
    if status == "created":
        return LogEnd(False, True, "The container has not started yet. Its log shows here once it starts.")
    if status == "paused":
        return LogEnd(False, True, "The container is paused. Its log goes on when it is unpaused.")
    if policy in _COMES_BACK_POLICIES or (policy == "on-failure" and code):
        return LogEnd(
            False,
            True,
            f"{stopped}. Its restart policy ({policy}) may start it again: the log goes on if it does.{why}",
        )
    return LogEnd(False, False, f"{stopped}; the log is complete.{why}")
