"""The logs window over a fake engine, the crash dialog, and the table models under Qt's model tester."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.core import log
from gui.models.lists import containers_model, images_model
from tests.fakes import fake_engine


def open_logs(window, engine, qtbot, name="web"):
    row = next(r for r in window.containers_page.model.rows if r.name == name)
    window.open_logs(row)
    logs = window.logs_windows[row.id]
    qtbot.addWidget(logs)
    return logs


def test_logs_show_lines_colours_and_timestamps(window, engine, qtbot):
    web = next(r for r in engine.containers_by_id.values() if r.name == "web")
    engine.log_lines[web.id] = [b"starting\n", b"\x1b[32mready\x1b[0m on port 80\n", b"GET / 200\n"]
    logs = open_logs(window, engine, qtbot)
    qtbot.waitUntil(lambda: "GET / 200" in logs.view.plain_text(), timeout=5000)
    assert logs.view.plain_text().splitlines() == ["starting", "ready on port 80", "GET / 200"]
    assert "docker logs --follow --tail 1000 web" in window.commands.commands()

    logs.timestamps_box.click()  # a new stream with timestamps, and the command says so
    qtbot.waitUntil(lambda: "2026-11-25T10:00:00" in logs.view.plain_text(), timeout=5000)
    assert engine.log_streams[0].cancelled
    assert "--timestamps" in logs.command_label.text()

    qtbot.keyClicks(logs.search_edit, "get")
    assert logs.match_label.text() == "1 match"
    logs.close()
    assert engine.log_streams[-1].cancelled


def test_save_log_writes_the_plain_text(window, engine, qtbot, tmp_path):
    web = next(r for r in engine.containers_by_id.values() if r.name == "web")
    engine.log_lines[web.id] = [b"\x1b[1mbold\x1b[0m line\n", b"second\n"]
    logs = open_logs(window, engine, qtbot)
    qtbot.waitUntil(lambda: "second" in logs.view.plain_text(), timeout=5000)
    target = tmp_path / "web.log"
    logs.save_to(str(target))
    qtbot.waitUntil(lambda: "Saved" in logs.status_label.text(), timeout=5000)
    assert target.read_text() == "bold line\nsecond"
    logs.close()


def test_stream_end_says_the_log_is_complete(window, engine, qtbot):
    logs = open_logs(window, engine, qtbot, "old-job")
    qtbot.waitUntil(lambda: bool(engine.log_streams), timeout=5000)
    engine.log_streams[-1].end()
    qtbot.waitUntil(lambda: "complete" in logs.status_label.text(), timeout=5000)
    logs.close()


class Boom(QObject):
    fire = Signal()


def test_uncaught_exception_shows_a_dialog_logs_the_trace_and_the_app_goes_on(
    qtbot, tmp_path, monkeypatch, expect_log_warnings
):
    from gui.views.crash import CrashReporter

    monkeypatch.setattr(log, "log_file", lambda: tmp_path / "portside.log")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    log.get("crash").addHandler(handler)
    reporter = CrashReporter()
    try:
        reporter._excepthook(RuntimeError, RuntimeError("kaboom"), None)
        qtbot.waitUntil(
            lambda: (
                isinstance(QApplication.activeModalWidget(), QMessageBox)
                or any(w.objectName() == "crash-dialog" and w.isVisible() for w in QApplication.topLevelWidgets())
            ),
            timeout=5000,
        )
        box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "crash-dialog")
        assert "RuntimeError: kaboom" in box.text() and str(tmp_path / "portside.log") in box.text()
        assert "keeps running" in box.text()
        assert any("kaboom" in record.getMessage() for record in records)
        box.close()
        box.deleteLater()
    finally:
        log.get("crash").removeHandler(handler)


def test_models_pass_qt_model_tester(qtmodeltester):
    model = containers_model()
    rows = [fake_engine.container(f"c{i}", state="running" if i % 2 else "exited") for i in range(5)]
    model.set_rows(rows)
    qtmodeltester.check(model)
    model.set_rows(rows[1:4] + [fake_engine.container("new")])
    qtmodeltester.check(model)
    assert [row.name for row in model.rows] == ["c1", "c2", "c3", "new"]
    images = images_model()
    images.set_rows([fake_engine.image("a"), fake_engine.image("b")])
    qtmodeltester.check(images)


def test_set_rows_updates_in_place_without_reset(qtbot):
    model = containers_model()
    rows = [fake_engine.container(name) for name in "abcd"]
    model.set_rows(rows)
    changed = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.append((top.row(), bottom.row())))
    from dataclasses import replace

    with qtbot.assertNotEmitted(model.modelReset), qtbot.assertNotEmitted(model.rowsRemoved):
        model.set_rows([rows[0], replace(rows[1], state="exited"), replace(rows[2], status="Up 1 hour"), rows[3]])
    assert changed == [(1, 2)]  # one update for the run of changed rows
    changed.clear()
    now = model.rows
    model.set_rows([replace(now[0], state="exited"), now[1], now[2], replace(now[3], state="exited")])
    assert changed == [(0, 0), (3, 3)]


def test_adjacent_runs():
    from gui.models.table import adjacent_runs

    assert adjacent_runs([]) == []
    assert adjacent_runs([1, 2, 3, 7, 8, 10]) == [(1, 3), (7, 8), (10, 10)]
