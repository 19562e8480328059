"""A compose project's actions on the Containers page: Up, Stop, Start, Down… and Logs for the project the selected
containers share, in one "Project P" menu (context menu, toolbar and Actions menu), each with its compose command."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton

from gui.core.compose import actions as compose
from gui.core.compose.projects import ComposeProject, project_named, shared_project
from gui.core.errors import EngineError
from gui.views.widgets import feedback
from gui.views.widgets.lifetime import while_alive

if TYPE_CHECKING:
    from gui.views.containers.containers_page import ContainersPage
    from gui.views.containers.project_logs_window import ProjectLogsWindow


def _names(names) -> str:
    return ", ".join(names) or "none"


class ProjectActions(QObject):
    def __init__(self, page: ContainersPage):
        super().__init__(page)
        self.page = page
        self.menu = QMenu("Project", page)
        self.menu.setObjectName("project-menu")
        self.menu_action = self.menu.menuAction()
        self.up_action = self._add("Up", self.up, "Create and start the project's containers from its compose files")
        self.stop_action = self._add("Stop", self.stop, "Stop every running container of the project")
        self.start_action = self._add("Start", self.start, "Start every stopped container of the project")
        self.down_action = self._add(
            "Down…", self.down, "Stop and remove the project's containers and networks; its volumes are kept"
        )
        self.logs_action = self._add(
            "Logs", self.logs, "Open the project's logs: every container's lines in one window"
        )
        self.project: ComposeProject | None = None
        self.logs_windows: dict[str, ProjectLogsWindow] = {}  # by project name: one window each
        self.update()

    def _add(self, text: str, slot, tip: str) -> QAction:
        action = self.menu.addAction(text)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def add_to_toolbar(self) -> None:
        self.page.toolbar.addAction(self.menu_action)
        button = self.page.toolbar.widgetForAction(self.menu_action)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

    # State ---------------------------------------------------------------------------------------

    def update(self) -> None:
        """Shows the menu when the selected containers share one project, named and enabled for what it can do."""
        name = shared_project(self.page.selected_rows())
        self.project = project_named(self.page.model.rows, name) if name else None
        project = self.project
        # Always in the toolbar and the Actions menu (reachable by keyboard), enabled for a shared project; in the
        # context menu (ListPage shows the actions that need a selection) only when it applies.
        self.menu_action.setProperty("needs_selection", project is not None)
        self.menu_action.setEnabled(project is not None)
        if project is None:
            self.menu.setTitle("Project")
            self.menu_action.setToolTip("Select containers of one compose project for the project's actions")
            return
        connected = self.page.session.connected
        self.menu.setTitle(f"Project {project.name}")
        self.menu_action.setToolTip(
            f"Compose project {project.name}: {project.counts_text}\nServices: {_names(project.services)}"
        )
        commands = {
            self.up_action: self._up_spec(project).command,
            self.stop_action: compose.ProjectStop(project.name).command,
            self.start_action: compose.ProjectStart(project.name).command,
            self.down_action: f"docker compose -p {project.name} down",
            self.logs_action: f"docker compose -p {project.name} logs --follow",
        }
        enabled = {
            self.stop_action: project.running > 0,
            self.start_action: project.running < project.total,
        }
        for action, command in commands.items():
            action.setEnabled(connected and enabled.get(action, True))
            action.setToolTip(f"{action.statusTip()}\n{command}")
        self.menu.setToolTipsVisible(True)

    @staticmethod
    def _up_spec(project: ComposeProject) -> compose.ProjectUp:
        return compose.ProjectUp(project.name, project.working_dir, project.config_files)

    # Actions -------------------------------------------------------------------------------------

    def _perform(self, action: compose.ProjectAction, doing: str, done) -> None:
        page = self.page
        if page.session.perform(
            action,
            on_done=while_alive(page, done),
            on_error=while_alive(page, lambda error: self._failed(action, error)),
        ):
            page.message.emit(f"{doing} {action.project}…")

    def _failed(self, action: compose.ProjectAction, error: EngineError) -> None:
        feedback.show_error(self.page, f"Could not {action.description}", error)

    def up(self) -> None:
        if self.project is not None:
            name = self.project.name
            self._perform(
                self._up_spec(self.project), "Bringing up", lambda _out: self.page.message.emit(f"{name} is up.")
            )

    def stop(self) -> None:
        if self.project is not None:
            name = self.project.name
            self._perform(
                compose.ProjectStop(name),
                "Stopping",
                lambda stopped: self.page.message.emit(f"Stopped {name}: {_names(stopped)}."),
            )

    def start(self) -> None:
        if self.project is not None:
            name = self.project.name
            self._perform(
                compose.ProjectStart(name),
                "Starting",
                lambda started: self.page.message.emit(f"Started {name}: {_names(started)}."),
            )

    def down(self) -> None:
        """Reads exactly what goes from the engine first (its networks are not in the list), then asks."""
        if self.project is None:
            return
        name, page = self.project.name, self.page
        page.session.run(
            lambda engine: compose.down_plan(engine.api, name),
            on_done=while_alive(page, self._confirm_down),
            on_error=while_alive(page, lambda error: feedback.show_error(page, f"Could not read {name}", error)),
        )

    def _confirm_down(self, plan: compose.DownPlan) -> None:
        action = compose.ProjectDown.of(plan)
        text = (
            f"Take down the compose project {plan.project}?\n"
            f"These containers are stopped and removed: {_names(plan.containers)}.\n"
            f"These networks are removed: {_names(plan.networks)}.\n"
            "Its volumes are kept, with their data."
        )
        confirmed, _ = feedback.confirm(self.page, f"Take down {plan.project}", text, action.command, "Down")
        if confirmed:
            self._perform(action, "Taking down", lambda _plan: self.page.message.emit(f"{plan.project} is down."))

    def logs(self) -> None:
        """One window with the logs of every container of the project, as `docker compose logs` shows them."""
        if self.project is None:
            return
        window = self.logs_windows.get(self.project.name)
        if window is None:
            from gui.views.containers.project_logs_window import ProjectLogsWindow  # when asked

            window = ProjectLogsWindow(self.page.session, self.project, self.page)
            window.closed.connect(lambda name: self.logs_windows.pop(name, None))
            self.logs_windows[self.project.name] = window
        window.show()
        window.raise_()
        window.activateWindow()
