"""The Logs window with a container that prints a lot at once (issue 17): every line shown once and in order, however
the lines are batched on their way, the follow resumed after a drop without repeats, and the search's count kept up
to date as lines come."""

from __future__ import annotations

import re

import pytest

from gui.core.engine.connection import EngineState
from gui.core.engine.log_resume import timestamp_nanos
from gui.core.errors import EngineGone
from gui.workers.log_follower import DROPPED, LINES_PER_BATCH
from tests.fakes import fake_engine


def open_logs(window, qtbot, name: str = "web"):
    row = next(r for r in window.containers_page.model.rows if r.name == name)
    window.open_logs(row)
    logs = window.logs_windows[row.id]
    qtbot.addWidget(logs)
    return logs


def numbers(logs) -> list[int]:
    return [int(match[1]) for match in re.finditer(r"line (\d+)", logs.view.plain_text())]


class StampedLog:
    """A container's log of (timestamp, text) lines, served as the engine serves it: all of it in one piece, from the
    `since` second on when asked."""

    def __init__(self, engine, lines: list[tuple[str, str]]):
        self.engine, self.lines = engine, lines
        self.down = False

    def logs(self, container, timestamps=False, tail=1000, follow=True, since=None):
        if self.down:
            raise EngineGone("the Docker engine stopped answering.")
        kept = [(stamp, text) for stamp, text in self.lines if since is None or timestamp_nanos(stamp) >= since * 10**9]
        stream = fake_engine.FakeStream([b"".join(f"{stamp} {text}\n".encode() for stamp, text in kept)])
        stream.started_at = "2026-11-25T10:00:00.000000000Z"
        self.engine.log_streams.append(stream)
        return stream


@pytest.fixture
def stamped(engine, monkeypatch):
    def install(lines):
        log = StampedLog(engine, lines)
        monkeypatch.setattr(engine, "logs", log.logs)
        state = {"State": {"Status": "running", "StartedAt": "2026-11-25T10:00:00.000000000Z"}}
        monkeypatch.setattr(engine.api, "inspect_container", lambda _container: state)
        return log

    return install


def test_a_burst_of_lines_is_shown_whole_and_in_order(window, engine, qtbot):
    """A container that printed 120,000 lines before the window opened: once, every one of them was read faster than
    the window could show it, and the oldest lines waiting were dropped (half of them in bench_log_view)."""
    web = next(r for r in engine.containers_by_id.values() if r.name == "web")
    count = 60 * LINES_PER_BATCH + 17  # many batches, handed over in one piece
    engine.log_lines[web.id] = [b"".join(f"\x1b[32m{n}\x1b[0m line {n}\n".encode() for n in range(count))]
    logs = open_logs(window, qtbot)
    qtbot.waitUntil(lambda: numbers_end(logs) == count - 1, timeout=30_000)
    assert numbers(logs) == list(range(count))
    assert logs.view.line_formats(count - 1)[0][1].foreground().color().name() == "#2a9d3c"  # green
    logs.close()


def numbers_end(logs) -> int | None:
    """The number of the last line shown, cheaply."""
    tail = logs.view.plain_text()[-40:]
    found = re.findall(r"line (\d+)", tail)
    return int(found[-1]) if found else None


def test_lines_sharing_a_timestamp_in_one_batch_resume_without_repeats(window, engine, engine_state, stamped, qtbot):
    second = "2026-11-25T10:00:10"
    log = stamped(
        [
            (f"{second}.000000001Z", "line 0"),
            (f"{second}.000000002Z", "line 1"),
            (f"{second}.000000002Z", "line 2"),  # the same nanosecond as line 1
            (f"{second}.000000001Z", "line 3"),  # stderr, a little behind stdout
            (f"{second}.000000002Z", "line 4"),
        ]
    )
    logs = open_logs(window, qtbot)
    qtbot.waitUntil(lambda: numbers(logs) == [0, 1, 2, 3, 4], timeout=5000)
    position = logs.follower.position
    assert (position.timestamp, position.count) == (f"{second}.000000002Z", 3)

    log.down = True
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    engine.log_streams[-1].end()
    qtbot.waitUntil(lambda: logs.status_label.text() == DROPPED, timeout=5000)
    log.lines += [(f"{second}.000000002Z", "line 5"), ("2026-11-25T10:00:11.000000000Z", "line 6")]
    log.down = False
    engine_state.state = EngineState.CONNECTED
    qtbot.waitUntil(lambda: numbers(logs)[-1:] == [6], timeout=10_000)
    assert numbers(logs) == list(range(7))  # the whole second came again; what was shown is not shown twice
    logs.close()


def test_the_match_count_follows_the_lines_as_they_come(window, engine, qtbot):
    web = next(r for r in engine.containers_by_id.values() if r.name == "web")
    engine.log_lines[web.id] = [b"GET / 200\n", b"GET /health 200\n"]
    logs = open_logs(window, qtbot)
    qtbot.waitUntil(lambda: logs.view.line_count == 2, timeout=5000)
    qtbot.keyClicks(logs.search_edit, "get")
    assert logs.match_label.text() == "2 matches"
    engine.log_streams[-1].push(b"".join(b"GET /more 200\n" for _ in range(1500)))
    qtbot.waitUntil(lambda: logs.match_label.text() == "1,502 matches", timeout=5000)
    logs.search_edit.clear()
    assert logs.match_label.text() == ""
    logs.close()
