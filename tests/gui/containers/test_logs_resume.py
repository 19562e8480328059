"""The Logs window when its stream ends: the container ended (its exit code, in words) or the engine dropped
(it says so, then follows again from where it left off, no line twice), and a container that restarts (issue 15)."""

from __future__ import annotations

import re

import pytest

from gui.core.engine.connection import EngineState
from gui.core.engine.log_resume import CONNECTION_DROPPED, STARTED_AGAIN
from gui.core.errors import EngineGone
from gui.workers.log_follower import DROPPED, ENGINE_BACK
from tests.fakes import fake_engine

BASE_SECOND = 1795600810  # 2026-11-25T10:00:10Z, the first line's second
FIRST_RUN = "2026-11-25T10:00:09.500000000Z"  # when the container's run began (State.StartedAt)


def open_logs(window, qtbot, name: str):
    row = next(r for r in window.containers_page.model.rows if r.name == name)
    window.open_logs(row)
    logs = window.logs_windows[row.id]
    qtbot.addWidget(logs)
    return row, logs


def numbers(logs) -> list[int]:
    return [int(match[1]) for match in re.finditer(r"line (\d+)", logs.view.plain_text())]


def inspect_payload(status: str, exit_code: int = 0, policy: str = "no", started_at: str = FIRST_RUN) -> dict:
    return {
        "State": {
            "Status": status,
            "ExitCode": exit_code,
            "Restarting": status == "restarting",
            "StartedAt": started_at,
        },
        "HostConfig": {"RestartPolicy": {"Name": policy}},
    }


class TimedLog:
    """A container's log with docker's timestamps (three lines a second), served the way the engine serves it:
    `since` keeps the lines at or after that second, and each stream knows when the container's run began (as
    gui.core.engine.client.LogStream does); while `down`, every call fails as on a dead engine."""

    def __init__(self, engine, count: int):
        self.engine = engine
        self.count = count
        self.down = False
        self.cut_last = False
        self.calls: list[dict] = []
        self.state = inspect_payload("running", policy="always")

    @staticmethod
    def line(number: int, timestamps: bool) -> bytes:
        stamp = f"2026-11-25T10:00:{10 + number // 3:02d}.{number:09d}Z " if timestamps else ""
        return f"{stamp}line {number}\n".encode()

    def logs(self, container, timestamps=False, tail=1000, follow=True, since=None):
        self.calls.append({"timestamps": timestamps, "tail": tail, "since": since})
        if self.down:
            raise EngineGone("the Docker engine stopped answering.")
        first = 0 if since is None else max(0, (since - BASE_SECOND) * 3)
        chunks = [self.line(n, timestamps) for n in range(first, self.count)]
        if self.cut_last:  # the connection dropped in the middle of the next line
            chunks.append(self.line(self.count, timestamps)[:-5])
        stream = fake_engine.FakeStream(chunks)
        stream.started_at = self.state["State"]["StartedAt"]
        self.engine.log_streams.append(stream)
        return stream

    def inspect(self, container):
        if self.down:
            raise EngineGone("the Docker engine stopped answering.")
        return self.state


@pytest.fixture
def timed_log(engine, monkeypatch):
    log = TimedLog(engine, 6)
    monkeypatch.setattr(engine, "logs", log.logs)
    monkeypatch.setattr(engine.api, "inspect_container", log.inspect)
    return log


def test_a_container_that_ended_says_how_with_its_exit_code(window, engine, qtbot, monkeypatch):
    monkeypatch.setattr(engine.api, "inspect_container", lambda _c: inspect_payload("exited", 137))
    _row, logs = open_logs(window, qtbot, "old-job")
    qtbot.waitUntil(lambda: bool(engine.log_streams), timeout=5000)
    engine.log_streams[-1].end()
    qtbot.waitUntil(lambda: "complete" in logs.status_label.text(), timeout=5000)
    text = logs.status_label.text()
    assert text.startswith("The container stopped (exit code 137); the log is complete.")
    assert "Stopped by force" in text and DROPPED not in text
    logs.close()


def test_lost_engine_is_not_a_complete_log_and_the_log_resumes_without_duplicates(
    window, engine, engine_state, timed_log, qtbot
):
    _row, logs = open_logs(window, qtbot, "web")
    qtbot.waitUntil(lambda: numbers(logs) == [0, 1, 2, 3, 4, 5], timeout=5000)
    assert logs.view.plain_text().splitlines()[0] == "line 0"  # timestamps only when asked for

    timed_log.down = True  # the engine is killed: its streams end, nothing answers
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    engine.log_streams[-1].end()
    qtbot.waitUntil(lambda: logs.status_label.text() == DROPPED, timeout=5000)
    assert "complete" not in logs.status_label.text()

    timed_log.count = 10  # the container went on printing while the engine was away
    timed_log.down = False
    engine_state.state = EngineState.CONNECTED
    qtbot.waitUntil(lambda: numbers(logs)[-1:] == [9], timeout=10_000)
    assert numbers(logs) == list(range(10))  # lines 3 to 5 came again from the engine, and were dropped
    assert logs.status_label.text() == ENGINE_BACK
    assert timed_log.calls[-1]["since"] == BASE_SECOND + 1  # the second of the last line shown
    assert logs.command_label.text() == "docker logs --follow --since 2026-11-25T10:00:11.000000005Z web"
    logs.close()


def test_a_restarting_container_is_followed_again_when_it_starts(window, engine, timed_log, qtbot):
    row, logs = open_logs(window, qtbot, "web")
    qtbot.waitUntil(lambda: numbers(logs) == list(range(6)), timeout=5000)
    timed_log.state = inspect_payload("restarting", 1, policy="always")
    engine.log_streams[-1].end()  # the container stopped: the engine ends the follow
    qtbot.waitUntil(lambda: "is restarting" in logs.status_label.text(), timeout=5000)
    assert "exit code 1" in logs.status_label.text() and "complete" not in logs.status_label.text()

    timed_log.state = inspect_payload("running", policy="always")
    timed_log.count = 8
    engine.emit_event({"Type": "container", "Action": "start", "id": row.id, "Actor": {"ID": row.id}})
    qtbot.waitUntil(lambda: numbers(logs)[-1:] == [7], timeout=5000)
    assert numbers(logs) == list(range(8))
    assert "started again" in logs.status_label.text()
    logs.close()


def test_timestamps_shown_when_asked_and_still_no_duplicates(window, engine, timed_log, qtbot):
    _row, logs = open_logs(window, qtbot, "web")
    qtbot.waitUntil(lambda: len(numbers(logs)) == 6, timeout=5000)
    logs.timestamps_box.click()
    qtbot.waitUntil(lambda: len(numbers(logs)) == 6, timeout=5000)
    assert logs.view.plain_text().splitlines()[0] == "2026-11-25T10:00:10.000000000Z line 0"
    assert all(call["timestamps"] for call in timed_log.calls)  # the follower always knows where it is
    logs.close()


def test_a_line_cut_off_by_the_drop_is_shown_once_whole_and_last_words_are_kept(
    window, engine, engine_state, timed_log, qtbot
):
    timed_log.cut_last = True
    _row, logs = open_logs(window, qtbot, "web")
    qtbot.waitUntil(lambda: numbers(logs) == list(range(6)), timeout=5000)
    timed_log.down = True
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    engine.log_streams[-1].end()
    qtbot.waitUntil(lambda: logs.status_label.text() == DROPPED, timeout=5000)
    assert logs.view.plain_text().splitlines()[-1] == "line 5"  # not the piece of line 6

    timed_log.cut_last = False
    timed_log.count = 8
    timed_log.down = False
    engine_state.state = EngineState.CONNECTED
    qtbot.waitUntil(lambda: numbers(logs)[-1:] == [7], timeout=10_000)
    assert logs.view.plain_text().splitlines() == [f"line {n}" for n in range(8)]

    # A container whose last words had no newline: shown once it is known to have ended.
    timed_log.cut_last = True
    timed_log.state = inspect_payload("exited", 0)
    engine.log_streams[-1].push(timed_log.line(8, True)[:-5])
    engine.log_streams[-1].end()
    qtbot.waitUntil(lambda: "complete" in logs.status_label.text(), timeout=5000)
    assert logs.view.plain_text().splitlines()[-1] == "li"  # all it wrote of its last line
    logs.close()


def test_a_dropped_connection_to_a_running_container_is_not_called_a_restart(window, engine, timed_log, qtbot):
    """The log stream ends while the container runs on (the connection dropped, the engine stayed): the same run
    as when the stream began, so the window says the connection dropped, never that the container started again.
    A container that did start again (a newer run) is still said to have."""
    _row, logs = open_logs(window, qtbot, "web")
    said: list[str] = []
    logs.follower.status.connect(said.append)
    qtbot.waitUntil(lambda: numbers(logs) == list(range(6)), timeout=5000)

    timed_log.count = 8  # it went on printing
    engine.log_streams[-1].end()  # the connection dropped; the container never stopped
    qtbot.waitUntil(lambda: numbers(logs)[-1:] == [7], timeout=5000)
    assert numbers(logs) == list(range(8))
    assert logs.status_label.text() == CONNECTION_DROPPED
    assert STARTED_AGAIN not in said and "stopped" not in " ".join(said)

    timed_log.state = inspect_payload("running", policy="always", started_at="2026-11-25T10:00:12.000000000Z")
    timed_log.count = 9
    engine.log_streams[-1].end()  # this time it restarted at once, before the follower looked
    qtbot.waitUntil(lambda: numbers(logs)[-1:] == [8], timeout=5000)
    assert logs.status_label.text() == STARTED_AGAIN
    assert numbers(logs) == list(range(9))
    logs.close()
