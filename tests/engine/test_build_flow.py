"""The seed's walk through the app on the real engine: the wizard writes the Dockerfile, the Build
dialog builds it, the image runs and answers HTTP; a failing RUN points at its line; Cancel cleans up."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from gui.core.engine.connection import Endpoint, diagnose
from tests.engine import engine_helpers as eh

GREETING = "hello from my-ai-app"
APP_PY = f'''\
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"{GREETING}\\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", 80), Hello).serve_forever()
'''


@pytest.fixture
def app(qtbot, tmp_path, docker_client):
    from gui.core.build.history import BuildHistory
    from gui.views.main_window import MainWindow
    from gui.workers.session import EngineSession

    endpoint = Endpoint(eh.engine_url(), "DOCKER_HOST")
    session = EngineSession(diagnose_fn=lambda: diagnose(endpoint))
    window = MainWindow(
        session, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), BuildHistory(tmp_path / "builds")
    )
    qtbot.addWidget(window)
    window.show()
    session.start()
    qtbot.waitUntil(lambda: session.snapshot is not None, timeout=20_000)
    yield window
    window.close()
    session.stop()


def build_in_dialog(qtbot, window, folder: Path, tag: str, labels: dict[str, str]):
    dialog = window.open_build(folder, "Dockerfile", tag)
    qtbot.addWidget(dialog)
    # The test's labels go on the image so the fixture removes it; the form has no field for them.
    original = dialog.spec
    dialog.spec = lambda: original().__class__(**{**original().__dict__, "labels": tuple(labels.items())})
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(window.build_runner.finished, timeout=240_000) as finished:
        qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    return dialog, finished.args[0]


def test_wizard_then_build_then_run_answers_http(app, qtbot, docker_client, python_base, test_labels, tmp_path):
    from tests.fakes.wizard_driver import drive_wizard

    folder = tmp_path / "my-ai-app"
    folder.mkdir()
    (folder / "app.py").write_text(APP_PY)
    (folder / "requirements.txt").write_text("# standard library only\n")

    dockerfile = drive_wizard(qtbot, app.open_wizard(), folder, base_image=python_base, port="80")
    assert "pip install --no-cache-dir" in dockerfile.read_text()

    tag = f"portside-test/seed-app:{test_labels[eh.CASE_LABEL]}"
    dialog, outcome = build_in_dialog(qtbot, app, folder, tag, test_labels)
    assert outcome.succeeded, dialog.result_label.text()
    assert "Step" in dialog.log_view.plain_text()
    qtbot.waitUntil(lambda: any(f"{r.repository}:{r.tag}" == tag for r in app.images_page.model.rows), timeout=10_000)
    assert app.builds_page.model.rows[0].result == "succeeded"

    # Run it from the Builds page: the Run dialog publishes its EXPOSE 80 on 127.0.0.1 (5000 and up, as in the
    # seed), and the new container is shown selected in Containers.
    page = app.builds_page
    app.show_page("builds")
    page.table.selectRow(0)
    qtbot.waitUntil(page.run_action.isEnabled, timeout=5000)
    page.run_action.trigger()
    dialog = next(d for d in app._dialogs if d.objectName() == "run-dialog")
    qtbot.waitUntil(lambda: dialog.ready and dialog.run_button.isEnabled(), timeout=30_000)
    dialog.general.name_edit.setText(f"seed-app-{test_labels[eh.CASE_LABEL]}")
    dialog.advanced.labels_edit.setPlainText("\n".join(f"{k}={v}" for k, v in test_labels.items()))
    qtbot.waitUntil(dialog.run_button.isEnabled, timeout=10_000)
    assert "-p 127.0.0.1:" in dialog.preview.toPlainText()
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app.current_page == "containers" and page_has_running(app, tag), timeout=30_000)
    qtbot.waitUntil(lambda: [r.image for r in app.containers_page.selected_rows()] == [tag], timeout=10_000)
    row = next(r for r in app.containers_page.model.rows if r.image == tag)
    assert row.ports and row.ports[0].host_ip == "127.0.0.1" and row.ports[0].container_port == 80
    assert f"-p 127.0.0.1:{row.ports[0].host_port}:80" in app.commands.commands()[-1]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    body = None
    deadline = time.monotonic() + 30
    while body is None and time.monotonic() < deadline:
        try:
            body = opener.open(row.ports[0].url + "/", timeout=2).read().decode()
        except OSError:
            time.sleep(0.2)
    assert body == GREETING + "\n"


def page_has_running(app, image: str) -> bool:
    return any(r.image == image and r.state == "running" for r in app.containers_page.model.rows)


def test_failing_run_shows_the_step_and_opens_the_line(app, qtbot, docker_client, busybox_image, test_labels, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "Dockerfile").write_text(
        f"FROM {busybox_image}\nRUN echo preparing\nRUN echo 'model download failed' && exit 3\nCMD [\"true\"]\n"
    )
    with qtbot.waitSignal(app.open_build().openDockerfileAt, timeout=240_000) as opened:
        dialog, outcome = build_in_dialog(
            qtbot, app, folder, f"portside-test/broken:{test_labels[eh.CASE_LABEL]}", test_labels
        )
    assert not outcome.succeeded and outcome.failed_step == 3
    path, line, message = opened.args
    assert (path, line) == (folder / "Dockerfile", 3)
    assert "exit code 3" in message
    assert "Failed at step 3" in dialog.step_label.text()
    editor = app.editors[folder / "Dockerfile"]
    assert editor.isVisible()
    editor.close()


def test_cancel_stops_a_long_build_and_leaves_no_container(
    app, qtbot, docker_client, busybox_image, test_labels, tmp_path
):
    folder = tmp_path / "slow"
    folder.mkdir()
    (folder / "Dockerfile").write_text(f"FROM {busybox_image}\nRUN sleep 120\n")
    before = container_ids(docker_client)
    dialog = app.open_build(folder, "Dockerfile", f"portside-test/slow:{test_labels[eh.CASE_LABEL]}")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=10_000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Step 2/2" in dialog.step_label.text(), timeout=60_000)
    with qtbot.waitSignal(app.build_runner.finished, timeout=60_000) as finished:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].record.result == "cancelled"
    assert "cancelled" in dialog.result_label.text()
    # The engine kills and removes the step's container once the connection drops.
    assert eh.wait_until(lambda: container_ids(docker_client) <= before, deadline_s=30)


def container_ids(client) -> set[str]:
    # The plain list call: containers.list() inspects each one and fails on a container the engine removes
    # meanwhile, which is exactly what a cancelled build's step container does.
    return {container["Id"] for container in client.api.containers(all=True)}
