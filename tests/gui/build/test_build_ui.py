"""Building from the Build page: the form checks input first, the log streams, failures point at the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

SUCCESS = [
    {"stream": "Step 1/3 : FROM python:3.12-slim\n"},
    {"stream": " ---> 1234567890ab\n"},
    {"stream": "Step 2/3 : RUN pip install --no-cache-dir -r requirements.txt\n"},
    {"stream": " ---> Running in abcdef\n"},
    {"stream": "Collecting flask\n"},
    {"stream": 'Step 3/3 : CMD ["python", "app.py"]\n'},
    {"aux": {"ID": "sha256:feedfacecafe"}},
    {"stream": "Successfully built feedfacecafe\n"},
    {"stream": "Successfully tagged my-ai-app:1.0\n"},
]
FAILURE = [
    {"stream": "Step 1/3 : FROM python:3.12-slim"},
    {"stream": "\n"},
    {"stream": "Step 2/3 : RUN pip install -r requirements.txt"},
    {"stream": "\n"},
    {"stream": "ERROR: Could not find a version that satisfies the requirement torch==0.0.1\n"},
    {
        "errorDetail": {
            "code": 1,
            "message": "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
        },
        "error": "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
    },
]
DOCKERFILE = 'FROM python:3.12-slim\nRUN pip install -r requirements.txt\nCMD ["python", "app.py"]\n'


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "app.py").write_text("print('hi')\n")
    return tmp_path


@pytest.fixture
def dialog(window, qtbot):
    window.show_page("builds")
    build = window.open_build()
    qtbot.addWidget(build)
    yield build
    build.close()


def test_form_refuses_bad_input_before_any_engine_call(dialog, engine, project, qtbot):
    assert not dialog.build_button.isEnabled()
    qtbot.keyClicks(dialog.context_edit, str(project / "nowhere"))
    qtbot.keyClicks(dialog.tags_edit, "My App")
    qtbot.waitUntil(lambda: dialog._field_errors["tags"].isVisibleTo(dialog), timeout=5000)
    assert dialog._field_errors["context"].isVisibleTo(dialog)
    assert not dialog.build_button.isEnabled()
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("my-ai-app:latest")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    assert "my-ai-app:latest" in dialog.command_label.text()
    assert dialog.hint_label.isVisibleTo(dialog)  # only latest: a version tag is suggested
    assert engine.builds == []


def test_successful_build_streams_records_and_refreshes(window, dialog, engine, project, qtbot):
    engine.build_messages = SUCCESS
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("my-ai-app:1.0 user/my-ai-app:1.0")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Built" in dialog.result_label.text(), timeout=5000)
    assert "Collecting flask" in dialog.log_view.plain_text()
    assert "my-ai-app:1.0" in dialog.result_label.text() and "42.0 MiB" in dialog.result_label.text()
    assert engine.api.tags == [("sha256:feedfacecafe", "user/my-ai-app", "1.0")]  # the second -t
    assert any(command.startswith("docker build") for command in window.commands.commands())
    records = window.builds_page.model.rows
    assert records and records[0].result == "succeeded" and records[0].tags == ("my-ai-app:1.0", "user/my-ai-app:1.0")
    qtbot.waitUntil(lambda: bool(window.history.records()), timeout=5000)  # written to disk
    assert dialog.run_button.isVisible()  # the next step of the walk: run what was built


def test_failed_build_says_why_and_opens_the_line(window, dialog, engine, project, qtbot):
    engine.build_messages = FAILURE
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("my-ai-app:1.0")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(dialog.openDockerfileAt, timeout=5000) as opened:
        qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    path, line, message = opened.args
    assert path == project / "Dockerfile" and line == 2
    assert message == (
        "The step RUN pip install -r requirements.txt failed with exit code 1. Scroll up in the log for the command's"
        " own error."
    )
    assert "Failed at step 2" in dialog.step_label.text()
    assert window.builds_page.model.rows[0].result == "failed"


def test_cancel_stops_the_build_and_says_so(window, dialog, engine, project, qtbot):
    engine.build_messages = SUCCESS[:4]
    engine.build_blocks = True
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("my-ai-app:1.0")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Step 2/3" in dialog.step_label.text(), timeout=5000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in dialog.result_label.text(), timeout=5000)
    assert engine.build_streams[-1].cancelled
    assert window.builds_page.model.rows[0].result == "cancelled"


def test_ticked_the_run_dialog_opens_on_the_fresh_image_once_built(window, dialog, engine, project, qtbot):
    from gui.views.run.dialog import RunDialog

    engine.build_messages = SUCCESS
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("my-ai-app:1.0")
    assert not dialog.run_after_box.isChecked()  # opened from the Build page: the user chooses
    qtbot.mouseClick(dialog.run_after_box, Qt.MouseButton.LeftButton)
    assert dialog.run_after_box.isChecked()
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    assert window.findChild(RunDialog) is None
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.findChild(RunDialog) is not None, timeout=5000)
    run = window.findChild(RunDialog)
    assert run.isVisible() and run.image == "my-ai-app:1.0"
    run.close()


def test_unticked_a_build_opens_no_run_dialog(window, dialog, engine, project, qtbot):
    from gui.views.run.dialog import RunDialog

    engine.build_messages = SUCCESS
    dialog.context_edit.setText(str(project))
    dialog.tags_edit.setText("my-ai-app:1.0")
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Built" in dialog.result_label.text(), timeout=5000)
    assert window.findChild(RunDialog) is None
    assert dialog.run_button.isVisible()  # one click away
