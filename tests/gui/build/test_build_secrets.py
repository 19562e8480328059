"""Secrets in the build dialog's build arguments (issue 15): dots in the form, masked in the command, the log, the
result and the build history, a sentence saying that build arguments stay in the image's history, and the real
value in the request the engine gets."""

from __future__ import annotations

import json
from pathlib import Path

import docker
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPlainTextEdit, QWidget

from gui.core.engine.build_request import build_request
from gui.core.secrets import MASK, forget_known
from tests.fakes.secret_forms import leaks

HF_TOKEN = "hf_" + "aB3dE6gH9" * 4  # a Hugging Face token's shape
PYPI_PASSWORD = "pypi-s3cret-Pa55"
INDEX_URL = f"https://builder:{PYPI_PASSWORD}@pypi.example.com/simple"


@pytest.fixture(autouse=True)
def no_known_secrets():
    forget_known()
    yield
    forget_known()


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "app"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM python:3.12-slim\nARG PIP_INDEX_URL\nARG MODEL\nRUN echo $MODEL\n")
    return folder


@pytest.fixture
def dialog(window, project, qtbot):
    window.show_page("builds")
    build = window.open_build(project, tags="app:1.0")
    qtbot.addWidget(build)
    yield build
    build.close()


def shown_text(widget: QWidget) -> str:
    """Everything the dialog shows or would show on hovering: labels, fields as displayed, logs, tooltips."""
    texts = []
    for child in [widget, *widget.findChildren(QWidget)]:
        if isinstance(child, QLabel | QAbstractButton):
            texts.append(child.text())
        elif isinstance(child, QLineEdit):
            texts.append(child.displayText())
        elif isinstance(child, QPlainTextEdit):
            texts.append(child.toPlainText())
        texts.append(child.toolTip())
    return "\n".join(texts)


def new_name_cell(qtbot, dialog) -> QLineEdit:
    table = dialog.args_table
    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    return table.row_widgets(table.row_count() - 1)["name"]


def sent_build_args(spec) -> dict[str, str]:
    """The build arguments of the POST /build request made for `spec`, as the engine would get them."""
    client = docker.APIClient(base_url="unix:///nonexistent.sock", version="1.41")
    try:
        context, params, _headers = build_request(client, spec)
        context.close()
    finally:
        client.close()
    return json.loads(params["buildargs"])


def test_a_secret_typed_as_name_and_value_shows_as_dots_and_is_refused_with_the_reason(dialog, qtbot):
    """Found: HF_TOKEN=hf_… typed into the build arguments showed the token in the clear in the text box."""
    name = new_name_cell(qtbot, dialog)
    qtbot.keyClicks(name, "HF_TOKEN=")  # the value goes on in its own cell
    row = dialog.args_table.row_widgets(0)
    assert name.text() == "HF_TOKEN" and dialog.focusWidget() is row["value"]
    qtbot.keyClicks(row["value"], HF_TOKEN)
    assert row["value"].echoMode() == QLineEdit.EchoMode.Password
    qtbot.waitUntil(lambda: dialog._field_errors["build_args"].isVisibleTo(dialog), timeout=5000)
    error = dialog._field_errors["build_args"].text()
    assert error.startswith("HF_TOKEN looks like a secret.") and "docker history" in error and "when it runs" in error
    assert HF_TOKEN not in shown_text(dialog)
    assert dict(dialog.spec().build_args) == {"HF_TOKEN": HF_TOKEN}  # what a build would send: the real value
    assert sent_build_args(dialog.spec())["HF_TOKEN"] == HF_TOKEN

    qtbot.mouseClick(dialog.args_section.reveal_box, Qt.MouseButton.LeftButton)  # the user asks to see it
    assert row["value"].displayText() == HF_TOKEN


def test_pasted_secrets_are_masked_everywhere_and_the_build_gets_the_real_values(window, dialog, engine, qtbot):
    """Found: a token or a URL password under a plain name showed in the text box; the log and the history kept
    whatever the build printed of it."""
    engine.build_messages = [
        {"stream": "Step 1/4 : FROM python:3.12-slim\n"},
        {"stream": " ---> 1234567890ab\n"},
        {"stream": "Step 4/4 : RUN echo $MODEL\n"},
        {"stream": " ---> Running in abcdef123456\n"},
        {"stream": f"{HF_TOKEN}\n"},  # the RUN prints the value
        {"stream": f"Looking in indexes: {INDEX_URL}\n"},
        {
            "errorDetail": {
                "code": 1,
                "message": f"The command '/bin/sh -c echo {HF_TOKEN}' returned a non-zero code: 1",
            },
            "error": f"The command '/bin/sh -c echo {HF_TOKEN}' returned a non-zero code: 1",
        },
    ]
    QApplication.clipboard().setText(f"PIP_INDEX_URL={INDEX_URL}\nMODEL={HF_TOKEN}\n")
    name = new_name_cell(qtbot, dialog)
    qtbot.keyClick(name, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    table = dialog.args_table
    assert [table.row_widgets(row)["name"].text() for row in range(table.row_count())] == ["PIP_INDEX_URL", "MODEL"]
    assert all(table.row_widgets(row)["value"].echoMode() == QLineEdit.EchoMode.Password for row in range(2))

    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)  # allowed, with a warning
    warning = dialog.args_warning_label
    assert warning.isVisibleTo(dialog)
    assert "PIP_INDEX_URL holds what looks like a secret" in warning.text() and "(docker history)" in warning.text()
    command = dialog.command_label.text()
    assert f"PIP_INDEX_URL=https://builder:{MASK}@pypi.example.com/simple" in command and f"MODEL={MASK}" in command
    assert HF_TOKEN not in shown_text(dialog) and PYPI_PASSWORD not in shown_text(dialog)

    qtbot.mouseClick(dialog.build_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Failed" in dialog.step_label.text(), timeout=5000)
    assert sent_build_args(engine.builds[-1]) == {"PIP_INDEX_URL": INDEX_URL, "MODEL": HF_TOKEN}
    assert MASK in dialog.log_view.plain_text()
    for secret in (HF_TOKEN, PYPI_PASSWORD):
        assert secret not in shown_text(dialog)
        assert secret not in "\n".join(window.commands.commands())
    history = window.builds_page.history
    qtbot.waitUntil(lambda: bool(history.records()), timeout=5000)
    assert leaks([history.folder], HF_TOKEN) == [] and leaks([history.folder], PYPI_PASSWORD) == []
    assert MASK in history.log(history.records()[0].id)
