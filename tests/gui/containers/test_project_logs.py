"""A compose project's logs in one window (issue 19), as `docker compose -p P logs --follow` shows them: every
container's lines, each prefixed with its service, in the order they arrive; closing the window ends every stream."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gui.views.containers.containers_page import ContainersPage
from gui.views.containers.project_logs_window import prefixes
from tests.fakes import fake_engine
from tests.fakes.fake_compose import FakeComposeEngine, compose_container

STAMP = b"2026-11-25T10:00:01.000000000Z "


@pytest.fixture
def engine():
    fake = FakeComposeEngine()
    rows = (compose_container("shop", "web"), compose_container("shop", "db"), fake_engine.container("solo"))
    fake.containers_by_id = {row.id: row for row in rows}
    fake.log_lines = {
        rows[0].id: [b"listening on 80\n"],
        rows[1].id: [b"ready to accept connections\n"],
        rows[2].id: [b"not in the project\n"],
    }
    fake.streams_by_name = {}  # container name: its latest log stream
    plain_logs = fake.logs

    def logs(container, **options):
        stream = plain_logs(container, **options)
        fake.streams_by_name[fake.containers_by_id[container].name] = stream
        return stream

    fake.logs = logs
    return fake


@pytest.fixture
def page(qtbot, session, engine):
    page = ContainersPage(session)
    qtbot.addWidget(page)
    page.show()
    session.start()
    qtbot.waitUntil(lambda: page.proxy.rowCount() == len(engine.containers_by_id), timeout=5000)
    return page


def open_project_logs(page, qtbot):
    asked = []
    page.logsRequested.connect(asked.append)
    page.select_keys({"shop-web-1"}, lambda row: row.name)
    page.projects.logs_action.trigger()
    assert asked == []  # no window per container
    window = page.projects.logs_windows["shop"]
    qtbot.waitUntil(window.isVisible, timeout=5000)
    return window


def lines(window) -> list[str]:
    return window.view.plain_text().splitlines()


def test_both_services_lines_appear_prefixed_with_the_service(page, engine, qtbot):
    window = open_project_logs(page, qtbot)
    assert window.windowTitle() == "Logs of project shop"
    assert window.command_label.text() == "docker compose -p shop logs --follow --tail 1000"
    qtbot.waitUntil(lambda: len(lines(window)) == 2, timeout=5000)
    assert sorted(lines(window)) == ["db  | ready to accept connections", "web | listening on 80"]
    assert "solo" not in engine.streams_by_name

    # New lines interleave in the order they arrive, whichever container writes them.
    for name, text in (("shop-db-1", b"query 1"), ("shop-web-1", b"GET / 200"), ("shop-db-1", b"query 2")):
        engine.streams_by_name[name].push(STAMP + text + b"\n")
        qtbot.waitUntil(lambda text=text: lines(window)[-1].endswith(text.decode()), timeout=5000)
    assert lines(window)[-3:] == ["db  | query 1", "web | GET / 200", "db  | query 2"]
    window.close()


def test_timestamps_follow_the_prefix_and_the_command_says_so(page, engine, qtbot):
    window = open_project_logs(page, qtbot)
    qtbot.waitUntil(lambda: len(lines(window)) == 2, timeout=5000)
    window.timestamps_box.click()
    qtbot.waitUntil(lambda: "web | 2026-11-25T10:00:00" in window.view.plain_text(), timeout=5000)
    assert len(lines(window)) == 2  # a fresh log, not the old lines again
    assert "--timestamps" in window.command_label.text()
    window.close()


def test_closing_the_window_stops_every_follower(page, engine, qtbot):
    window = open_project_logs(page, qtbot)
    qtbot.waitUntil(lambda: len(engine.streams_by_name) == 2, timeout=5000)
    page.projects.logs_action.trigger()  # asked again: the same window, no new streams
    assert page.projects.logs_windows["shop"] is window and len(engine.log_streams) == 2
    window.close()
    assert all(stream.cancelled for stream in engine.log_streams)
    assert "shop" not in page.projects.logs_windows


def test_a_scaled_service_is_told_apart_by_container_name():
    web1, db = compose_container("shop", "web"), compose_container("shop", "db")
    web2 = replace(web1, id=fake_engine.container("shop-web-2").id, name="shop-web-2")
    assert prefixes((db, web1, web2)) == {
        db.id: "db         | ",
        web1.id: "shop-web-1 | ",
        web2.id: "shop-web-2 | ",
    }
