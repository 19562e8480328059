"""The Registries page and the sign-in dialog, as a user drives them: the vault is real (a memory keyring and a
docker config folder of the test's own), the registry's answer comes from the fake engine."""

from __future__ import annotations

import base64
import json
import logging

import pytest
import shiboken6
from PySide6.QtCore import Qt

from gui.core.registry.addresses import DOCKER_HUB
from gui.core.registry.credentials import Credentials, StoreKind
from gui.views.registry.registries_page import HUB_INVITATION, NOT_SIGNED_IN
from gui.views.registry.sign_in_dialog import SignInDialog
from tests.gui.user_actions import answer_message_boxes, select

SECRET = "s3cret-Token-do-not-show"
LOCAL = "127.0.0.1:5000"


def registry_accepts(engine, registry: str, username: str, secret: str) -> None:
    engine.registry_users.setdefault(registry, {})[username] = secret


def shown_rows(page) -> list[tuple[str, str, str]]:
    """Registry, user and where, as the table shows them, top to bottom."""
    model = page.proxy
    return [tuple(model.index(row, column).data() for column in range(3)) for row in range(model.rowCount())]


def shown_accounts(page) -> list[tuple[str, str, str]]:
    """The rows of signed-in accounts (Docker Hub's "Not signed in" row left out)."""
    return sorted(row for row in shown_rows(page) if row[1] != NOT_SIGNED_IN)


def open_sign_in(window, qtbot) -> SignInDialog:
    window.show_page("registries")
    window.registries_page.sign_in_action.trigger()
    dialog = window.findChild(SignInDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def fill(qtbot, dialog: SignInDialog, registry: str | None, username: str, secret: str) -> None:
    if registry is not None:
        dialog.registry_combo.lineEdit().clear()
        qtbot.keyClicks(dialog.registry_combo.lineEdit(), registry)
    qtbot.keyClicks(dialog.username_edit, username)
    qtbot.keyClicks(dialog.secret_edit, secret)


@pytest.fixture
def commands_issued(session):
    issued: list[tuple[str, str]] = []
    session.commandIssued.connect(lambda command, what: issued.append((command, what)))
    return issued


def test_docker_hub_is_listed_before_signing_in_and_where_new_sign_ins_go(window, qtbot):
    window.show_page("registries")
    page = window.registries_page
    assert window.current_page == "registries"
    qtbot.waitUntil(lambda: "system keyring" in page.storage_label.text(), timeout=5000)
    assert shown_rows(page) == [("Docker Hub", NOT_SIGNED_IN, HUB_INVITATION)]
    assert page.accounts == []
    select(page, "Docker Hub")
    assert not page.sign_out_action.isEnabled()
    page.table.doubleClicked.emit(page.table.currentIndex())
    dialog = window.findChild(SignInDialog)
    assert dialog is not None and dialog.isVisible() and dialog.registry() == DOCKER_HUB
    dialog.reject()


def test_docker_hub_comes_first_among_the_sign_ins(window, vault, qtbot):
    vault.save(Credentials(LOCAL, "bob", SECRET))
    vault.save(Credentials("a.example.com", "ann", SECRET))
    page = window.registries_page
    page.refresh()
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 3, timeout=5000)
    assert [row[:2] for row in shown_rows(page)] == [
        ("Docker Hub", NOT_SIGNED_IN),
        (LOCAL, "bob"),
        ("a.example.com", "ann"),
    ]


def test_sign_in_lists_the_account_and_where_it_is_kept(window, engine, qtbot, commands_issued):
    registry_accepts(engine, DOCKER_HUB, "alice", SECRET)
    dialog = open_sign_in(window, qtbot)
    assert dialog.registry() == DOCKER_HUB  # Docker Hub comes first
    fill(qtbot, dialog, None, "alice", SECRET)
    assert dialog.preview.text().endswith("docker login -u alice --password-stdin")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=5000)
    page = window.registries_page
    qtbot.waitUntil(lambda: shown_accounts(page) != [], timeout=5000)
    registry, user, kept = shown_accounts(page)[0]
    assert (registry, user) == ("Docker Hub", "alice")
    assert "system keyring" in kept
    assert ("docker login -u alice --password-stdin", "sign in to the registry") in commands_issued
    assert "Signed in to Docker Hub as alice." in window.statusBar().currentMessage()


def test_refused_password_keeps_the_dialog_and_the_user_name(window, engine, qtbot):
    registry_accepts(engine, LOCAL, "bob", "right")
    dialog = open_sign_in(window, qtbot)
    fill(qtbot, dialog, LOCAL, "bob", "wrong")
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=5000)
    assert "refused the user name or password" in dialog.error_label.text()
    assert dialog.isVisible() and dialog.sign_in_button.isEnabled()
    assert dialog.username_edit.text() == "bob"
    assert dialog.secret_edit.text() == ""  # ready for the password again
    assert shown_accounts(window.registries_page) == []
    dialog.reject()


def test_form_problems_are_caught_before_the_engine_is_asked(window, engine, qtbot):
    dialog = open_sign_in(window, qtbot)
    fill(qtbot, dialog, "my registry:99999", "bob", SECRET)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.isVisible() and "space" in dialog.error_label.text()
    dialog.registry_combo.lineEdit().clear()
    qtbot.keyClicks(dialog.registry_combo.lineEdit(), LOCAL)
    dialog.secret_edit.clear()
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == "Enter your password or access token."
    assert engine.logins == []
    dialog.reject()


def test_sign_out_asks_then_removes_the_row(window, vault, engine, qtbot, commands_issued):
    vault.save(Credentials(LOCAL, "bob", SECRET))
    page = window.registries_page
    page.refresh()
    window.show_page("registries")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 2, timeout=5000)
    select(page, LOCAL)
    assert "docker logout 127.0.0.1:5000" in page.sign_out_action.toolTip()
    seen = []
    answer_message_boxes(qtbot, "Sign out", seen=seen)
    page.sign_out_action.trigger()
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1, timeout=5000)
    assert "Sign out of 127.0.0.1:5000 as bob?" in seen[0]
    assert ("docker logout 127.0.0.1:5000", "sign out of the registry") in commands_issued
    assert vault.get(LOCAL) is None
    assert shown_accounts(page) == []


def test_docker_cli_login_is_listed_and_sign_out_says_what_to_run(window, docker_config_dir, qtbot):
    auth = base64.b64encode(f"carol:{SECRET}".encode()).decode()
    (docker_config_dir / "config.json").write_text(json.dumps({"auths": {LOCAL: {"auth": auth}}}))
    page = window.registries_page
    page.refresh()
    window.show_page("registries")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 2, timeout=5000)
    registry, user, kept = shown_accounts(page)[0]
    assert (registry, user) == (LOCAL, "carol")
    assert "docker CLI" in kept and "plain text" in kept
    assert page.accounts[0].kind == StoreKind.DOCKER_CLI
    select(page, LOCAL)
    seen = []
    answer_message_boxes(qtbot, "OK", seen=seen)  # no question first: the error box explains
    page.sign_out_action.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert "docker logout 127.0.0.1:5000" in seen[0]
    assert shown_accounts(page)[0][:2] == (LOCAL, "carol")  # Portside never edits config.json


def test_the_password_is_never_shown_or_logged(window, engine, qtbot, commands_issued, caplog):
    caplog.set_level(logging.DEBUG, logger="portside")
    registry_accepts(engine, LOCAL, "bob", SECRET)
    dialog = open_sign_in(window, qtbot)
    fill(qtbot, dialog, LOCAL, "bob", "wrong-" + SECRET)  # refused first: errors must not echo it either
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=5000)
    seen_texts = [dialog.preview.text(), dialog.error_label.text(), dialog.error_label.toolTip()]
    qtbot.keyClicks(dialog.secret_edit, SECRET)
    assert dialog.secret_edit.echoMode() == dialog.secret_edit.EchoMode.Password
    assert dialog.secret_edit.displayText() != SECRET
    seen_texts.append(dialog.preview.text())
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.registries_page.proxy.rowCount() == 2, timeout=5000)
    seen_texts += [command for command, _what in commands_issued] + [window.commands.commands()]
    seen_texts += [str(cell) for row in shown_accounts(window.registries_page) for cell in row]
    seen_texts.append(window.statusBar().currentMessage())
    assert commands_issued and all(
        command == "docker login 127.0.0.1:5000 -u bob --password-stdin" for command, _what in commands_issued
    )
    assert not any(SECRET in text for text in seen_texts)
    assert SECRET not in caplog.text


def test_push_from_images_opens_the_push_dialog_and_its_sign_in(window, engine, qtbot):
    from gui.views.registry.push_dialog import PushDialog

    window.show_page("images")
    page = window.images_page
    select(page, "web")
    assert page.push_action.isEnabled()
    assert "docker push web:1.0" in page.push_action.toolTip()
    assert page.push_action.shortcut().toString() == "Ctrl+Shift+U"
    page.push_action.trigger()
    dialog = window.findChild(PushDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.reference == "web:1.0"
    qtbot.waitUntil(lambda: dialog.sign_in_button.isVisible(), timeout=5000)  # not signed in to Docker Hub
    registry_accepts(engine, DOCKER_HUB, "alice", SECRET)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    sign_in = dialog.findChild(SignInDialog)  # over the push dialog, for its registry
    assert sign_in is not None and sign_in.isVisible()
    assert sign_in.registry() == DOCKER_HUB
    fill(qtbot, sign_in, None, "alice", SECRET)
    qtbot.mouseClick(sign_in.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Signed in to Docker Hub as alice" in dialog.account_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: shown_accounts(window.registries_page) != [], timeout=5000)
    dialog.close()


def test_an_untagged_image_cannot_be_pushed(window, engine, qtbot):
    from tests.fakes import fake_engine

    engine.images.append(fake_engine.image("<none>", "<none>"))
    window.session.refresh()
    page = window.images_page
    window.show_page("images")
    qtbot.waitUntil(lambda: any(row.dangling for row in page.model.rows), timeout=5000)
    page.select_keys({True}, key=lambda row: row.dangling)
    assert len(page.selected_rows()) == 1
    assert not page.push_action.isEnabled()
    assert "docker push" in page.push_action.toolTip()
