"""The menu bar as a user meets it: File (new, open, recent, quit), Actions, Help (Learn, shortcuts, Docker's docs)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidgetAction

from gui.views import menus as menus_module
from gui.views.main_window import PAGE_TITLES, PAGES
from gui.views.menus import DOCS_LINKS, RECENT_LIMIT
from gui.views.shortcuts_dialog import EVERYWHERE, ShortcutsDialog
from gui.views.widgets.browser import CopyAddressDialog

DOCKERFILE = 'FROM python:3.12-slim\nCMD ["python", "app.py"]\n'


@pytest.fixture
def settings(tmp_path):
    """A returning user's settings: the window opens on Containers."""
    settings = QSettings(str(tmp_path / "portside.ini"), QSettings.Format.IniFormat)
    settings.setValue("window/page", "containers")
    return settings


def menu(window, title: str) -> QMenu:
    return next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == title)


def entry(menu_: QMenu, text: str) -> QAction:
    return next(a for a in menu_.actions() if a.text().replace("&", "").rstrip("…") == text)


def texts(menu_: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu_.actions() if not a.isSeparator()]


def dockerfile(folder) -> object:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "Dockerfile"
    path.write_text(DOCKERFILE)
    return path


def close_editors(window) -> None:
    for editor in list(window.editors.values()):
        editor.close()


def test_file_menu_offers_new_open_recent_and_quit(window):
    file_menu = menu(window, "File")
    assert texts(file_menu)[:4] == ["New Dockerfile…", "Open Dockerfile…", "Open Recent", "Quit"]
    quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")]
    assert entry(file_menu, "Quit").shortcuts() == quit_keys
    assert not entry(file_menu, "New Dockerfile").shortcut().isEmpty()


def test_new_dockerfile_opens_the_wizard_from_any_page(window, qtbot):
    window.show_page("builds")  # its toolbar had Ctrl+N too: the key must not be claimed twice (Qt then ignores it)
    window.builds_page.table.setFocus()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window.builds_page.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(type(d).__name__ == "DockerfileWizard" for d in window._dialogs), timeout=3000)


def test_open_dockerfile_opens_the_editor_and_remembers_it(window, qtbot, tmp_path, monkeypatch):
    path = dockerfile(tmp_path / "project")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    entry(menu(window, "File"), "Open Dockerfile").trigger()
    qtbot.waitUntil(lambda: path in window.editors, timeout=3000)
    recent = entry(menu(window, "File"), "Open Recent").menu()
    assert texts(recent)[0] == "1 project/Dockerfile"
    close_editors(window)


def test_open_recent_keeps_the_last_eight_newest_first_and_drops_missing_files(window, qtbot, tmp_path):
    paths = [dockerfile(tmp_path / f"app{number}") for number in range(RECENT_LIMIT + 2)]
    for path in paths:
        window.menus.recent.add(path)
    recent = entry(menu(window, "File"), "Open Recent").menu()
    shown = [a.data() for a in recent.actions() if a.data()]
    assert shown == [str(path) for path in reversed(paths)][:RECENT_LIMIT]

    paths[-1].unlink()  # the newest file was deleted since
    recent.aboutToShow.emit()
    qtbot.waitUntil(lambda: str(paths[-1]) not in [a.data() for a in recent.actions()], timeout=3000)
    assert next(a.data() for a in recent.actions() if a.data()) == str(paths[-2])

    next(a for a in recent.actions() if a.data() == str(paths[-2])).trigger()
    qtbot.waitUntil(lambda: paths[-2] in window.editors, timeout=3000)
    close_editors(window)

    entry(recent, "Clear Recent").trigger()
    assert not [a for a in recent.actions() if a.data()]
    assert not entry(recent, "Clear Recent").isEnabled()


def test_recent_files_are_kept_across_restarts(window, settings, session, history, qtbot, tmp_path):
    from gui.views.main_window import MainWindow

    path = dockerfile(tmp_path / "kept")
    window.menus.recent.add(path)
    window.close()
    again = MainWindow(session, settings, history)
    qtbot.addWidget(again)
    assert again.menus.recent.paths() == [path]


def test_actions_menu_holds_the_shown_pages_toolbar(window):
    actions_menu = menu(window, "Actions")
    window.show_page("images")
    actions_menu.aboutToShow.emit()
    assert window.images_page.run_action in actions_menu.actions()
    window.show_page("containers")
    actions_menu.aboutToShow.emit()
    assert window.containers_page.stop_action in actions_menu.actions()
    assert window.images_page.run_action not in actions_menu.actions()


def test_every_toolbar_action_is_reachable_by_keyboard(window):
    """Toolbar buttons take no keyboard focus: each action needs a key, or a place in a menu."""
    actions_menu = menu(window, "Actions")
    for name in PAGES:
        window.show_page(name)
        toolbar = getattr(window.pages[name], "toolbar", None)
        if toolbar is None:
            continue
        actions_menu.aboutToShow.emit()
        for action in toolbar.actions():
            if action.isSeparator() or isinstance(action, QWidgetAction):  # a widget in the bar takes Tab itself
                continue
            assert not action.shortcut().isEmpty() or action in actions_menu.actions(), (name, action.text())


def test_sidebar_pages_have_ctrl_number(window, qtbot):
    """Ctrl+1 to Ctrl+9, then Ctrl+0 for the tenth page, and Ctrl+, for Settings; a page past the tenth (Services)
    is in the View menu without a key."""
    view = menu(window, "View")
    numbered = [name for name in PAGES if name != "settings"][:10]
    keys = {name: QKeySequence(f"Ctrl+{number % 10}") for number, name in enumerate(numbered, start=1)}
    keys["settings"] = QKeySequence("Ctrl+,")
    for name in PAGES:
        if name in keys:
            action = next(a for a in view.actions() if a.shortcut() == keys[name])
        else:
            action = next(a for a in view.actions() if a.text() == PAGE_TITLES[name])
            assert action.shortcut().isEmpty()
        action.trigger()
        assert window.current_page == name


def test_help_learn_opens_the_learn_page(window):
    entry(menu(window, "Help"), "Learn Docker").trigger()
    assert window.current_page == "learn"


def test_keyboard_shortcuts_are_read_from_the_actions(window, qtbot):
    help_menu = menu(window, "Help")
    entry(help_menu, "Keyboard Shortcuts").trigger()
    dialog = next(d for d in window._dialogs if isinstance(d, ShortcutsDialog))
    rows = {(row.keys, row.what, row.where) for row in dialog.rows}
    native = QKeySequence.SequenceFormat.NativeText
    assert (QKeySequence("Ctrl+1").toString(native), "Learn", EVERYWHERE) in rows
    assert (QKeySequence("Ctrl+B").toString(native), "Build", "Build page") in rows
    assert dialog.table.rowCount() == len(dialog.rows)
    dialog.close()

    # A key given to an action later is listed the next time: nothing is written out by hand.
    window.images_page.prune_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
    entry(help_menu, "Keyboard Shortcuts").trigger()
    dialog = next(d for d in window._dialogs if isinstance(d, ShortcutsDialog) and d.isVisible())
    assert any(row.keys == QKeySequence("Ctrl+Shift+D").toString(native) for row in dialog.rows)
    dialog.close()


def test_no_key_is_claimed_twice_where_both_would_answer(window):
    """Qt ignores a key two actions claim at once; every window-wide key is free on every page."""
    everywhere = [row for row in ShortcutsDialog(window).rows if row.where == EVERYWHERE]
    keys = [row.keys for row in everywhere]
    assert len(keys) == len(set(keys))
    on_pages = ShortcutsDialog(window).rows
    for row in on_pages:
        if row.where != EVERYWHERE:
            assert row.keys not in keys, row


def test_docker_documentation_opens_in_the_browser(window, opened_urls, qtbot):
    docs = entry(menu(window, "Help"), "Docker documentation").menu()
    titles = [title for title, _url in DOCS_LINKS]
    assert texts(docs) == titles
    for action in docs.actions():
        action.trigger()
    qtbot.waitUntil(lambda: opened_urls == [url for _title, url in DOCS_LINKS], timeout=3000)


def test_docker_documentation_without_a_browser_shows_the_address(window, monkeypatch, qtbot):
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    docs = entry(menu(window, "Help"), "Docker documentation").menu()
    docs.actions()[1].trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(CopyAddressDialog)), timeout=3000)
    dialog = next(d for d in window.findChildren(CopyAddressDialog) if d.isVisible())
    assert dialog.address.text() == DOCS_LINKS[1][1]
    dialog.close()


def test_log_folder_goes_through_the_browser_helper(window, monkeypatch, tmp_path):
    asked = []
    monkeypatch.setattr(menus_module.log, "log_dir", lambda: tmp_path)
    monkeypatch.setattr(menus_module.browser, "open_in_browser", lambda parent, url: asked.append((parent, url)))
    entry(menu(window, "Help"), "Open log folder").trigger()
    assert asked == [(window, QUrl.fromLocalFile(str(tmp_path)))]
