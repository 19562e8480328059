"""Secrets in the Run dialog, found by name or by shape: dots in the table, masked in the command preview and the
Commands panel, the real value in the container, and never in run-settings.json: kept in the keyring, or asked for
again ("secret not kept: type it again")."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit

from gui.core.run.memory import RunMemory
from gui.core.run.spec import EnvVar
from gui.core.secrets import MASK, forget_known
from gui.views.commands_panel import CommandsPanel
from gui.views.run.dialog import RunDialog
from gui.views.run.tables import EnvTable
from tests.fakes.memory_keyring import MemoryKeyring
from tests.gui.run.test_run_dialog import add_env, click_option, press_run, wait_checked

TOKEN = "ghp_R4nd0mL00k1ngT0k3nW1thDigits0123456"
URL = "postgres://app:pg-s3cret@db:5432/x"
SECRETS = {"GITHUBTOKEN": "plain-but-secret", "DATABASE_URL": URL, "SETTING": TOKEN}


@pytest.fixture(autouse=True)
def no_known_secrets():
    """Secrets another test made known to the masks do not mask this test's text."""
    forget_known()
    yield
    forget_known()


@pytest.fixture
def keyring():
    return None  # no keyring: the gui tests' default finds none usable


@pytest.fixture
def memory(tmp_path, keyring):
    return RunMemory(tmp_path / "run-settings.json", keyring_backend=keyring)


@pytest.fixture
def open_dialog(session, memory, qtbot):
    session.start()
    qtbot.waitUntil(lambda: session.connected, timeout=5000)
    dialogs = []

    def open_(image: str = "web:1.0") -> RunDialog:
        dialog = RunDialog(session, image, None, memory)
        qtbot.addWidget(dialog)
        dialog.show()
        dialogs.append(dialog)
        qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
        wait_checked(qtbot, dialog)
        return dialog

    yield open_
    for dialog in dialogs:
        dialog.close()
    session.tasks.wait_idle()


def env_rows(dialog: RunDialog) -> dict[str, QLineEdit]:
    table = dialog.env.table
    return {table.row_widgets(row)["name"].text(): table.row_widgets(row)["value"] for row in range(table.row_count())}


def run_with_secrets(open_dialog, engine, memory, qtbot) -> RunDialog:
    dialog = open_dialog()
    qtbot.keyClicks(dialog.general.name_edit, "api")
    for name, value in SECRETS.items():
        add_env(qtbot, dialog, name, value)
    add_env(qtbot, dialog, "MODE", "fast")
    with qtbot.waitSignal(dialog.started, timeout=5000):
        press_run(qtbot, dialog)
    qtbot.waitUntil(lambda: memory.path.exists(), timeout=5000)
    return dialog


def test_secrets_by_name_or_shape_are_dots_and_masked_in_the_preview(open_dialog, engine, qtbot):
    """Found: GITHUBTOKEN, a token under a plain name and DATABASE_URL's password showed in the form and preview."""
    dialog = open_dialog()
    rows = {name: add_env(qtbot, dialog, name, value)["value"] for name, value in SECRETS.items()}
    add_env(qtbot, dialog, "MODE", "fast")
    assert {name: edit.echoMode() for name, edit in rows.items()} == dict.fromkeys(SECRETS, QLineEdit.EchoMode.Password)
    assert "postgres://app:" + MASK in rows["DATABASE_URL"].toolTip()  # says what it is, without the password
    preview = dialog.preview.toPlainText()
    assert "plain-but-secret" not in preview and "pg-s3cret" not in preview and TOKEN not in preview
    assert f"GITHUBTOKEN={MASK}" in preview and f"SETTING={MASK}" in preview and "MODE=fast" in preview
    assert f"DATABASE_URL=postgres://app:{MASK}@db:5432/x" in preview  # only the password is hidden
    click_option(qtbot, dialog.env.reveal_box)
    assert rows["SETTING"].echoMode() == QLineEdit.EchoMode.Normal
    assert TOKEN not in dialog.preview.toPlainText()


def test_without_a_keyring_secrets_are_not_kept_and_asked_for_again(open_dialog, engine, memory, qtbot):
    """Found: those values were written to run-settings.json in plain text."""
    run_with_secrets(open_dialog, engine, memory, qtbot)
    ran = engine.runs[0]
    assert {EnvVar(name, value) for name, value in SECRETS.items()} <= set(ran.spec.env)  # the real values ran
    assert TOKEN not in ran.command and "pg-s3cret" not in ran.command
    text = memory.path.read_text()
    assert "plain-but-secret" not in text and "pg-s3cret" not in text and TOKEN not in text

    again = open_dialog()
    rows = env_rows(again)
    for name in SECRETS:
        assert rows[name].text() == ""
        assert rows[name].placeholderText() == EnvTable.NOT_KEPT_PLACEHOLDER == "secret not kept: type it again"
    assert rows["MODE"].text() == "fast" and rows["MODE"].placeholderText() != EnvTable.NOT_KEPT_PLACEHOLDER
    status = again.status_label.text()
    assert all(name in status for name in SECRETS) and "again" in status
    qtbot.keyClicks(rows["GITHUBTOKEN"], "typed-again")
    assert rows["GITHUBTOKEN"].placeholderText() != EnvTable.NOT_KEPT_PLACEHOLDER


@pytest.mark.parametrize("keyring", [MemoryKeyring()])
def test_with_a_keyring_secrets_come_back_from_it(open_dialog, engine, memory, keyring, qtbot):
    run_with_secrets(open_dialog, engine, memory, qtbot)
    assert keyring.entries[("portside:run:last:web", "SETTING")] == TOKEN
    assert TOKEN not in memory.path.read_text()
    again = open_dialog()
    rows = env_rows(again)
    assert {name: rows[name].text() for name in SECRETS} == SECRETS
    assert rows["SETTING"].echoMode() == QLineEdit.EchoMode.Password
    assert "again" not in again.status_label.text()


def test_the_commands_panel_never_shows_or_copies_a_secret(qtbot):
    panel = CommandsPanel()
    qtbot.addWidget(panel)
    panel.add_command(
        f"docker run -e GITHUBTOKEN=plain-but-secret -e DATABASE_URL={URL} app serve --token {TOKEN}", "run"
    )
    shown = panel.list.item(0).text()
    assert shown == (
        f"docker run -e GITHUBTOKEN={MASK} -e DATABASE_URL=postgres://app:{MASK}@db:5432/x app serve --token {MASK}"
    )
    assert panel.commands() == [shown]
    panel.list.selectAll()
    panel._copy(panel.list.selectedItems())
    assert QApplication.clipboard().text() == shown
