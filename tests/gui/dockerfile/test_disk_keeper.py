"""The editor's disk keeper: no edit is ever lost (recovery copies, a question on close), atomic saves,
and files changed, replaced or deleted on disk while they are open."""

from __future__ import annotations

import errno
import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QTextCursor

from gui.core.dockerfile import text_file as text_file_module
from gui.views.dockerfile import disk_keeper
from tests.gui.dockerfile.editor_driver import SAMPLE, Keys, answer_message_box, shortcut, type_text

# No edit is ever lost ------------------------------------------------------------------------------------


def test_unsaved_text_survives_a_crash_and_restore_brings_it_back(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(disk_keeper, "AUTOSAVE_MS", 200)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.editor, "USER app")
    typed = editor.text()
    qtbot.waitUntil(lambda: recovery.load(path) == typed, timeout=5000)
    assert path.read_text(encoding="utf-8") == SAMPLE  # autosave never touches the file itself

    # The "crash": the widget goes away with no save and no question.
    with qtbot.waitSignal(editor.destroyed):
        editor.deleteLater()

    again = make_editor(path)
    assert again.text() == SAMPLE
    qtbot.waitUntil(again.keeper.recovery_bar.isVisible)
    assert "unsaved changes" in again.keeper.recovery_bar.text
    qtbot.mouseClick(again.keeper.restore_button, Qt.MouseButton.LeftButton)
    assert again.text() == typed and again.is_modified()
    assert not again.keeper.recovery_bar.isVisible()
    shortcut(qtbot, again.editor, Keys.Undo)  # restoring was one edit: the file's text is one Undo away
    assert again.text() == SAMPLE
    qtbot.keySequence(again.editor, QKeySequence("Ctrl+Shift+Z"))
    assert again.text() == typed

    with qtbot.waitSignal(again.saved):
        shortcut(qtbot, again.editor, Keys.Save)
    assert path.read_text(encoding="utf-8") == typed
    qtbot.waitUntil(lambda: again.disk_idle)
    assert recovery.load(path) is None  # saving discards the recovery copy


def test_the_recovery_copy_is_written_while_typing_goes_on(make_editor, qtbot, project, recovery):
    """Found: a crash lost the last 1 to 3 seconds of typing. The copy follows a pause in typing, and a long
    burst of typing (slices closer together than any pause the copy waits for) still gets one within 1 s."""
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    typed_so_far = []
    slices = 20  # 100 ms apart: typing goes on for twice the second a crash may lose
    copied_after = None
    for index in range(slices):
        qtbot.keyClicks(editor.editor, "x")
        typed_so_far.append(editor.text())
        qtbot.wait(100)  # the event loop turns between slices, as between a user's keystrokes
        if recovery.load(path) is not None:
            copied_after = index
            break
    assert copied_after is not None and copied_after < slices - 1, "no recovery copy while typing went on"
    assert recovery.load(path) in typed_so_far
    qtbot.keyClicks(editor.editor, "END")  # then the typing stops: the copy catches up
    qtbot.waitUntil(lambda: recovery.load(path) == editor.text(), timeout=5000)
    assert path.read_text(encoding="utf-8") == SAMPLE


def test_discard_drops_the_recovery_copy(make_editor, qtbot, project, recovery):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    recovery.save(path, SAMPLE + "USER app\n")
    editor = make_editor(path)
    qtbot.waitUntil(editor.keeper.recovery_bar.isVisible)
    qtbot.mouseClick(editor.keeper.discard_button, Qt.MouseButton.LeftButton)
    assert editor.text() == SAMPLE and not editor.is_modified()
    qtbot.waitUntil(lambda: editor.disk_idle)
    assert recovery.load(path) is None


def test_a_recovery_copy_equal_to_the_file_is_not_offered(make_editor, qtbot, project, recovery):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    recovery.save(path, SAMPLE)
    editor = make_editor(path)
    qtbot.waitUntil(lambda: editor.disk_idle)
    assert not editor.keeper.recovery_bar.isVisible()
    assert recovery.load(path) is None


def test_undoing_back_to_the_saved_text_drops_the_recovery_copy(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(disk_keeper, "AUTOSAVE_MS", 100)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    qtbot.keyClicks(editor.editor, "# note ")
    qtbot.waitUntil(lambda: recovery.load(path) is not None, timeout=5000)
    shortcut(qtbot, editor.editor, Keys.Undo)
    assert not editor.is_modified()
    qtbot.waitUntil(lambda: recovery.load(path) is None and editor.disk_idle, timeout=5000)


def test_close_asks_save_discard_or_cancel(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(disk_keeper, "AUTOSAVE_MS", 100)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    editor.show()
    type_text(qtbot, editor.editor, "# more\n")
    seen: list[str] = []

    answer_message_box(qtbot, "Cancel", seen)
    editor.close()  # the window's close button: Cancel keeps the window and the edits
    assert "Save the changes to Dockerfile" in seen[0]
    assert editor.isVisible() and editor.is_modified()
    answer_message_box(qtbot, "Cancel", seen)
    assert editor.maybe_close() is False
    assert editor.is_modified()

    answer_message_box(qtbot, "Save", seen)
    with qtbot.waitSignal(editor.saved):
        assert editor.maybe_close() is True
    assert path.read_text(encoding="utf-8") == "# more\n" + SAMPLE


def test_close_discard_keeps_the_file_and_drops_the_copy(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(disk_keeper, "AUTOSAVE_MS", 100)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# more\n")
    qtbot.waitUntil(lambda: recovery.load(path) is not None, timeout=5000)
    seen: list[str] = []
    answer_message_box(qtbot, "Discard", seen)
    editor.close()  # the window's close button asks too
    assert seen and not editor.isVisible()
    qtbot.waitUntil(lambda: editor.disk_idle)
    assert recovery.load(path) is None
    assert path.read_text(encoding="utf-8") == SAMPLE


def test_close_without_changes_asks_nothing(make_editor, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    assert editor.maybe_close() is True


# Saving -------------------------------------------------------------------------------------------------


def test_save_is_atomic_and_leaves_no_temp_files(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# edited\n")
    assert editor.is_modified() and editor.isWindowModified()
    with qtbot.waitSignal(editor.saved) as signal:
        shortcut(qtbot, editor.editor, Keys.Save)
    assert signal.args == [path]
    assert path.read_text(encoding="utf-8") == "# edited\n" + SAMPLE
    assert path.stat().st_ino != inode  # a new file renamed over the old one, not a rewrite in place
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in project.iterdir()) == [".dockerignore", "Dockerfile"]
    assert not editor.is_modified() and not editor.isWindowModified()


def test_a_save_asked_for_just_before_quitting_is_written(make_editor, qtbot, project, session):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    qtbot.keyClicks(editor.editor, "# one ")
    editor.save()
    qtbot.keyClicks(editor.editor, "# two ")
    editor.save()  # queued behind the first
    # The app quits: the session waits for its workers, and no event loop runs any more.
    assert session.tasks.wait_idle(10_000)
    assert path.read_text(encoding="utf-8") == "# one # two " + SAMPLE


def test_crlf_files_keep_their_line_endings(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_bytes(b"FROM busybox:1.36\r\nRUN true\r\n")
    editor = make_editor(path)
    assert editor.text() == "FROM busybox:1.36\nRUN true\n"
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.editor, "USER nobody")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert path.read_bytes() == b"FROM busybox:1.36\r\nRUN true\r\nUSER nobody"


def test_save_as_and_a_new_file(make_editor, qtbot, project):
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM busybox:1.36")
    target = project / "sub" / "Dockerfile"
    target.parent.mkdir()
    with qtbot.waitSignal(editor.saved):
        assert editor.save_as(target)
    assert target.read_text(encoding="utf-8") == "FROM busybox:1.36"
    assert editor.path == target and not editor.is_modified()


def test_a_failed_save_says_why_and_keeps_the_text(make_editor, qtbot, tmp_path, recovery):
    missing = tmp_path / "gone" / "Dockerfile"
    editor = make_editor()
    qtbot.keyClicks(editor.editor, "FROM busybox:1.36")
    with qtbot.waitSignal(editor.saveFailed) as signal:
        editor.save_as(missing)
    assert signal.args[0].startswith(f"Not saved to {missing}: its folder does not exist")
    assert "safe in a recovery copy" in signal.args[0]
    assert editor.message_bar.isVisible() and editor.is_modified()
    assert recovery.load(missing) == "FROM busybox:1.36"  # kept for later, even though the write failed


def _disk_full(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_says_the_recovery_copy_failed_too(make_editor, qtbot, project, recovery, monkeypatch):
    """Found: on a full disk the editor said the text was "also in a recovery copy" when that write failed too."""
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    qtbot.keyClicks(editor.editor, "# precious ")
    monkeypatch.setattr(text_file_module, "atomic_write_bytes", _disk_full)
    monkeypatch.setattr(recovery, "save", _disk_full)  # the recovery store's writer
    with qtbot.waitSignal(editor.saveFailed):
        shortcut(qtbot, editor.editor, Keys.Save)
    assert editor.message_bar.isVisible() and editor.message_bar.text == (
        f"Not saved to {path}: the disk is full. The recovery copy could not be written either: "
        "copy your text somewhere safe now."
    )
    assert editor.is_modified() and editor.text() == "# precious " + SAMPLE
    assert path.read_text(encoding="utf-8") == SAMPLE and recovery.load(path) is None
    qtbot.waitUntil(lambda: editor.disk_idle, timeout=5000)


def test_a_full_disk_that_takes_the_recovery_copy_says_so(make_editor, qtbot, project, recovery, monkeypatch):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    qtbot.keyClicks(editor.editor, "# precious ")
    real_write = text_file_module.atomic_write_bytes

    def file_full(target, *args, **kwargs):  # the file's disk is full; the recovery folder's has room
        if target == path:
            _disk_full()
        return real_write(target, *args, **kwargs)

    monkeypatch.setattr(text_file_module, "atomic_write_bytes", file_full)
    with qtbot.waitSignal(editor.saveFailed):
        shortcut(qtbot, editor.editor, Keys.Save)
    text = editor.message_bar.text
    assert text.startswith(f"Not saved to {path}: the disk is full. Your text is safe in a recovery copy")
    assert "could not be written either" not in text
    assert recovery.load(path) == "# precious " + SAMPLE
    qtbot.waitUntil(lambda: editor.disk_idle, timeout=5000)


def test_a_recovery_copy_that_cannot_be_written_says_so(make_editor, qtbot, project, recovery, monkeypatch):
    monkeypatch.setattr(disk_keeper, "AUTOSAVE_MS", 50)
    monkeypatch.setattr(recovery, "save", _disk_full)
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    qtbot.keyClicks(editor.editor, "# precious ")
    qtbot.waitUntil(editor.message_bar.isVisible, timeout=5000)
    assert editor.message_bar.text == (
        "Could not keep a recovery copy: the disk is full. Your unsaved changes are only in this window: save them soon."
    )
    qtbot.waitUntil(lambda: editor.disk_idle, timeout=5000)


# Changes on disk ----------------------------------------------------------------------------------------


def test_external_change_reloads_silently_without_unsaved_edits(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    path.write_text(SAMPLE + "USER app\n", encoding="utf-8")  # another editor writes in place
    qtbot.waitUntil(lambda: editor.text() == SAMPLE + "USER app\n", timeout=5000)
    assert not editor.is_modified() and not editor.keeper.external_bar.isVisible()

    # A tool that replaces the file by renaming another over it (as Portside itself does) is seen too.
    replacement = project / "new"
    replacement.write_text("FROM busybox:1.36\n", encoding="utf-8")
    os.replace(replacement, path)
    qtbot.waitUntil(lambda: editor.text() == "FROM busybox:1.36\n", timeout=5000)

    # After our own save the watcher is re-armed: later changes still arrive, our save does not count.
    type_text(qtbot, editor.editor, "# mine\n")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    qtbot.wait(disk_keeper.DISK_CHECK_MS * 3)
    assert not editor.keeper.external_bar.isVisible()
    path.write_text("FROM busybox:1.37\n", encoding="utf-8")
    qtbot.waitUntil(lambda: editor.text() == "FROM busybox:1.37\n", timeout=5000)


def test_external_change_with_unsaved_edits_offers_reload(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# mine\n")
    mine = editor.text()
    path.write_text("FROM busybox:1.36\n", encoding="utf-8")
    qtbot.waitUntil(editor.keeper.external_bar.isVisible, timeout=5000)
    assert editor.text() == mine  # nothing replaced without asking
    assert "changed on disk" in editor.keeper.external_bar.text
    qtbot.mouseClick(editor.keeper.reload_button, Qt.MouseButton.LeftButton)
    assert editor.text() == "FROM busybox:1.36\n" and not editor.is_modified()
    shortcut(qtbot, editor.editor, Keys.Undo)  # the user's version is one Undo away
    assert editor.text() == mine


def test_keep_my_version_then_save_replaces_the_file(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    type_text(qtbot, editor.editor, "# mine\n")
    path.write_text("FROM busybox:1.36\n", encoding="utf-8")
    qtbot.waitUntil(editor.keeper.external_bar.isVisible, timeout=5000)
    qtbot.mouseClick(editor.keeper.keep_button, Qt.MouseButton.LeftButton)
    assert not editor.keeper.external_bar.isVisible() and editor.is_modified()
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert path.read_text(encoding="utf-8") == "# mine\n" + SAMPLE


def test_a_deleted_file_is_reported_and_can_be_saved_again(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    editor = make_editor(path)
    path.unlink()
    qtbot.waitUntil(editor.keeper.external_bar.isVisible, timeout=5000)
    assert "deleted" in editor.keeper.external_bar.text and editor.is_modified()
    with qtbot.waitSignal(editor.saved):
        qtbot.mouseClick(editor.keeper.resave_button, Qt.MouseButton.LeftButton)
    assert path.read_text(encoding="utf-8") == SAMPLE
    assert not editor.keeper.external_bar.isVisible()
