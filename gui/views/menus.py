"""The main window's menu bar, so that everything the app does can be reached from the keyboard (Alt, then a menu).

File: New Dockerfile, Open Dockerfile, Open Recent, Quit. View: the pages (Ctrl+1…), the Commands panel, Refresh.
Actions: what the page shown can do (its toolbar's actions). Help: Learn, the keyboard shortcuts, Docker's
documentation, the log folder, About.

Ctrl+N and Ctrl+O belong to the whole window here, and were the Builds page toolbar's too: Qt silences both
actions of a key that two of them claim at once (an "ambiguous shortcut"), so the page's actions give up a key a
menu takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidgetAction

from gui.core import log
from gui.views.widgets import browser

if TYPE_CHECKING:
    from gui.views.main_window import MainWindow
    from gui.workers.tasks import TaskRunner

FALLBACK_KEYS = {
    QKeySequence.StandardKey.New: "Ctrl+N",
    QKeySequence.StandardKey.Open: "Ctrl+O",
    QKeySequence.StandardKey.Quit: "Ctrl+Q",
    QKeySequence.StandardKey.Refresh: "F5",
    QKeySequence.StandardKey.HelpContents: "F1",
}
RECENT_KEY = "recent/dockerfiles"
RECENT_LIMIT = 8
DOCKERFILE_FILTER = "Dockerfiles (Dockerfile* *.Dockerfile *.dockerfile);;All files (*)"

# Docker's own documentation, opened in the user's browser (Portside never fetches it).
DOCS_LINKS = (
    ("Get started with Docker", "https://docs.docker.com/get-started/"),
    ("Dockerfile reference", "https://docs.docker.com/reference/dockerfile/"),
    ("docker run reference", "https://docs.docker.com/reference/cli/docker/container/run/"),
    (
        "NVIDIA Container Toolkit: install guide",
        "https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html",
    ),
)


def page_shortcut(number: int) -> str:
    """Ctrl+1 to Ctrl+9 for the first nine pages, Ctrl+0 for the tenth (as browsers number their tabs); Settings has
    Ctrl+, as in most desktop apps."""
    return f"Ctrl+{number % 10}" if number <= 10 else ""


class RecentDockerfiles(QObject):
    """The last Dockerfiles opened or written, newest first, kept in the settings. Files that are gone are
    dropped: checked off the GUI thread, since a folder on a slow or unplugged disk can take long to answer."""

    changed = Signal()

    def __init__(self, settings: QSettings, tasks: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.tasks = tasks

    def paths(self) -> list[Path]:
        value = self.settings.value(RECENT_KEY) or []
        if isinstance(value, str):  # an INI file gives back a list of one as a plain string
            value = [value]
        return [Path(item) for item in value if item][:RECENT_LIMIT]

    def _store(self, paths: list[Path]) -> None:
        if paths:
            self.settings.setValue(RECENT_KEY, [str(path) for path in paths[:RECENT_LIMIT]])
        else:
            self.settings.remove(RECENT_KEY)
        self.changed.emit()

    def add(self, path: Path) -> None:
        path = Path(path).absolute()
        self._store([path, *(known for known in self.paths() if known != path)])

    def clear(self) -> None:
        self._store([])

    def drop_missing(self) -> None:
        """Checks which files still exist (in a worker) and forgets the others."""
        listed = self.paths()
        if listed:
            self.tasks.submit(lambda: [path for path in listed if not path.is_file()], self._forget)

    def _forget(self, missing: list[Path]) -> None:
        if missing:
            self._store([path for path in self.paths() if path not in missing])


class Menus(QObject):
    """Builds the menu bar of `window` and keeps its changing parts (recent files, the page's actions) current."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.recent = RecentDockerfiles(window.settings, window.session.tasks, self)
        bar = window.menuBar()

        self.file_menu = bar.addMenu("&File")
        self.new_action = self._add(
            self.file_menu,
            "&New Dockerfile…",
            lambda: window.open_wizard(),
            QKeySequence.StandardKey.New,
            "A wizard writes a Dockerfile for your project, explained line by line",
        )
        self.open_action = self._add(
            self.file_menu,
            "&Open Dockerfile…",
            self.open_dockerfile,
            QKeySequence.StandardKey.Open,
            "Edit a Dockerfile with explanations and live checks",
        )
        self.recent_menu = self.file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("recent-menu")
        self.recent_menu.aboutToShow.connect(self.recent.drop_missing)
        self.recent.changed.connect(self._fill_recent)
        self.file_menu.addSeparator()
        self.quit_action = self._add(self.file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit)

        self.view_menu = bar.addMenu("&View")
        from gui.views.main_window import PAGE_TITLES, PAGES  # the window's module imports this one

        self.page_actions = []
        for number, name in enumerate(PAGES, start=1):
            self.page_actions.append(
                self._add(
                    self.view_menu,
                    PAGE_TITLES[name],
                    lambda page=name: window.show_page(page),
                    QKeySequence("Ctrl+," if name == "settings" else page_shortcut(number)),
                    f"Show the {PAGE_TITLES[name]} page",
                )
            )
        self.view_menu.addSeparator()
        toggle = window.commands.toggleViewAction()
        toggle.setText("&Commands panel")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.view_menu.addAction(toggle)
        self.refresh_action = self._add(
            self.view_menu, "&Refresh", window.refresh_all, QKeySequence.StandardKey.Refresh, "Read everything again"
        )

        # The page's own actions, for the keyboard: Alt+A, then the action (its toolbar has no keyboard focus).
        self.actions_menu = bar.addMenu("&Actions")
        self.actions_menu.setObjectName("actions-menu")
        self.actions_menu.aboutToShow.connect(self._fill_page_actions)

        self.help_menu = bar.addMenu("&Help")
        self.learn_action = self._add(
            self.help_menu,
            "&Learn Docker",
            lambda: window.show_page("learn"),
            QKeySequence.StandardKey.HelpContents,
            "Docker step by step, from nothing to your app in the browser",
        )
        self.shortcuts_action = self._add(
            self.help_menu, "&Keyboard Shortcuts", self.show_shortcuts, QKeySequence("Ctrl+/")
        )
        docs = self.help_menu.addMenu("Docker &documentation")
        self.docs_actions = [
            self._add(docs, title, lambda url=url: browser.open_in_browser(window, url), tip=url)
            for title, url in DOCS_LINKS
        ]
        self.help_menu.addSeparator()
        self.log_action = self._add(
            self.help_menu,
            "Open log &folder",
            lambda: browser.open_in_browser(window, QUrl.fromLocalFile(str(log.log_dir()))),
            tip="Portside's log files, to attach to a bug report",
        )
        self.about_action = self._add(self.help_menu, "&About Portside", window.show_about)

        self._release_page_keys()
        self._fill_recent()
        self.recent.drop_missing()

    def _add(self, menu: QMenu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if isinstance(shortcut, QKeySequence.StandardKey):
            # The platform's keys for it; a desktop that names none (a bare X session) gets the common one.
            action.setShortcuts(QKeySequence.keyBindings(shortcut) or [QKeySequence(FALLBACK_KEYS[shortcut])])
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _release_page_keys(self) -> None:
        """A key the window's menus take is taken from the pages' actions (see the module's docstring)."""
        window_keys = {
            action.shortcut()
            for action in self.window.findChildren(QAction)
            if not action.shortcut().isEmpty() and action.shortcutContext() == Qt.ShortcutContext.WindowShortcut
        }
        for page in self.window.pages.values():
            for action in page.actions():
                if action.shortcut() in window_keys and action.shortcutContext() != Qt.ShortcutContext.WindowShortcut:
                    action.setShortcut(QKeySequence())

    # File ------------------------------------------------------------------------------------------

    def open_dockerfile(self) -> None:
        recent = self.recent.paths()
        start = str(recent[0].parent) if recent else str(Path.home())
        path, _filter = QFileDialog.getOpenFileName(self.window, "Open a Dockerfile", start, DOCKERFILE_FILTER)
        if path:
            self.window.open_editor(Path(path))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.recent.paths()
        for number, path in enumerate(paths, start=1):
            # The folder tells Dockerfiles apart: they are nearly all called Dockerfile.
            action = self.recent_menu.addAction(f"&{number} {path.parent.name}/{path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setData(str(path))
            action.triggered.connect(lambda _checked=False, path=path: self.window.open_editor(path))
        if paths:
            self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("&Clear Recent", self.recent.clear)
        clear.setEnabled(bool(paths))
        if not paths:
            none = self.recent_menu.addAction("No Dockerfiles opened yet")
            none.setEnabled(False)
            self.recent_menu.insertAction(clear, none)

    # Actions ---------------------------------------------------------------------------------------

    def _fill_page_actions(self) -> None:
        self.actions_menu.clear()
        page = self.window.pages.get(self.window.current_page)
        toolbar = getattr(page, "toolbar", None)
        actions = toolbar.actions() if toolbar is not None else []
        for action in actions:
            if action.isSeparator():
                self.actions_menu.addSeparator()
            elif not isinstance(action, QWidgetAction) and action.isVisible():
                self.actions_menu.addAction(action)
        if not any(not action.isSeparator() for action in self.actions_menu.actions()):
            none = self.actions_menu.addAction("This page's buttons are in the page itself (Tab to reach them)")
            none.setEnabled(False)

    # Help ------------------------------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        from gui.views.shortcuts_dialog import ShortcutsDialog

        self.window.show_dialog(ShortcutsDialog(self.window))
