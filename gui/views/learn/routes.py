"""Where each Learn step's "Do it" goes: the page, dialog or editor of the main window that does it, filled in
with the user's project where there is one. When the project is not far enough along, a status line says which
step comes first."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from gui.core import log
from gui.core.learn import progress as checks

if TYPE_CHECKING:
    from gui.views.main_window import MainWindow

logger = log.get("learn")

MESSAGE_MS = 10_000


def route(window: MainWindow, action: str) -> None:
    """Does what the action id (gui.core.learn.steps.ACTIONS) names."""
    handler = _ROUTES.get(action)
    if handler is None:
        logger.info("no route for the Learn action %r", action)
        return
    handler(window)


def _say(window: MainWindow, text: str) -> None:
    window.statusBar().showMessage(text, MESSAGE_MS)


def _project_reference(window: MainWindow) -> str | None:
    """The name of the project's image as the engine has it now: a tag, else its short id."""
    rows = checks.project_images(window.learn_page.state())
    named = [row for row in rows if not row.dangling]
    if named:
        return named[0].reference
    return rows[0].short_id if rows else None


def _wizard(window: MainWindow) -> None:
    project = window.learn_page.project
    window.open_wizard(Path(project.folder) if project.folder else None)


def _build(window: MainWindow) -> None:
    project = window.learn_page.project
    folder = Path(project.folder) if project.folder else None
    dialog = window.open_build(folder, project.dockerfile)
    # The guide's next step is running the image: its Run dialog opens as soon as the build succeeds.
    dialog.run_after_box.setChecked(True)


def _run(window: MainWindow) -> None:
    reference = _project_reference(window)
    if reference is not None:
        window.open_run_dialog(reference)
        return
    window.show_page("images")
    _say(window, "Build your project first (the Build step), or pick an image here and press Run.")


def _watch(window: MainWindow) -> None:
    running = [row for row in window.learn_page.project_containers() if row.running]
    if running:
        window.show_container(running[0].id)
    else:
        window.show_page("monitor")
        _say(window, "None of your project's containers runs now: the Monitor shows all the others.")


def _containers(window: MainWindow) -> None:
    window.show_page("containers")
    ids = {row.id for row in window.learn_page.project_containers()}
    if ids:
        page = window.containers_page
        page.filter_edit.clear()
        page.select_keys(ids, key=lambda row: row.id)


def _tag_push(window: MainWindow) -> None:
    state = window.learn_page.state()
    named = checks.named_references(state)
    if named:
        window.open_push_dialog(named[0])
        return
    rows = [row for row in checks.project_images(state) if not row.dangling] or checks.project_images(state)
    window.show_page("images")
    if not rows:
        _say(window, "Build your project first (the Build step): then tag its image here.")
        return
    page = window.images_page
    page.filter_edit.clear()
    page.select_keys({rows[0].key}, key=lambda row: row.key)
    # The Tag dialog is modal: open it once this click is handled, not inside it.
    QTimer.singleShot(0, page.tag_selected)


def _editor(window: MainWindow) -> None:
    path = window.learn_page.project.dockerfile_path
    if path is not None and window.learn_page.gathered.facts.dockerfile_found:
        window.open_editor(path)
    else:
        window.open_wizard()
        _say(window, "Your project has no Dockerfile yet: the wizard writes one.")


_ROUTES = {
    "engine": lambda window: window.show_page("engine"),
    "pull": lambda window: window.open_pull(),
    "images": lambda window: window.show_page("images"),
    "wizard": _wizard,
    "build": _build,
    "run": _run,
    "watch": _watch,
    "containers": _containers,
    "tag-push": _tag_push,
    "editor": _editor,
}
