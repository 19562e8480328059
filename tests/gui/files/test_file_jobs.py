"""FileJob: a blocking call off the GUI thread, its progress and outcome delivered in the GUI thread, cancel that
ends the thread, and an abandoned job that says nothing more."""

from __future__ import annotations

import threading

from gui.core.errors import EngineError
from gui.core.files.entries import FilesCancelled
from gui.workers.file_jobs import FileJob

WAIT_MS = 10_000


def until_cancelled(progress, cancel: threading.Event):
    done = 0
    while not cancel.wait(0.005):
        done += 1024
        progress(done, None)
    raise FilesCancelled("stopped")


def test_the_result_and_progress_arrive_in_the_gui_thread(qtbot):
    seen = []

    def work(progress, cancel):
        for done in range(0, 1001, 100):
            progress(done, 1000)
        return "listing"

    job = FileJob(work)
    job.progress.connect(lambda done, total: seen.append((threading.current_thread(), total)))
    with qtbot.waitSignal(job.finished, timeout=WAIT_MS) as finished:
        job.start()
    assert finished.args == ["listing"]
    assert all(thread is threading.main_thread() and total == 1000 for thread, total in seen)
    assert not job.running


def test_a_failure_arrives_as_the_exception_itself(qtbot):
    error = EngineError("Could not read /data: the container was removed.")

    def work(progress, cancel):
        raise error

    job = FileJob(work)
    with qtbot.waitSignal(job.failed, timeout=WAIT_MS) as failed:
        job.start()
    assert failed.args == [error]


def test_cancel_ends_the_thread_and_says_cancelled(qtbot):
    job = FileJob(until_cancelled)
    job.start()
    with qtbot.waitSignal(job.progress, timeout=WAIT_MS):
        pass
    with qtbot.waitSignal(job.failed, timeout=WAIT_MS) as failed:
        job.cancel()
    assert isinstance(failed.args[0], FilesCancelled)
    job.thread.join(WAIT_MS / 1000)
    assert not job.thread.is_alive()


def test_an_abandoned_job_stops_and_says_nothing_more(qtbot):
    said = []
    job = FileJob(until_cancelled)
    job.finished.connect(said.append)
    job.failed.connect(said.append)
    job.start()
    job.abandon()
    job.thread.join(WAIT_MS / 1000)
    assert not job.thread.is_alive()
    qtbot.wait(200)  # a few delivery turns: nothing may come
    assert said == []
