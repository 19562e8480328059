"""The start-up offer of recovery copies: a session that stopped before saving gets its text back at the
next start (compare, restore, discard), read in a worker once the main window shows."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from gui.core.dockerfile.recovery import RecoveryStore
from gui.views.dockerfile import recovery_dialog
from gui.views.dockerfile.recovery_dialog import CompareDialog, RecoveryDialog
from tests.gui.dockerfile.editor_driver import SAMPLE, Keys, answer_message_box, shortcut

EDITED = SAMPLE.replace("EXPOSE 80", "EXPOSE 8080")


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The app's own recovery folder (the one its editors write), in this test's folder."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return RecoveryStore()


@pytest.fixture
def reads(monkeypatch):
    """The threads the recovery folder was read in, one per read."""
    threads = []
    real = recovery_dialog.pending_copies

    def pending_copies(store):
        threads.append(threading.current_thread())
        return real(store)

    monkeypatch.setattr(recovery_dialog, "pending_copies", pending_copies)
    return threads


@pytest.fixture
def start_app(qtbot, session, settings, history, store):
    """Builds and shows the main window as the app starts; at the end, closes it without questions."""
    from gui.views.main_window import MainWindow

    windows = []

    def start(show=True):
        main = MainWindow(session, settings, history)
        qtbot.addWidget(main)
        windows.append(main)
        if show:
            main.show()
            qtbot.waitExposed(main)
        return main

    yield start
    for main in windows:
        for editor in list(main.editors.values()):
            editor.editor.document().setModified(False)  # no question on close at teardown
    qtbot.waitUntil(lambda: session.tasks.active == 0, timeout=15000)


def offered(main) -> RecoveryDialog | None:
    dialog = main.findChild(RecoveryDialog)
    return dialog if dialog is not None and dialog.isVisible() else None


def rows(dialog: RecoveryDialog) -> list[list[str]]:
    items = [dialog.list.topLevelItem(i) for i in range(dialog.list.topLevelItemCount())]
    return [[item.text(column) for column in range(3)] for item in items]


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_copy_left_by_a_crash_is_offered_at_start_and_restored(start_app, qtbot, tmp_path, store, reads):
    """Found: recovery copies were never offered at the next start-up (RecoveryStore.pending was unused)."""
    path = tmp_path / "app" / "Dockerfile"
    path.parent.mkdir()
    path.write_text(SAMPLE, encoding="utf-8")
    store.save(path, EDITED)  # what a session that crashed left behind

    main = start_app()
    qtbot.waitUntil(lambda: offered(main) is not None, timeout=5000)
    assert reads and reads[0] is not threading.main_thread()  # the disk is read in a worker
    dialog = offered(main)
    (row,) = rows(dialog)
    assert row[0] == str(path) and row[1] and row[2] == "unchanged since the copy"
    assert "Restore puts them back" in dialog.note.text()

    click(qtbot, dialog.restore_button)
    editor = main.editors[path]
    qtbot.waitUntil(lambda: not editor.loading and editor.text() == EDITED, timeout=5000)
    assert editor.is_modified() and editor.isVisible()  # unsaved: the user decides to save
    assert not editor.keeper.recovery_bar.isVisible()
    assert path.read_text(encoding="utf-8") == SAMPLE
    qtbot.waitUntil(lambda: offered(main) is None)  # every copy dealt with: the offer closes
    with qtbot.waitSignal(editor.saved):
        shortcut(qtbot, editor.editor, Keys.Save)
    assert path.read_text(encoding="utf-8") == EDITED
    qtbot.waitUntil(lambda: editor.disk_idle, timeout=5000)
    assert store.pending() == []


def test_nothing_appears_without_a_copy_and_nothing_is_read_before_the_window_shows(start_app, qtbot, reads, session):
    main = start_app(show=False)
    for _ in range(5):
        QCoreApplication.processEvents()
    assert reads == []  # the first window comes before any disk work
    main.show()
    qtbot.waitUntil(lambda: len(reads) == 1 and session.tasks.active == 0, timeout=5000)
    QCoreApplication.processEvents()
    assert offered(main) is None


def test_compare_shows_the_copy_against_the_file_read_only(start_app, qtbot, tmp_path, store):
    path = tmp_path / "Dockerfile"
    path.write_text(SAMPLE, encoding="utf-8")
    store.save(path, EDITED)
    path.write_text(SAMPLE + "USER app\n", encoding="utf-8")  # changed after the copy was made
    main = start_app()
    qtbot.waitUntil(lambda: offered(main) is not None, timeout=5000)
    dialog = offered(main)
    assert rows(dialog)[0][2] == "changed since the copy" and "Compare them" in dialog.note.text()

    click(qtbot, dialog.compare_button)
    qtbot.waitUntil(lambda: dialog.findChild(CompareDialog) is not None)
    compare = dialog.findChild(CompareDialog)
    lines = compare.diff.toPlainText().splitlines()
    assert "-EXPOSE 80" in lines and "+EXPOSE 8080" in lines and "-USER app" in lines
    assert compare.diff.isReadOnly()
    compare.close()
    assert path.read_text(encoding="utf-8") == SAMPLE + "USER app\n" and store.load(path) == EDITED


def test_discard_asks_then_removes_the_copy(start_app, qtbot, tmp_path, store):
    kept, dropped = tmp_path / "a" / "Dockerfile", tmp_path / "b" / "Dockerfile"
    for path in (kept, dropped):
        path.parent.mkdir()
        path.write_text(SAMPLE, encoding="utf-8")
        store.save(path, EDITED)
    main = start_app()
    qtbot.waitUntil(lambda: offered(main) is not None, timeout=5000)
    dialog = offered(main)
    dialog.list.setCurrentItem(dialog.list.topLevelItem(1))
    assert dialog.selected().path == dropped

    seen = []
    answer_message_box(qtbot, "Cancel", seen)
    click(qtbot, dialog.discard_button)
    assert str(dropped) in seen[0] and store.load(dropped) == EDITED and len(rows(dialog)) == 2

    answer_message_box(qtbot, "Discard", seen)
    click(qtbot, dialog.discard_button)
    qtbot.waitUntil(lambda: len(rows(dialog)) == 1, timeout=5000)
    assert store.load(dropped) is None and store.load(kept) == EDITED
    assert rows(dialog)[0][0] == str(kept)

    click(qtbot, dialog.later_button)  # Later keeps the copy for the next start
    qtbot.waitUntil(lambda: offered(main) is None)
    assert store.load(kept) == EDITED


def test_a_copy_of_a_file_that_is_gone_restores_into_a_new_file(start_app, qtbot, tmp_path, store):
    path = tmp_path / "Dockerfile"
    store.save(path, EDITED)  # the file was deleted (or moved) since
    main = start_app()
    qtbot.waitUntil(lambda: offered(main) is not None, timeout=5000)
    dialog = offered(main)
    assert rows(dialog)[0][2] == "gone"
    assert "the file is gone; restore into a new file" in dialog.note.text().lower()

    click(qtbot, dialog.restore_button)
    editor = main.editors[path]
    qtbot.waitUntil(lambda: not editor.loading and editor.text() == EDITED, timeout=5000)
    assert editor.is_modified() and not path.exists()
    with qtbot.waitSignal(editor.saved):
        shortcut(qtbot, editor.editor, Keys.Save)
    assert path.read_text(encoding="utf-8") == EDITED


def test_the_offer_can_be_switched_off(start_app, qtbot, tmp_path, store, reads, monkeypatch):
    monkeypatch.setattr(recovery_dialog, "OFFER_AT_START", False)
    store.save(tmp_path / "Dockerfile", EDITED)
    main = start_app()
    QCoreApplication.processEvents()
    assert reads == [] and offered(main) is None
    assert not any(isinstance(widget, RecoveryDialog) for widget in QApplication.topLevelWidgets())
