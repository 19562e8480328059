"""Streams that resume (issue 15), on a private dockerd killed with SIGKILL and started again.

- The Logs window of a container that keeps printing numbered lines (restart policy always) says it lost the
  engine (never "the log is complete"), follows again once the engine is back, and shows every number once, in
  order.
- A build killed during its RUN step says the engine stopped, keeps Build off while it is away, removes the step
  container it left once the engine is back, and offers Build again.
- The Logs window of a container that never stopped, whose log connection alone was cut (the fault proxy, the
  engine itself fine), says the connection dropped and resumes: never "the container started again".
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

# The container counts on in a file of its own filesystem, which a restart keeps: the numbers go on rising.
# The next number is saved before it is printed, so a kill between the two skips one, never repeats one.
COUNTER = "i=$(cat /n 2>/dev/null || echo 0); while true; do i=$((i+1)); echo $i > /n; echo line $i; sleep 0.2; done"
RESTART_S = 90_000  # ms: a killed dockerd restores its containers before it answers (about 10 s here)


# A container that prints about 100 KiB a second: its log stream is the one connection that passes CUT_AFTER bytes.
CHATTY = 'i=0; while true; do echo "line $i $(printf %0900d 0)"; i=$((i+1)); usleep 5000; done'
CUT_AFTER = 512 * 1024


def numbers(logs) -> list[int]:
    return [int(match[1]) for match in re.finditer(r"^line (\d+)\b", logs.view.plain_text(), re.MULTILINE)]


def test_logs_say_the_engine_dropped_then_resume_without_duplicates(
    app_window, qtbot, private_dockerd, docker_client, busybox_image, test_labels
):
    from gui.workers.log_follower import DROPPED

    private_dockerd.load_image(docker_client, busybox_image)
    container = private_dockerd.client().containers.run(
        busybox_image, ["sh", "-c", COUNTER], detach=True, restart_policy={"Name": "always"}, labels=test_labels
    )
    window = app_window(private_dockerd.host)
    qtbot.waitUntil(lambda: any(r.id == container.id for r in window.containers_page.model.rows), timeout=10_000)
    window.open_logs(next(r for r in window.containers_page.model.rows if r.id == container.id))
    logs = window.logs_windows[container.id]
    qtbot.waitUntil(lambda: len(numbers(logs)) >= 5, timeout=20_000)

    private_dockerd.kill()
    qtbot.waitUntil(lambda: logs.status_label.text() == DROPPED, timeout=20_000)
    before = numbers(logs)[-1]

    private_dockerd.start()
    qtbot.waitUntil(lambda: numbers(logs)[-1] >= before + 10, timeout=RESTART_S)
    shown = numbers(logs)
    assert shown == sorted(set(shown)), f"a number shown twice or out of order: {shown}"
    assert "complete" not in logs.status_label.text()
    assert "--since" in logs.command_label.text()
    logs.close()


def test_build_cut_off_by_the_engine_says_so_cleans_up_and_offers_build_again(
    app_window, qtbot, private_dockerd, docker_client, busybox_image, tmp_path, test_labels
):
    from gui.workers.build_runner import ENGINE_STOPPED

    private_dockerd.load_image(docker_client, busybox_image)
    project = tmp_path / "sleepy"
    project.mkdir()
    (project / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN sleep 30\n")
    window = app_window(private_dockerd.host)
    window.show_page("builds")
    dialog = window.open_build(project, tags=f"sleepy-{test_labels['io.portside.test.case']}:1")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Running in" in dialog.log_view.plain_text(), timeout=60_000)
    [step_container] = re.findall(r"Running in ([0-9a-f]{12})", dialog.log_view.plain_text())

    private_dockerd.kill()
    qtbot.waitUntil(lambda: dialog.result_label.text() == ENGINE_STOPPED, timeout=20_000)
    page = window.builds_page
    qtbot.waitUntil(lambda: not page.build_action.isEnabled(), timeout=20_000)
    assert dialog.build_button.text() == "Build again" and not dialog.build_button.isEnabled()

    private_dockerd.start()
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=RESTART_S)
    assert page.build_action.isEnabled()
    client = private_dockerd.client()
    # docker ps -a --filter id=<the step container>: the build's own container, gone.
    qtbot.waitUntil(
        lambda: not client.containers.list(all=True, filters={"id": step_container}, ignore_removed=True),
        timeout=20_000,
    )
    assert not [
        c
        for c in client.containers.list(all=True, ignore_removed=True)
        if c.attrs["Config"]["Cmd"][-1:] == ["sleep 30"]
    ]
    assert f"docker rm --force {step_container}" in window.commands.commands()
    qtbot.waitUntil(
        lambda: "removed the container that build left behind" in dialog.result_label.text(), timeout=10_000
    )
    dialog.close()


def test_logs_cut_off_while_the_container_runs_say_the_connection_dropped_not_a_restart(
    proxied_app, fault_proxy, qtbot, docker_client, busybox_image, test_labels
):
    from gui.core.engine.log_resume import CONNECTION_DROPPED, STARTED_AGAIN
    from gui.workers.log_follower import DROPPED

    container = docker_client.containers.run(busybox_image, ["sh", "-c", CHATTY], detach=True, labels=test_labels)
    window = proxied_app()
    qtbot.waitUntil(lambda: any(r.id == container.id for r in window.containers_page.model.rows), timeout=20_000)
    window.open_logs(next(r for r in window.containers_page.model.rows if r.id == container.id))
    logs = window.logs_windows[container.id]
    said: list[str] = []
    logs.follower.status.connect(said.append)
    qtbot.waitUntil(lambda: len(numbers(logs)) >= 5, timeout=20_000)

    fault_proxy.drop(after_bytes=CUT_AFTER)  # the log stream is cut once this much more of it went through
    qtbot.waitUntil(lambda: any(text in said for text in (CONNECTION_DROPPED, STARTED_AGAIN, DROPPED)), timeout=30_000)
    fault_proxy.pass_through()
    before = numbers(logs)[-1]
    qtbot.waitUntil(lambda: numbers(logs)[-1] >= before + 50, timeout=30_000)

    container.reload()
    assert container.status == "running" and container.attrs["RestartCount"] == 0  # it never stopped
    assert STARTED_AGAIN not in said and not any("stopped" in text for text in said), said
    assert CONNECTION_DROPPED in said, said
    shown = numbers(logs)
    assert shown == sorted(set(shown)), "a line shown twice or out of order"
    logs.close()
