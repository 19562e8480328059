"""Portside in front of an engine that is slow, silent or cut off mid-answer (issue 15).

A fault proxy (fault_proxy.py) stands between the real window and the real engine; under each mode the user's
tour (fault_tour.py) runs: start-up, every page, a container's logs opened and closed, a build, a pull of a
name no registry has, and quitting. The tests assert what the user gets (a clear state, a sentence, a window
that closes, no traceback, no thread left behind), never how long it took. The longest GUI-thread gap of each
activity is kept in GAPS and printed at the end (run with -s); tests/bench/bench_faults.py prints the full
table.
"""

from __future__ import annotations

import pytest

from tests.engine.fault_tour import ACTIVITIES, MODES, FaultTour, crash_texts

GAPS: dict[str, dict[str, int]] = {}  # mode -> activity -> longest GUI-thread gap (ms)
SAID: dict[str, dict[str, str]] = {}  # mode -> activity -> outcome and what the window said


@pytest.fixture(scope="module", autouse=True)
def print_gaps():
    yield
    if not GAPS:
        return
    print("\nlongest GUI-thread gap (ms) per fault mode and activity:")
    print(f"{'mode':8}" + "".join(f"{activity:>10}" for activity in ACTIVITIES))
    for mode, gaps in GAPS.items():
        print(f"{mode:8}" + "".join(f"{gaps.get(activity, '-'):>10}" for activity in ACTIVITIES))
    for mode, said in SAID.items():
        for activity, text in said.items():
            print(f"  {mode:6} {activity:9} {text}")


@pytest.mark.parametrize("mode", list(MODES))
def test_the_window_keeps_working_whatever_the_engine_does(
    mode, proxied_app, fault_proxy, qtbot, docker_client, busybox_image, test_labels, tmp_path
):
    tour = FaultTour(
        fault_proxy,
        mode,
        proxied_app,
        wait=lambda condition, seconds: qtbot.waitUntil(lambda: bool(condition()), timeout=int(seconds * 1000)),
        settle=lambda seconds: qtbot.wait(int(seconds * 1000)),
        client=docker_client,
        busybox=busybox_image,
        labels=test_labels,
        workdir=tmp_path,
    )
    try:
        tour.run()
    finally:
        steps = tour.state.steps
        GAPS[mode] = {step.activity: step.longest_gap_ms for step in steps}
        SAID[mode] = {step.activity: f"{step.outcome}: {step.said}" for step in steps}

    outcomes = {step.activity: step.outcome for step in steps}
    assert list(outcomes) == list(ACTIVITIES)
    # Start-up ends in the lists, or on the Engine page with a sentence (the tour checked the sentence).
    assert outcomes["start-up"] == ("clear message" if mode == "stall" else "ok")
    assert outcomes["pages"] == "ok"
    # Logs: lines where the engine answers; a cut stream is said or resumed, never shown twice, and never read as
    # "the container stopped" while it runs on ("wrong message").
    expected_logs = {"pass": {"ok"}, "delay": {"ok"}, "stall": {"waiting"}, "drop": {"recovered", "clear message"}}
    assert outcomes["logs"] in expected_logs[mode], SAID[mode]["logs"]
    # Build: built where the engine answers; a cancelled or cut build ends with a sentence, never hangs.
    assert outcomes["build"] == ("ok" if mode in ("pass", "delay") else "clear message"), SAID[mode]["build"]
    # Pull: the engine's refusal as a sentence; under a silent engine, Cancel ends it.
    assert outcomes["pull"] == ("waiting" if mode == "stall" else "clear message"), SAID[mode]["pull"]
    assert "Traceback" not in SAID[mode]["pull"]
    assert outcomes["quit"] == "ok"
    assert not crash_texts()


def test_logs_of_an_engine_that_stops_answering_say_so_and_follow_once_it_answers(
    proxied_app, fault_proxy, qtbot, docker_client, busybox_image, test_labels, monkeypatch
):
    """The Logs window opened while the engine hangs (stall): after the time limit on the engine's first answer it
    says the engine is not answering, instead of "Following…" for ever, and asks again; once the engine answers,
    the log comes, each line once."""
    from gui.core.engine import client as client_module
    from gui.workers.log_follower import ENGINE_BACK, NOT_ANSWERING

    monkeypatch.setattr(client_module, "STREAM_ANSWER_TIMEOUT_S", 1.0)  # 10 s in the app
    container = docker_client.containers.run(
        busybox_image, ["sh", "-c", "echo hello from the log; sleep 300"], detach=True, labels=test_labels
    )
    window = proxied_app()
    qtbot.waitUntil(lambda: any(r.id == container.id for r in window.containers_page.model.rows), timeout=20_000)
    fault_proxy.stall()
    window.open_logs(next(r for r in window.containers_page.model.rows if r.id == container.id))
    logs = window.logs_windows[container.id]
    qtbot.waitUntil(lambda: logs.status_label.text() == NOT_ANSWERING, timeout=30_000)
    assert "hello from the log" not in logs.view.plain_text()

    fault_proxy.pass_through()
    qtbot.waitUntil(lambda: "hello from the log" in logs.view.plain_text(), timeout=30_000)
    qtbot.waitUntil(lambda: logs.status_label.text() == ENGINE_BACK, timeout=10_000)
    assert logs.view.plain_text().count("hello from the log") == 1
    logs.close()
