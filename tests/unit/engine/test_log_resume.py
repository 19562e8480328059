"""gui.core.engine.log_resume: where a log left off, resuming it without a line twice, and why its stream ended."""

from __future__ import annotations

import pytest

from gui.core.engine.log_resume import LogPosition, log_end, timestamp_nanos


def stamped(second: int, nanos: int, text: str) -> str:
    return f"2026-11-25T10:00:{second:02d}.{nanos:09d}Z {text}"


def test_timestamps_are_exact_to_the_nanosecond_and_honour_offsets():
    base = timestamp_nanos("2026-11-25T10:00:00Z")
    assert timestamp_nanos("2026-11-25T10:00:00.000000001Z") == base + 1
    assert timestamp_nanos("2026-11-25T10:00:00.5Z") == base + 500_000_000
    assert timestamp_nanos("2026-11-25T12:00:00+02:00") == base
    assert timestamp_nanos("hello") is None and timestamp_nanos(None) is None


def test_position_keeps_the_newest_time_and_how_many_lines_carried_it():
    position = LogPosition()
    assert position.since is None
    for line in (stamped(1, 5, "a"), stamped(2, 7, "b"), stamped(2, 7, "c"), stamped(1, 9, "late stderr")):
        position.advance(line.split(" ")[0])
    position.advance(None)  # the rest of a long line
    assert position.timestamp == "2026-11-25T10:00:02.000000007Z" and position.count == 2
    assert position.since == timestamp_nanos("2026-11-25T10:00:02Z") // 1_000_000_000


def test_resumed_lines_shown_before_are_dropped_and_new_ones_kept():
    position = LogPosition()
    shown = [stamped(2, 1, "one"), stamped(2, 3, "two"), stamped(2, 3, "three")]
    for line in shown:
        position.advance(line.split(" ")[0])
    resume = position.resume_filter()
    again = [*shown, stamped(2, 3, "four, same time"), "rest of four", stamped(3, 0, "five"), "rest of five"]
    kept = [item[1] for item in map(resume.keep, again) if item]
    assert kept == ["four, same time", "rest of four", "five", "rest of five"]


def test_a_fresh_log_keeps_everything_and_splits_the_timestamp():
    resume = LogPosition().resume_filter()
    assert resume.keep(stamped(1, 0, "hello")) == ("2026-11-25T10:00:01.000000000Z", "hello")
    assert resume.keep("no stamp") == (None, "no stamp")


def inspect(status, code=0, policy="no", oom=False):
    return {
        "State": {"Status": status, "ExitCode": code, "Restarting": status == "restarting", "OOMKilled": oom},
        "HostConfig": {"RestartPolicy": {"Name": policy}},
    }


@pytest.mark.parametrize(
    ("payload", "running", "comes_back", "words"),
    [
        (inspect("exited", 0), False, False, "The container stopped (exit code 0); the log is complete."),
        (inspect("exited", 137, oom=True), False, False, "ran out of memory"),
        (inspect("restarting", 1, "always"), False, True, "is restarting (restart policy always)"),
        (inspect("exited", 137, "unless-stopped"), False, True, "may start it again"),
        (inspect("exited", 2, "on-failure"), False, True, "may start it again"),
        (inspect("exited", 0, "on-failure"), False, False, "the log is complete"),
        (inspect("running", 0, "always"), True, True, "started again"),
        (inspect("created"), False, True, "has not started yet"),
        ({"State": {"Status": "exited"}}, False, False, "The container stopped; the log is complete."),
    ],
)
def test_why_a_log_stream_ended(payload, running, comes_back, words):
    end = log_end(payload)
    assert (end.running, end.comes_back) == (running, comes_back)
    assert words in end.message
    assert "complete" not in end.message or not comes_back
