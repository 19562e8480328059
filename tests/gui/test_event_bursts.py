"""Engine events keep the lists true: the engine announces a container's end ("die") before its list says so, and
the page still ends up showing what the engine lists once it has caught up."""

from __future__ import annotations

import time
from dataclasses import replace


def shown_state(page, name: str) -> str | None:
    return next((row.state for row in page.model.rows if row.name == name), None)


def test_a_container_still_listed_running_after_it_died_is_shown_exited_once_the_list_catches_up(window, engine, qtbot):
    """Found: the refresh after a "die" event could read the list before the engine updated it (dockerd cleans up
    between the two); with no later event, the page said "running" for good."""
    page = window.containers_page
    web = next(row for row in engine.containers_by_id.values() if row.name == "web")
    assert shown_state(page, "web") == "running"
    listed = engine.snapshot
    reads = []

    def lagging_list():
        snapshot = listed()  # still running in this read: the engine is cleaning up
        reads.append(snapshot)
        if len(reads) == 1:
            with engine._lock:
                engine.containers_by_id[web.id] = replace(web, state="exited", status="Exited (137) 1 second ago")
        return snapshot

    engine.snapshot = lagging_list
    engine.emit_event({"Type": "container", "Action": "kill", "id": web.id, "time": int(time.time())})
    engine.emit_event({"Type": "container", "Action": "die", "id": web.id, "time": int(time.time())})
    qtbot.waitUntil(lambda: len(reads) >= 1, timeout=5000)
    qtbot.waitUntil(lambda: shown_state(page, "web") == "exited", timeout=5000)


def test_a_container_that_died_and_started_again_is_read_once(window, engine, qtbot):
    page = window.containers_page
    web = next(row for row in engine.containers_by_id.values() if row.name == "web")
    listed = engine.snapshot
    reads = []
    engine.snapshot = lambda: reads.append(1) or listed()
    now = int(time.time())
    engine.emit_event({"Type": "container", "Action": "die", "id": web.id, "time": now})
    engine.emit_event({"Type": "container", "Action": "start", "id": web.id, "time": now})  # a restart policy
    qtbot.waitUntil(lambda: len(reads) >= 1, timeout=5000)
    qtbot.wait(1500)
    assert len(reads) == 1  # listed running, as it should be: nothing to wait for
    assert shown_state(page, "web") == "running"
