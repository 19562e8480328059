"""The Learn page on the fake engine, as a newcomer uses it: it opens first on the very first start, "Skip, I know
Docker" is remembered, "Do it" opens the right dialog, and check marks follow the engine's real state."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication

from gui.core.build.history import BuildRecord
from gui.core.engine import actions
from gui.core.learn.steps import STEPS
from gui.core.learn.store import LearnStore
from gui.views.learn.step_detail import DONE_MARK
from tests.fakes import fake_engine
from tests.gui.user_actions import answer_message_boxes

IMAGE = "sample-app:1.0"


def step_item(window, step_id: str):
    steps = window.learn_page.steps_list
    return steps.item(next(index for index, step in enumerate(STEPS) if step.id == step_id))


def checked(window, step_id: str) -> bool:
    return step_item(window, step_id).text().startswith(DONE_MARK)


def click_step(window, qtbot, step_id: str) -> None:
    steps = window.learn_page.steps_list
    rect = steps.visualItemRect(step_item(window, step_id))
    qtbot.mouseClick(steps.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.learn_page.detail.step.id == step_id


@pytest.fixture
def project(history, tmp_path):
    """A project the user built earlier: its folder, Dockerfile and build record (the fake engine's image ids are
    sha256:REPOSITORY:TAG)."""
    folder = tmp_path / "sample-app"
    folder.mkdir()
    (folder / "Dockerfile").write_text('FROM python:3.12-slim\nCOPY . /app\nEXPOSE 80\nCMD ["python", "app.py"]\n')
    history.add(
        BuildRecord(
            id="20260101-120000-abcdef",
            tags=(IMAGE,),
            context=str(folder),
            dockerfile="Dockerfile",
            started=1_767_268_800.0,
            duration_s=4.0,
            result="succeeded",
            image_id=f"sha256:{IMAGE}",
            image_size=50_000_000,
            command=f"docker build -t {IMAGE} --force-rm {folder}",
        ),
        ["Successfully built"],
    )
    return folder


@pytest.fixture
def http_port():
    """A port on 127.0.0.1 where an app answers HTTP, like the sample app in a container."""

    class Answer(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_very_first_start_opens_on_learn_with_what_the_engine_already_proves(window, qtbot):
    qtbot.waitUntil(lambda: window.current_page == "learn", timeout=5000)
    page = window.learn_page
    assert window.sidebar.item(0).text() == "Learn"
    # The engine answers and has images: those two steps are done without a click.
    qtbot.waitUntil(lambda: page.progress_label.text() == "2 of 11 done", timeout=5000)
    assert checked(window, "check-install") and checked(window, "get-image")
    assert not checked(window, "what-is-docker") and not checked(window, "build")
    assert page.detail.step.id == "what-is-docker"  # the first step not done
    assert page.detail.command_box.toPlainText() == "docker images\ndocker ps --all"


def test_skip_goes_to_containers_and_is_remembered_in_a_second_window(window, qtbot, session, history, tmp_path, vault):
    from gui.core.run.memory import RunMemory
    from gui.views.main_window import MainWindow

    qtbot.waitUntil(lambda: window.current_page == "learn", timeout=5000)
    qtbot.mouseClick(window.learn_page.skip_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "containers"
    store = LearnStore(history.folder.parent / "learn.json")
    qtbot.waitUntil(lambda: store.load().skipped, timeout=5000)
    window.close()

    fresh = QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat)  # only the Learn file remembers
    again = MainWindow(session, fresh, history, RunMemory(tmp_path / "run-settings.json"), vault)
    qtbot.addWidget(again)
    again.show()
    session.check()
    qtbot.waitUntil(lambda: again.current_page == "containers", timeout=5000)
    assert again.learn_page.skipped_note.isVisibleTo(again.learn_page)
    again.close()


def test_got_it_checks_a_step_to_read_and_reset_forgets_it(window, qtbot):
    qtbot.waitUntil(lambda: window.current_page == "learn", timeout=5000)
    page = window.learn_page
    qtbot.waitUntil(lambda: page.detail.step is not None and page.detail.step.id == "what-is-docker", timeout=5000)
    assert page.detail.next_button.text() == "Got it, next step"
    qtbot.mouseClick(page.detail.next_button, Qt.MouseButton.LeftButton)
    assert checked(window, "what-is-docker") and page.detail.step.id == "check-install"
    assert page.progress_label.text() == "3 of 11 done"

    answer_message_boxes(qtbot, "Reset")
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    assert not checked(window, "what-is-docker") and checked(window, "check-install")  # the engine still answers
    assert page.detail.step.id == "what-is-docker"
    qtbot.waitUntil(lambda: page.store.load().stored and not page.store.load().read, timeout=5000)


def test_copy_puts_the_command_on_the_clipboard(window, qtbot):
    qtbot.waitUntil(lambda: window.learn_page.progress is not None, timeout=5000)
    click_step(window, qtbot, "check-install")
    qtbot.mouseClick(window.learn_page.detail.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "docker --version\ndocker info"


def test_do_it_on_the_build_step_opens_the_build_dialog_on_the_project(project, window, qtbot):
    page = window.learn_page
    qtbot.waitUntil(lambda: page.project.folder == str(project), timeout=5000)
    click_step(window, qtbot, "build")
    assert page.detail.do_button.text() == "Do it: Open the Build dialog"
    assert page.detail.command_box.toPlainText() == f"docker build -t {IMAGE} ."
    qtbot.mouseClick(page.detail.do_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.build_dialog is not None and window.build_dialog.isVisible(), timeout=5000)
    assert window.build_dialog.context_edit.text() == str(project)


def test_do_it_on_the_engine_step_opens_the_engine_page(window, qtbot):
    qtbot.waitUntil(lambda: window.learn_page.progress is not None, timeout=5000)
    click_step(window, qtbot, "check-install")
    qtbot.mouseClick(window.learn_page.detail.do_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "engine"


def test_the_build_check_appears_when_the_engine_gains_the_projects_image(project, window, engine, qtbot):
    page = window.learn_page
    qtbot.waitUntil(lambda: page.project.image_id == f"sha256:{IMAGE}", timeout=5000)
    qtbot.waitUntil(lambda: checked(window, "write-dockerfile"), timeout=5000)
    assert not checked(window, "build")  # built once, but the engine no longer has it
    engine.images.append(fake_engine.image("sample-app", "1.0"))
    engine.emit_event({"Type": "image", "Action": "tag", "time": 0})
    qtbot.waitUntil(lambda: checked(window, "build"), timeout=5000)
    click_step(window, qtbot, "build")
    assert page.detail.status.text().startswith(f"{DONE_MARK} Done: an image built from your project")


def test_run_watch_and_stop_are_checked_from_the_running_app(project, window, engine, qtbot, http_port, stats_feed):
    page = window.learn_page
    engine.images.append(fake_engine.image("sample-app", "1.0"))
    engine.emit_event({"Type": "image", "Action": "tag", "time": 0})
    qtbot.waitUntil(lambda: checked(window, "build"), timeout=5000)
    assert not checked(window, "run")
    app = fake_engine.container(
        "sample", image=IMAGE, ports=[fake_engine.PublishedPort(http_port, 80, "tcp", "127.0.0.1")]
    )
    engine.add_container(app)  # started from a terminal: the check comes from the state, whoever made it
    qtbot.waitUntil(lambda: checked(window, "run"), timeout=5000)
    qtbot.waitUntil(lambda: checked(window, "watch"), timeout=5000)  # the Monitor measured it
    assert not checked(window, "stop-remove")
    click_step(window, qtbot, "stop-remove")
    assert page.detail.command_box.toPlainText() == "docker stop sample\ndocker rm sample"

    window.session.perform(actions.StopContainer("sample"))
    qtbot.waitUntil(lambda: checked(window, "stop-remove"), timeout=5000)
    assert not checked(window, "run")  # it no longer runs


def test_a_port_that_does_not_answer_http_leaves_the_run_step_open(project, window, engine, qtbot):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    engine.images.append(fake_engine.image("sample-app", "1.0"))
    engine.add_container(
        fake_engine.container(
            "sample", image=IMAGE, ports=[fake_engine.PublishedPort(closed_port, 80, "tcp", "127.0.0.1")]
        )
    )
    page = window.learn_page
    qtbot.waitUntil(lambda: any(row.name == "sample" for row in page.project_containers()), timeout=5000)
    click_step(window, qtbot, "run")
    qtbot.waitUntil(lambda: "this step is done when a container of your image" in page.detail.status.text())
    assert not checked(window, "run")


def test_after_an_engine_restart_the_first_start_goes_to_the_lists_not_learn_again(window, engine, engine_state, qtbot):
    from gui.core.engine.connection import EngineState

    qtbot.waitUntil(lambda: window.current_page == "learn", timeout=5000)
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    qtbot.waitUntil(lambda: window.current_page == "engine", timeout=5000)
    engine_state.state = EngineState.CONNECTED
    qtbot.mouseClick(window.engine_page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.current_page == "containers", timeout=5000)


def test_do_it_runs_the_projects_image_then_shows_its_charts(project, window, engine, qtbot, stats_feed):
    from gui.views.run.dialog import RunDialog

    page = window.learn_page
    engine.images.append(fake_engine.image("sample-app", "1.0"))
    engine.emit_event({"Type": "image", "Action": "tag", "time": 0})
    qtbot.waitUntil(lambda: checked(window, "build"), timeout=5000)
    click_step(window, qtbot, "run")
    qtbot.mouseClick(page.detail.do_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(RunDialog)
    assert dialog is not None and dialog.isVisible() and dialog.image == IMAGE
    dialog.close()

    engine.add_container(fake_engine.container("sample", image=IMAGE))
    qtbot.waitUntil(lambda: any(row.running for row in page.project_containers()), timeout=5000)
    click_step(window, qtbot, "watch")
    qtbot.mouseClick(page.detail.do_button, Qt.MouseButton.LeftButton)
    assert window.current_page == "container" and window.container_page.row.name == "sample"


def test_once_what_do_it_started_is_done_the_next_step_is_shown(project, window, engine, qtbot):
    page = window.learn_page
    qtbot.waitUntil(lambda: page.project.folder == str(project), timeout=5000)
    click_step(window, qtbot, "build")
    qtbot.mouseClick(page.detail.do_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.build_dialog is not None and window.build_dialog.isVisible(), timeout=5000)
    # Opened by the guide: the image's Run dialog follows a successful build.
    assert window.build_dialog.run_after_box.isChecked()
    window.build_dialog.close()
    assert page.detail.step.id == "build"  # not done yet: the guide stays on it

    engine.images.append(fake_engine.image("sample-app", "1.0"))  # the build made the project's image
    engine.emit_event({"Type": "image", "Action": "tag", "time": 0})
    qtbot.waitUntil(lambda: checked(window, "build"), timeout=5000)
    assert page.detail.step.id == "run"
    assert page.detail.do_button.text() == "Do it: Open the Run dialog"


def test_a_step_done_without_do_it_stays_shown(project, window, engine, qtbot):
    page = window.learn_page
    qtbot.waitUntil(lambda: page.project.folder == str(project), timeout=5000)
    click_step(window, qtbot, "build")
    engine.images.append(fake_engine.image("sample-app", "1.0"))  # built from a terminal, while reading
    engine.emit_event({"Type": "image", "Action": "tag", "time": 0})
    qtbot.waitUntil(lambda: checked(window, "build"), timeout=5000)
    assert page.detail.step.id == "build"
    assert page.detail.status.text().startswith(f"{DONE_MARK} Done")
