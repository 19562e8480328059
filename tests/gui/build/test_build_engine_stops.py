"""A build cut off by the engine going away (issue 15): it says so, Build is off while the engine is away, the step
container the build left is removed once the engine is back, and Build again builds the same thing."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from gui.core.engine.connection import EngineState
from gui.core.errors import EngineGone
from gui.workers.build_runner import ENGINE_STOPPED
from tests.fakes import fake_engine
from tests.gui.user_actions import toolbar_button

STEP_CONTAINER = "abcdef123456"
UNTIL_RUN = [
    {"stream": "Step 1/2 : FROM python:3.12-slim\n"},
    {"stream": " ---> 1234567890ab\n"},
    {"stream": "Step 2/2 : RUN sleep 30\n"},
    {"stream": f" ---> Running in {STEP_CONTAINER}\n"},
]


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nRUN sleep 30\n")
    return tmp_path


@pytest.fixture
def dialog(window, qtbot):
    window.show_page("builds")
    build = window.open_build()
    qtbot.addWidget(build)
    yield build
    build.close()


def test_engine_stopping_during_a_build_is_said_cleaned_up_and_offers_build_again(
    window, dialog, engine, engine_state, project, qtbot, monkeypatch
):
    engine.build_messages = UNTIL_RUN
    engine.build_blocks = True
    leftover = replace(fake_engine.container("step"), id=STEP_CONTAINER, state="exited")
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("sleepy:1.0")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Step 2/2" in dialog.step_label.text(), timeout=5000)

    # The engine is killed during the RUN: its streams end and nothing answers; the step container stays.
    real_containers = engine.containers

    def gone():
        raise EngineGone("the Docker engine stopped answering.")

    monkeypatch.setattr(engine, "containers", gone)
    engine.containers_by_id[leftover.id] = leftover
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    engine.build_streams[-1].end()
    qtbot.waitUntil(lambda: dialog.result_label.text() == ENGINE_STOPPED, timeout=5000)
    assert ENGINE_STOPPED == "The engine stopped during the build; nothing was built. Build again when it is back."
    assert dialog.build_button.text() == "Build again"
    page = window.builds_page
    qtbot.waitUntil(lambda: not toolbar_button(page, page.build_action).isEnabled(), timeout=5000)
    assert not dialog.build_button.isEnabled()  # the engine is away
    assert "Needs the Docker engine" in dialog.build_button.toolTip()
    assert window.builds_page.model.rows[0].result == "failed"

    monkeypatch.setattr(engine, "containers", real_containers)
    engine_state.state = EngineState.CONNECTED  # the session's retry finds it back
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=10_000)
    qtbot.waitUntil(lambda: STEP_CONTAINER not in engine.containers_by_id, timeout=5000)
    assert f"docker rm --force {STEP_CONTAINER}" in window.commands.commands()
    qtbot.waitUntil(lambda: "removed the container that build left behind" in dialog.result_label.text(), timeout=5000)
    assert toolbar_button(page, page.build_action).isEnabled()

    engine.build_blocks = False
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)  # Build again: the same build
    qtbot.waitUntil(lambda: len(engine.builds) == 2, timeout=5000)
    assert engine.builds[1] == engine.builds[0]


def test_a_step_container_the_log_never_named_is_found_and_removed_and_the_users_own_kept(
    window, dialog, engine, engine_state, project, qtbot, monkeypatch
):
    """Found: the engine dropped the stream right after it made the step's container, before " ---> Running in
    <id>": the container stayed behind. Now it is found by its step's marks; the user's container made from the
    same image before the build stays."""
    engine.build_messages = UNTIL_RUN[:-1]  # no "Running in" line
    engine.build_blocks = True
    layer = "sha256:1234567890ab" + "0" * 52  # the image after step 1 (" ---> 1234567890ab")
    step = replace(
        fake_engine.container("eager_turing", state="exited", image=layer),
        id="f00dfeed" * 8,
        image_id=layer,
        command="/bin/sh -c 'sleep 30'",
    )
    users = replace(step, id="beef" * 16, name="debugging", created=time.time() - 3600)
    engine.add_container(users)
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("sleepy:1.0")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Step 2/2" in dialog.step_label.text(), timeout=5000)

    real_containers = engine.containers

    def gone():
        raise EngineGone("the Docker engine stopped answering.")

    monkeypatch.setattr(engine, "containers", gone)
    engine.containers_by_id[step.id] = replace(step, created=time.time())  # made during the build
    engine_state.state = EngineState.NOT_RUNNING
    engine.end_event_streams()
    engine.build_streams[-1].end()
    qtbot.waitUntil(lambda: dialog.result_label.text() == ENGINE_STOPPED, timeout=5000)

    monkeypatch.setattr(engine, "containers", real_containers)
    engine_state.state = EngineState.CONNECTED
    qtbot.waitUntil(lambda: step.id not in engine.containers_by_id, timeout=10_000)
    assert users.id in engine.containers_by_id
    assert f"docker rm --force {step.id}" in window.commands.commands()
    qtbot.waitUntil(lambda: "removed the container that build left behind" in dialog.result_label.text(), timeout=5000)
    assert "docker rm --force f00dfeedf00d" in dialog.result_label.text()
    assert [action.container for action in engine.performed if hasattr(action, "container")] == [step.id]
