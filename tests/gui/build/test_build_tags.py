"""The Build dialog's tags follow the build folder: folder-name:1.0 is suggested, another project never gets the
last one's tags, tags typed for a folder come back with it, and a tag that already names an image on the engine
is flagged in the form, before Build."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.wizard_driver import retype

DOCKERFILE = 'FROM python:3.12-slim\nCMD ["python", "app.py"]\n'


def project(parent: Path, name: str) -> Path:
    folder = parent / name
    folder.mkdir()
    (folder / "Dockerfile").write_text(DOCKERFILE)
    return folder


@pytest.fixture
def open_build(window, qtbot):
    """Opens the Build dialog as the editor's Build button does (the main window keeps one and reuses it)."""
    dialogs = []

    def open_for(context: Path | None = None):
        dialog = window.open_build(context) if context is not None else window.open_build()
        if dialog not in dialogs:
            qtbot.addWidget(dialog)
            dialogs.append(dialog)
        return dialog

    yield open_for
    for dialog in dialogs:
        dialog.close()


def shown(label) -> str:
    return label.text() if label.isVisibleTo(label.window()) else ""


def test_each_folder_gets_its_own_tag_never_the_last_projects(open_build, qtbot, tmp_path):
    chat, vision = project(tmp_path, "Chat Bot"), project(tmp_path, "vision")
    dialog = open_build(chat)
    assert dialog.tags_edit.text() == "chat-bot:1.0"
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)
    assert "docker build -t chat-bot:1.0" in dialog.command_label.text()

    assert open_build(vision) is dialog
    assert dialog.tags_edit.text() == "vision:1.0"  # not chat-bot's

    retype(qtbot, dialog.tags_edit, "vision:2.0")  # typed for this folder
    open_build(chat)
    assert dialog.tags_edit.text() == "chat-bot:1.0"
    open_build(vision)
    assert dialog.tags_edit.text() == "vision:2.0"  # what the user typed for it comes back

    retype(qtbot, dialog.context_edit, str(chat))  # the folder typed by hand follows the same rule
    assert dialog.tags_edit.text() == "chat-bot:1.0"


def test_tags_typed_before_the_folder_are_kept_for_it(open_build, qtbot, tmp_path):
    app = project(tmp_path, "app")
    dialog = open_build()
    assert dialog.tags_edit.text() == ""
    qtbot.keyClicks(dialog.tags_edit, "mine:0.1")
    qtbot.keyClicks(dialog.context_edit, str(app))
    assert dialog.tags_edit.text() == "mine:0.1"
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)


def test_a_tag_that_names_an_image_is_flagged_before_build(open_build, qtbot, tmp_path, engine):
    web = project(tmp_path, "web")  # the fake engine has web:1.0, built an hour ago
    dialog = open_build(web)
    assert dialog.tags_edit.text() == "web:1.0"
    warning = dialog.tag_warning_label
    qtbot.waitUntil(lambda: bool(shown(warning)), timeout=5000)
    image = next(row for row in engine.images if row.reference == "web:1.0")
    assert f"this build replaces the tag on image {image.short_id}, built 1 hour ago" in shown(warning)
    assert "To keep both, tag this build web:1.1." in shown(warning)
    assert dialog.build_button.isEnabled()  # a warning, not a refusal: replacing can be what the user wants

    retype(qtbot, dialog.tags_edit, "web:1.1")
    qtbot.waitUntil(lambda: not shown(warning), timeout=5000)
    qtbot.waitUntil(dialog.build_button.isEnabled, timeout=5000)

    retype(qtbot, dialog.tags_edit, "Web App")  # invalid: the error says so, the warning stays out of the way
    qtbot.waitUntil(lambda: dialog._field_errors["tags"].isVisibleTo(dialog), timeout=5000)
    assert not shown(warning)
