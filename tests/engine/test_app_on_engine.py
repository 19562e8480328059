"""Portside against the real engine, as a user sees it: lists follow the engine, actions reach it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import docker.errors
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from tests.engine import cli_env
from tests.engine import engine_helpers as eh
from tests.gui.user_actions import answer_message_boxes

ROOT = Path(__file__).resolve().parents[2]


def names(page) -> set[str]:
    return {page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())}


def select_row(page, predicate) -> None:
    for row in range(page.proxy.rowCount()):
        if predicate(page.proxy.index(row, 0).data()):
            page.table.selectRow(row)
            return
    raise AssertionError("row not shown")


def test_container_started_from_a_terminal_shows_up(app_window, qtbot, docker_cli, busybox_image, test_labels):
    window = app_window()
    name = f"term-{test_labels['io.portside.test.case']}"
    labels = [arg for key, value in test_labels.items() for arg in ("--label", f"{key}={value}")]
    docker_cli("run", "-d", "--name", name, *labels, busybox_image, "sleep", "300")
    # The event stream, not a timer, brings it in (the benchmark measures how fast).
    qtbot.waitUntil(lambda: name in names(window.containers_page), timeout=10_000)
    row = next(r for r in window.containers_page.model.rows if r.name == name)
    assert row.state == "running"


def test_stop_from_the_ui_stops_the_container(app_window, qtbot, docker_client, busybox_image, test_labels):
    container = docker_client.containers.run(busybox_image, ["sleep", "300"], detach=True, labels=test_labels)
    window = app_window()
    page = window.containers_page
    qtbot.waitUntil(lambda: container.name in names(page), timeout=10_000)
    select_row(page, lambda text: text == container.name)
    qtbot.mouseClick(page.toolbar.widgetForAction(page.stop_action), Qt.MouseButton.LeftButton)
    eh.wait_until(lambda: (container.reload() or container.status) == "exited", deadline_s=30)
    assert container.status == "exited"
    qtbot.waitUntil(
        lambda: any(r.name == container.name and r.state == "exited" for r in page.model.rows), timeout=10_000
    )
    assert f"docker stop {container.name}" in window.commands.commands()


def test_logs_show_what_the_container_printed(app_window, qtbot, docker_client, busybox_image, test_labels):
    script = (
        "echo first line; printf '\\033[31mred alert\\033[0m\\n'; printf 'bad \\377\\376 bytes\\n'; "
        "i=0; while [ $i -lt 500 ]; do echo line $i; i=$((i+1)); done; echo last line; sleep 300"
    )
    container = docker_client.containers.run(busybox_image, ["sh", "-c", script], detach=True, labels=test_labels)
    window = app_window()
    page = window.containers_page
    qtbot.waitUntil(lambda: container.name in names(page), timeout=10_000)
    select_row(page, lambda text: text == container.name)
    page.logs_action.trigger()
    logs = window.logs_windows[container.id]
    qtbot.waitUntil(lambda: "last line" in logs.view.plain_text(), timeout=20_000)
    text = logs.view.plain_text()
    assert "first line" in text and "red alert" in text and "\x1b" not in text
    assert "bad \ufffd\ufffd bytes" in text
    assert logs.view.find_all("line 499") == 1
    docker_client.containers.get(container.id).stop(timeout=1)
    qtbot.waitUntil(lambda: "complete" in logs.status_label.text(), timeout=20_000)
    logs.close()


def test_logs_streams_end_when_closed_without_waiting(app_window, qtbot, docker_client, busybox_image, test_labels):
    """Toggling timestamps and closing the window close the stream's socket: the reader blocked on a quiet
    container's follow stream ends by itself, the window never waited for it (issue 15)."""
    from gui.workers import streams

    container = docker_client.containers.run(
        busybox_image, ["sh", "-c", "echo only line; sleep 300"], detach=True, labels=test_labels
    )
    window = app_window()
    page = window.containers_page
    qtbot.waitUntil(lambda: container.name in names(page), timeout=10_000)
    select_row(page, lambda text: text == container.name)
    page.logs_action.trigger()
    logs = window.logs_windows[container.id]
    qtbot.waitUntil(lambda: "only line" in logs.view.plain_text(), timeout=20_000)
    logs.timestamps_box.click()  # the first stream's socket is closed; a new stream with timestamps opens
    qtbot.waitUntil(lambda: "Z only line" in logs.view.plain_text(), timeout=20_000)
    logs.close()
    assert not [worker for worker in streams.live_workers() if worker.name == "logs"]
    qtbot.waitUntil(lambda: not streams.abandoned_readers(), timeout=10_000)


def test_pull_tag_remove_round_trip(
    app_window,
    qtbot,
    docker_client,
    docker_cli,
    busybox_image,
    local_registry,
    test_labels,
    monkeypatch,
    tmp_path,
    request,
):
    from gui.views.registry.pull_dialog import PullDialog
    from gui.views.registry.tag_dialog import TagDialog

    remote = f"{local_registry.address}/portside/pull-test:{test_labels['io.portside.test.case']}"
    # A docker config of this test's own: the login must not leak into other tests.
    config = {"DOCKER_CONFIG": str(tmp_path / "docker-config")}
    docker_cli(
        "login",
        "-u",
        local_registry.username,
        "--password-stdin",
        local_registry.address,
        input=local_registry.password,
        env=config,
    )
    request.addfinalizer(lambda: docker_cli("logout", local_registry.address, env=config, check=False))
    docker_cli("tag", busybox_image, remote)
    docker_cli("push", remote, env=config)
    docker_cli("rmi", remote)
    monkeypatch.setenv("DOCKER_CONFIG", config["DOCKER_CONFIG"])  # the app honours the CLI's login
    for name, value in cli_env.cli_credential_environment().items():  # kept by the CLI's credential helper
        monkeypatch.setenv(name, value)
    window = app_window()
    window.show_page("images")

    dialog = PullDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.reference_edit, remote)
    with qtbot.waitSignal(dialog.pullFinished, timeout=60_000) as finished:
        qtbot.mouseClick(dialog.pull_button, Qt.MouseButton.LeftButton)
    assert finished.args == [True]
    dialog.close()
    repository, tag = remote.rsplit(":", 1)
    page = window.images_page
    qtbot.waitUntil(lambda: any(r.repository == repository and r.tag == tag for r in page.model.rows), timeout=10_000)
    assert f"docker pull {remote}" in window.commands.commands()

    # Tag it through the dialog, typing as the user does.
    select_row(page, lambda text: text == repository)
    new_repository = f"portside-test/tagged-{test_labels['io.portside.test.case']}"

    def fill_tag_dialog():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TagDialog):
            QTimer.singleShot(20, fill_tag_dialog)
            return
        dialog.repository_edit.clear()
        qtbot.keyClicks(dialog.repository_edit, new_repository)
        dialog.tag_edit.clear()
        qtbot.keyClicks(dialog.tag_edit, "2.0")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, fill_tag_dialog)
    page.tag_action.trigger()
    qtbot.waitUntil(lambda: any(r.repository == new_repository for r in page.model.rows), timeout=10_000)
    assert docker_client.images.get(f"{new_repository}:2.0").id == docker_client.images.get(remote).id

    # Remove both names with the Remove button, confirming as the user does: the first only untags, the second
    # removes the image.
    for shown, reference in ((new_repository, f"{new_repository}:2.0"), (repository, remote)):
        select_row(page, lambda text, shown=shown: text == shown)
        seen = []
        answer_message_boxes(qtbot, "Remove", seen=seen)
        qtbot.mouseClick(page.toolbar.widgetForAction(page.remove_action), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda shown=shown: not any(r.repository == shown for r in page.model.rows), timeout=10_000)
        assert seen == [f"Remove 1 image(s): {reference}?"]
        assert f"docker rmi {reference}" in window.commands.commands()
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(reference)


def test_engine_restart_is_survived_and_lists_recover(
    app_window, qtbot, private_dockerd, docker_client, busybox_image, test_labels
):
    private_dockerd.load_image(docker_client, busybox_image)
    client = private_dockerd.client()
    client.containers.create(busybox_image, ["true"], name="survivor", labels=test_labels)
    window = app_window(private_dockerd.host)
    qtbot.waitUntil(lambda: "survivor" in names(window.containers_page), timeout=10_000)
    window.show_page("images")  # where the user is when the engine goes away

    private_dockerd.stop()
    qtbot.waitUntil(lambda: window.current_page == "engine", timeout=30_000)
    # The app was pointed at this engine through DOCKER_HOST: the advice is about that address, not about
    # starting this computer's own engine.
    assert window.engine_page.title.text() == "Nothing answers at DOCKER_HOST"
    assert f"Nothing answers at DOCKER_HOST ({private_dockerd.host})" in window.engine_label.text()

    private_dockerd.start()
    # The app retries on its own, goes back to the page the user was on (issue 15), and the lists resynchronise.
    qtbot.waitUntil(lambda: window.current_page == "images", timeout=30_000)
    qtbot.waitUntil(lambda: "survivor" in names(window.containers_page), timeout=10_000)
    private_dockerd.client().containers.create(busybox_image, ["true"], name="after-restart", labels=test_labels)
    qtbot.waitUntil(lambda: "after-restart" in names(window.containers_page), timeout=10_000)


def run_doctor(env: dict, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "gui", "doctor", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_doctor_reports_the_real_engine(docker_client):
    result = run_doctor({**os.environ, "DOCKER_HOST": eh.engine_url()})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["state"] == "connected"
    assert report["info"]["engine_version"] == docker_client.version()["Version"]


def test_doctor_says_not_running_and_fails(tmp_path):
    result = run_doctor({**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/docker.sock"})
    assert result.returncode == 1
    assert json.loads(result.stdout)["state"] in ("not-running", "not-installed")


def test_unreadable_socket_is_permission_denied(private_dockerd):
    # Root reads any file; without CAP_DAC_OVERRIDE it obeys the mode bits like any user.
    os.chmod(private_dockerd.socket_path, 0)
    result = run_doctor(
        {**os.environ, "DOCKER_HOST": private_dockerd.host},
        prefix=(
            "setpriv",
            "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search",
        ),
    )
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["state"] == "permission-denied"
    fix = next(check["fix"] for check in report["checks"] if check["name"] == "engine")
    assert "usermod -aG docker" in fix
