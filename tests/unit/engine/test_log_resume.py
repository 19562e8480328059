"""gui.core.engine.log_resume: where a log left off, resuming it without a line twice, and why its stream ended."""

from __future__ import annotations

import pytest

from gui.core.engine.log_resume import (
    CONNECTION_DROPPED,
    RUNNING_AGAIN,
    STARTED_AGAIN,
    LogPosition,
    log_end,
    timestamp_nanos,
)


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


RUN_BEGAN = "2026-11-25T10:00:00.123456789Z"


def inspect(status, code=0, policy="no", oom=False, started_at=RUN_BEGAN):
    state = {"Status": status, "ExitCode": code, "Restarting": status == "restarting", "OOMKilled": oom}
    return {"State": {**state, "StartedAt": started_at}, "HostConfig": {"RestartPolicy": {"Name": policy}}}


@pytest.mark.parametrize(
    ("payload", "running", "comes_back", "words"),
    [
        (inspect("exited", 0), False, False, "The container stopped (exit code 0); the log is complete."),
        (inspect("exited", 137, oom=True), False, False, "ran out of memory"),
        (inspect("restarting", 1, "always"), False, True, "is restarting (restart policy always)"),
        (inspect("exited", 137, "unless-stopped"), False, True, "may start it again"),
        (inspect("exited", 2, "on-failure"), False, True, "may start it again"),
        (inspect("exited", 0, "on-failure"), False, False, "the log is complete"),
        (inspect("running", 0, "always"), True, True, RUNNING_AGAIN),  # when its run began is not known
        (inspect("created"), False, True, "has not started yet"),
        ({"State": {"Status": "exited"}}, False, False, "The container stopped; the log is complete."),
    ],
)
def test_why_a_log_stream_ended(payload, running, comes_back, words):
    end = log_end(payload)
    assert (end.running, end.comes_back) == (running, comes_back)
    assert words in end.message
    assert "complete" not in end.message or not comes_back


def test_a_running_container_whose_run_began_with_the_stream_only_lost_the_connection():
    """The stream dropped while the container ran on: the same StartedAt as when the stream began. Not a restart."""
    end = log_end(inspect("running", policy="always"), started_at=RUN_BEGAN)
    assert (end.running, end.same_run, end.message) == (True, True, CONNECTION_DROPPED)
    assert "started again" not in end.message
    # The same instant written another way (an offset instead of Z) is the same run.
    assert log_end(inspect("running"), started_at="2026-11-25T12:00:00.123456789+02:00").same_run


def test_a_running_container_with_a_newer_run_started_again():
    end = log_end(inspect("running", policy="always", started_at="2026-11-25T10:00:07.5Z"), started_at=RUN_BEGAN)
    assert (end.running, end.same_run, end.message) == (True, False, STARTED_AGAIN)
