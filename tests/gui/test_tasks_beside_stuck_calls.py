"""Jobs behind engine calls that hang still run (issue 15).

Found with the fault proxy (tests/engine/test_fault_modes.py, mode stall): engine calls and disk jobs share the
session's four task threads. Four calls on an engine that never answers (a few clicks while it hangs) took all
four, and every job after them waited for ever: a Dockerfile's save and its recovery copy, the Build form's
check, a log saved to a file. A job running longer than STUCK_S now no longer counts against the pool's size:
the jobs behind it get a spare thread. A runner of one thread keeps its jobs in order and gets none.
"""

from __future__ import annotations

import threading

from gui.workers import tasks
from gui.workers.tasks import TaskRunner


def test_a_save_runs_while_four_engine_calls_hang(qtbot, monkeypatch):
    monkeypatch.setattr(tasks, "STUCK_S", 0.2, raising=False)  # a shorter wait before a spare, for a quick test
    runner = TaskRunner(max_threads=4)
    release = threading.Event()
    for _ in range(4):
        runner.submit(lambda: release.wait(30))  # an engine call that never answers
    saved = []
    runner.submit(lambda: "saved", saved.append)
    try:
        qtbot.waitUntil(lambda: saved == ["saved"], timeout=10_000)
    finally:
        release.set()
    assert runner.wait_idle(10_000)


def test_a_runner_of_one_thread_keeps_its_order_behind_a_stuck_job(qtbot, monkeypatch):
    monkeypatch.setattr(tasks, "STUCK_S", 0.0)  # every running job counts as stuck at once
    runner = TaskRunner(max_threads=1)
    release, began, order = threading.Event(), threading.Event(), []
    runner.submit(lambda: (began.set(), release.wait(30), order.append(1)))
    assert began.wait(10)
    runner.submit(lambda: order.append(2))
    runner._pool._recheck()  # the look a pool with spares would take: no second thread here
    try:
        assert runner._pool._threads == 1 and order == []
    finally:
        release.set()
    qtbot.waitUntil(lambda: order == [1, 2], timeout=10_000)
