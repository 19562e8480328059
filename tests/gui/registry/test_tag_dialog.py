"""The tag dialog as the Images page opens it: suggestions from the signed-in account, checks before any engine
call, the latest-only warning and "Push after tagging"."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from gui.core.engine import actions
from gui.core.registry.addresses import DOCKER_HUB
from gui.core.registry.credentials import Credentials
from gui.views.registry.tag_dialog import LOCAL_ONLY, TagDialog
from tests.gui.user_actions import select


def signed_in_window(window, vault, qtbot, *credentials: Credentials):
    for item in credentials:
        vault.save(item)
    window.registries_page.refresh()
    qtbot.waitUntil(lambda: len(window.images_page.accounts) == len(credentials), timeout=5000)
    window.show_page("images")
    return window


def with_tag_dialog(qtbot, window, image: str, act) -> list:
    """Opens Tag… on `image` and calls act(dialog) once the (modal) dialog shows; returns what act returned."""
    results = []

    def when_shown():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TagDialog):
            QTimer.singleShot(20, when_shown)
            return
        try:
            results.append(act(dialog))
        finally:
            if dialog.isVisible():
                dialog.reject()

    page = window.images_page
    select(page, image)
    QTimer.singleShot(20, when_shown)
    page.tag_action.trigger()
    assert results, "the tag dialog did not open"
    return results


def retype(qtbot, edit, text: str) -> None:
    edit.clear()
    qtbot.keyClicks(edit, text)


def test_suggests_a_name_for_the_signed_in_account(window, vault, qtbot):
    signed_in_window(
        window, vault, qtbot, Credentials(DOCKER_HUB, "alice", "pw"), Credentials("127.0.0.1:5000", "bob", "pw")
    )

    def look(dialog: TagDialog):
        first = (dialog.destination_combo.currentText(), dialog.repository_edit.text(), dialog.tag_edit.text())
        choices = [dialog.destination_combo.itemText(i) for i in range(dialog.destination_combo.count())]
        dialog.destination_combo.setCurrentIndex(choices.index("127.0.0.1:5000 as bob"))
        second = (dialog.repository_edit.text(), dialog.tag_edit.text())
        dialog.destination_combo.setCurrentIndex(choices.index(LOCAL_ONLY))
        local = (dialog.repository_edit.text(), dialog.push_after_box.isEnabled())
        return first, choices, second, local, dialog.command_label.text()

    first, choices, second, local, command = with_tag_dialog(qtbot, window, "web", look)[0]
    assert first == ("Docker Hub as alice", "alice/web", "1.0")
    assert choices == ["Docker Hub as alice", "127.0.0.1:5000 as bob", LOCAL_ONLY]
    assert second == ("127.0.0.1:5000/bob/web", "1.0")
    assert local == ("127.0.0.1:5000/bob/web", False)  # this machine only: the name as it stands, no push
    assert command == "Equivalent command:  docker tag web:1.0 127.0.0.1:5000/bob/web:1.0"


def test_without_a_sign_in_the_name_is_kept(window, qtbot):
    window.show_page("images")

    def look(dialog: TagDialog):
        return dialog.destination_combo.currentText(), dialog.repository_edit.text(), dialog.tag_edit.text()

    assert with_tag_dialog(qtbot, window, "trainer", look)[0] == (LOCAL_ONLY, "trainer", "2.1")


def test_invalid_names_are_caught_before_any_engine_call(window, engine, qtbot):
    window.show_page("images")

    def type_bad_names(dialog: TagDialog):
        seen = []
        retype(qtbot, dialog.repository_edit, "My App")
        seen.append((dialog.error_label.isVisible(), dialog.ok_button.isEnabled(), dialog.error_label.text()))
        retype(qtbot, dialog.repository_edit, "127.0.0.1:5000/" + "a" * 250)
        seen.append((dialog.error_label.isVisible(), dialog.ok_button.isEnabled(), dialog.error_label.text()))
        retype(qtbot, dialog.repository_edit, "web")
        retype(qtbot, dialog.tag_edit, "-1")
        seen.append((dialog.error_label.isVisible(), dialog.ok_button.isEnabled(), dialog.error_label.text()))
        qtbot.keyClick(dialog.tag_edit, Qt.Key.Key_Return)  # Enter does not tag an invalid name
        seen.append(dialog.isVisible())
        return seen

    spaces, too_long, bad_tag, still_open = with_tag_dialog(qtbot, window, "web", type_bad_names)[0]
    assert spaces[:2] == (True, False) and "lowercase" in spaces[2]
    assert too_long[:2] == (True, False) and "registry address included" in too_long[2]
    assert bad_tag[:2] == (True, False) and "A tag starts with" in bad_tag[2]
    assert still_open
    assert not any(isinstance(action, actions.TagImage) for action in engine.performed)
    assert engine.api.tags == []


def test_latest_only_gets_a_warning(window, qtbot):
    window.show_page("images")

    def type_latest(dialog: TagDialog):
        before = dialog.hint_label.isVisible()
        retype(qtbot, dialog.tag_edit, "latest")
        return before, dialog.hint_label.isVisible(), dialog.hint_label.text(), dialog.ok_button.isEnabled()

    before, shown, text, allowed = with_tag_dialog(qtbot, window, "web", type_latest)[0]
    assert not before and shown and allowed  # a warning, not a refusal
    assert "latest" in text and "1.0" in text


def test_push_after_tagging_opens_the_push_dialog_for_the_new_name(window, vault, engine, qtbot):
    from gui.views.registry.push_dialog import PushDialog

    signed_in_window(window, vault, qtbot, Credentials(DOCKER_HUB, "alice", "pw"))

    def tag_and_push(dialog: TagDialog):
        dialog.push_after_box.setChecked(True)
        text = dialog.ok_button.text()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        return text

    assert with_tag_dialog(qtbot, window, "web", tag_and_push)[0] == "Tag and Push…"
    qtbot.waitUntil(lambda: window.findChild(PushDialog) is not None, timeout=5000)
    assert actions.TagImage("web:1.0", "alice/web", "1.0") in engine.performed
    dialog = window.findChild(PushDialog)
    assert dialog.isVisible() and dialog.reference == "alice/web:1.0"
    assert engine.pushes == []  # the push waits for the user's Push
    dialog.close()


def test_push_after_tagging_to_docker_hub_needs_a_user_part(window, vault, qtbot):
    signed_in_window(window, vault, qtbot, Credentials(DOCKER_HUB, "alice", "pw"))

    def drop_the_user(dialog: TagDialog):
        dialog.push_after_box.setChecked(True)
        retype(qtbot, dialog.repository_edit, "web")
        return dialog.ok_button.isEnabled(), dialog.error_label.text()

    enabled, error = with_tag_dialog(qtbot, window, "web", drop_the_user)[0]
    assert not enabled and "USER/NAME" in error


def test_the_full_resulting_name_and_where_it_can_go_show_as_you_type(window, vault, qtbot):
    signed_in_window(
        window, vault, qtbot, Credentials(DOCKER_HUB, "alice", "pw"), Credentials("127.0.0.1:5000", "bob", "pw")
    )

    def type_names(dialog: TagDialog):
        def seen():
            return dialog.result_label.text(), dialog.target_label.text()

        steps = [seen()]  # Docker Hub as alice, suggested
        retype(qtbot, dialog.repository_edit, "web")
        steps.append(seen())
        retype(qtbot, dialog.tag_edit, "2.0")
        steps.append(seen())
        choices = [dialog.destination_combo.itemText(i) for i in range(dialog.destination_combo.count())]
        dialog.destination_combo.setCurrentIndex(choices.index("127.0.0.1:5000 as bob"))
        steps.append(seen())
        retype(qtbot, dialog.repository_edit, "registry.example.com/team/app")
        steps.append(seen())
        retype(qtbot, dialog.repository_edit, "carol/app")
        steps.append(seen())
        retype(qtbot, dialog.repository_edit, "docker.io/alice/app")
        steps.append(seen())
        retype(qtbot, dialog.repository_edit, "My App")
        steps.append((dialog.result_label.isVisible(), dialog.target_label.isVisible()))
        return steps

    hub, local, new_tag, registry, signed_out, someone_else, spelled_out, invalid = with_tag_dialog(
        qtbot, window, "web", type_names
    )[0]
    assert hub == (
        "Result: docker.io/alice/web:1.0 (Docker Hub)",
        "Can be pushed: you are signed in to Docker Hub as alice.",
    )
    assert local[0] == "Result: web:1.0 (a local name)" and local[1].startswith("A local name only")
    assert new_tag[0] == "Result: web:2.0 (a local name)"
    assert registry == (
        "Result: 127.0.0.1:5000/bob/web:2.0",
        "Can be pushed: you are signed in to 127.0.0.1:5000 as bob.",
    )
    assert signed_out[0] == "Result: registry.example.com/team/app:2.0"
    assert "not signed in" in signed_out[1] and "local name" in signed_out[1]
    assert someone_else[0] == "Result: docker.io/carol/app:2.0 (Docker Hub)"
    assert "belongs to carol" in someone_else[1] and "alice/NAME" in someone_else[1]
    assert spelled_out == (
        "Result: docker.io/alice/app:2.0 (Docker Hub)",
        "Can be pushed: you are signed in to Docker Hub as alice.",
    )
    assert invalid == (False, False)  # an invalid name has no result; the error says why


def test_without_a_sign_in_every_name_is_local_for_now(window, qtbot):
    window.show_page("images")

    def look(dialog: TagDialog):
        retype(qtbot, dialog.repository_edit, "alice/web")
        return dialog.result_label.text(), dialog.target_label.text()

    result, target = with_tag_dialog(qtbot, window, "web", look)[0]
    assert result == "Result: docker.io/alice/web:1.0 (Docker Hub)"
    assert "not signed in" in target and "Registries page" in target


def test_long_names_and_the_command_wrap_instead_of_being_cut(window, qtbot):
    window.show_page("images")
    long_name = "registry.example.com:5000/" + "/".join(["a-rather-long-team-name"] * 3) + "/app"

    def look(dialog: TagDialog):
        retype(qtbot, dialog.repository_edit, long_name)
        labels = (dialog.command_label, dialog.result_label, dialog.target_label, dialog.error_label)
        return [label.wordWrap() for label in labels], dialog.command_label.text()

    wraps, command = with_tag_dialog(qtbot, window, "web", look)[0]
    assert all(wraps)
    assert command.endswith(f"docker tag web:1.0 {long_name}:1.0")
