"""Run from a command, as a user meets it: paste a docker run line, read what it fills and what it leaves out, fill
the Run form with it; bad input says which word is wrong and leaves the form as it was."""

from __future__ import annotations

import shlex
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.core.run.command_line import parse_command
from gui.core.run.memory import RunMemory
from gui.core.run.spec import EnvVar, GpuMode, PortSpec
from gui.views.run.dialog import RunDialog
from gui.views.run.paste_dialog import PasteCommandDialog
from tests.unit.run.paste_lines import ENVIRON, FOLDER, HOME, LINES

LEFT = Qt.MouseButton.LeftButton
VLLM = (
    "docker run --gpus all \\\n"
    "    -v ~/.cache/huggingface:/root/.cache/huggingface \\\n"
    '    --env "HF_TOKEN=hf_abc" \\\n'
    "    -p 8000:8000 --name llm --shm-size 8g \\\n"
    "    --ipc=host \\\n"
    "    web:1.0 --model mistralai/Mistral-7B-v0.1"
)


@pytest.fixture
def run_dialog(session, qtbot, tmp_path):
    session.start()
    qtbot.waitUntil(lambda: session.connected, timeout=5000)
    dialog = RunDialog(session, "web:1.0", memory=RunMemory(tmp_path / "run-settings.json"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    yield dialog
    dialog.close()
    session.tasks.wait_idle()


def open_paste(qtbot, run_dialog: RunDialog) -> PasteCommandDialog:
    qtbot.mouseClick(run_dialog.paste_button, LEFT)
    qtbot.waitUntil(lambda: run_dialog.findChild(PasteCommandDialog) is not None, timeout=3000)
    return run_dialog.findChild(PasteCommandDialog)


def paste(qtbot, dialog: PasteCommandDialog, text: str) -> None:
    """As a user does: the text on the clipboard, Ctrl+V in the box."""
    QApplication.clipboard().setText(text)
    dialog.text_edit.setFocus()
    qtbot.keyClick(dialog.text_edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def test_a_pasted_command_fills_the_form(run_dialog, qtbot):
    paste_dialog = open_paste(qtbot, run_dialog)
    paste(qtbot, paste_dialog, VLLM)
    result = paste_dialog.result_label.text()
    assert "Fills:" in result and "General (name, command)" in result and "GPUs (all)" in result
    assert "--ipc host is left out" in result  # named before anything runs
    assert "hf_abc" not in result  # the secret is masked in what the dialog shows
    assert paste_dialog.fill_button.isEnabled()
    qtbot.mouseClick(paste_dialog.fill_button, LEFT)

    assert run_dialog.general.name_edit.text() == "llm"
    assert run_dialog.general.command_edit.text() == "--model mistralai/Mistral-7B-v0.1"
    assert run_dialog.gpus.all_radio.isChecked()
    assert run_dialog.resources.shm_edit.text() == "8g"
    spec = run_dialog.spec()
    assert spec.ports == (PortSpec("8000", "8000", all_interfaces=True),)
    assert spec.env == (EnvVar("HF_TOKEN", "hf_abc"),)
    assert "--ipc host" in run_dialog.status_label.text()  # the Run dialog says what was left out too
    assert "hf_abc" not in run_dialog.preview.toPlainText()
    qtbot.waitUntil(run_dialog.run_button.isEnabled, timeout=5000)


def test_bad_input_points_at_the_word_and_leaves_the_form_as_it_was(run_dialog, qtbot):
    qtbot.keyClicks(run_dialog.general.name_edit, "mine")
    before = run_dialog.spec()
    paste_dialog = open_paste(qtbot, run_dialog)
    paste(qtbot, paste_dialog, "docker run -p 8080:80 \\\n  --gpuss all web:1.0")
    result = paste_dialog.result_label.text()
    assert 'Word 5, "--gpuss" (line 2, column 3): docker run has no option --gpuss. Did you mean --gpus?' in result
    assert "  --gpuss all web:1.0\n  ^^^^^^^" in result  # the line, with a caret under the word
    underlined = paste_dialog.text_edit.extraSelections()
    assert [selection.cursor.selectedText() for selection in underlined] == ["--gpuss"]
    assert not paste_dialog.fill_button.isEnabled()
    paste_dialog.accept()  # Enter, or a click that gets through: nothing happens
    assert paste_dialog.isVisible()
    qtbot.mouseClick(paste_dialog.buttons.button(paste_dialog.buttons.StandardButton.Cancel), LEFT)
    assert run_dialog.spec() == before


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ('docker run -e "A=b web:1.0', 'Word 4 (column 15): The quote " is never closed.'),
        ("docker build -t my-ai-app .", 'Word 2, "build" (column 8): This is a docker build command'),
        ("docker run ubuntu:latest nginx:alpine", "looks like a second image"),
        ("docker run --memory 3MB web:1.0", "Docker needs at least 6 MB of memory"),
    ],
)
def test_each_kind_of_bad_input_gets_its_sentence(run_dialog, qtbot, text, sentence):
    before = run_dialog.spec()
    paste_dialog = open_paste(qtbot, run_dialog)
    paste(qtbot, paste_dialog, text)
    assert sentence in paste_dialog.result_label.text()
    assert not paste_dialog.fill_button.isEnabled()
    paste_dialog.reject()
    assert run_dialog.spec() == before


def test_a_command_for_another_image_keeps_the_dialogs_image_and_says_so(run_dialog, qtbot):
    paste_dialog = open_paste(qtbot, run_dialog)
    paste(qtbot, paste_dialog, "docker run -p 5000:80 my-ai-app")
    assert "runs web:1.0; the command's image, my-ai-app, is not used" in paste_dialog.result_label.text()
    qtbot.mouseClick(paste_dialog.fill_button, LEFT)
    assert run_dialog.spec().image == "web:1.0"
    assert "This dialog runs web:1.0, not my-ai-app." in run_dialog.status_label.text()


def test_every_table_line_reads_back_through_the_form(run_dialog):
    """line -> form -> the form's preview line -> form: the same spec, for every line of the table."""
    for line in LINES:
        pasted = parse_command(line.text, ENVIRON, HOME, FOLDER)
        run_dialog.load_pasted(pasted)
        held = run_dialog.spec()
        if held.name != pasted.spec.name:  # another container has the name: the form offers a free one
            assert pasted.spec.name in ("web", "trainer") and held.name == f"{pasted.spec.name}-2"
        assert held == replace(pasted.spec, image="web:1.0", name=held.name), line.text
        preview = shlex.join(held.argv(reveal_secrets=True))  # the preview, with the secrets typed back in
        assert parse_command(preview).spec == held, line.text


def test_run_from_a_command_on_the_images_page_opens_the_run_dialog_filled(window, qtbot):
    window.show_page("images")
    window.images_page.run_command_action.trigger()
    paste_dialog = window.images_page.findChild(PasteCommandDialog)
    paste(qtbot, paste_dialog, "docker run -d --gpus=all -p 11434:11434 --name ollama-web web:1.0 serve")
    qtbot.mouseClick(paste_dialog.fill_button, LEFT)
    qtbot.waitUntil(lambda: any(d.objectName() == "run-dialog" for d in window._dialogs), timeout=5000)
    dialog = next(d for d in window._dialogs if d.objectName() == "run-dialog")
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    assert dialog.image == "web:1.0"
    assert dialog.general.name_edit.text() == "ollama-web"
    assert dialog.spec().gpus.mode is GpuMode.ALL
    assert dialog.status_label.text().startswith("Filled in from the pasted command")


def test_run_from_a_command_on_the_containers_page(window, qtbot):
    window.show_page("containers")
    window.containers_page.run_command_action.trigger()
    paste_dialog = window.containers_page.findChild(PasteCommandDialog)
    paste(qtbot, paste_dialog, "docker run --rm -it trainer:2.1 bash")
    qtbot.mouseClick(paste_dialog.fill_button, LEFT)
    qtbot.waitUntil(lambda: any(d.objectName() == "run-dialog" for d in window._dialogs), timeout=5000)
    dialog = next(d for d in window._dialogs if d.objectName() == "run-dialog")
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    assert (dialog.image, dialog.spec().command, dialog.spec().interactive_tty) == ("trainer:2.1", "bash", True)
