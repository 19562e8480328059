"""A compose project's logs in one window, as `docker compose -p P logs --follow` shows them (issue 19): one
follower per container (gui.workers.log_follower, so each keeps following across restarts), each line prefixed
with its service, "web | ", padded to the longest, and the lines interleaved in the order they arrive."""

from __future__ import annotations

import shlex

from PySide6.QtCore import Qt, Signal

from gui.core.compose.projects import ComposeProject, service_of
from gui.core.engine.rows import ContainerRow
from gui.views.containers.logs_window import TAIL_LINES, LogWindowFrame
from gui.views.widgets.engine_command import for_engine
from gui.workers.log_follower import LogFollower
from gui.workers.session import EngineSession


def prefixes(containers: tuple[ContainerRow, ...]) -> dict[str, str]:
    """Each container's prefix by id: its service, or its own name where the service is unknown or shared (a
    scaled service has several containers), padded so the bars line up."""
    services = [service_of(row) for row in containers]
    names = {
        row.id: service if service and services.count(service) == 1 else row.name
        for row, service in zip(containers, services)
    }
    width = max(map(len, names.values()), default=0)
    return {key: f"{name:<{width}} | " for key, name in names.items()}


class ProjectLogsWindow(LogWindowFrame):
    closed = Signal(str)  # project name

    def __init__(self, session: EngineSession, project: ComposeProject, parent=None):
        super().__init__(session, f"Logs of project {project.name}", project.name, "docker compose logs", parent)
        self.setObjectName("project-logs-window")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # its parent, the page, lives on
        self.project = project
        self._statuses: dict[str, str] = {}  # the prefix's name: what its follower last said
        prefix_of = prefixes(project.containers)
        self.followers = [self._follower(row, prefix_of[row.id]) for row in project.containers]
        self.status_label.setWordWrap(True)  # one status per container
        self.resize(self.fontMetrics().averageCharWidth() * 130, self.fontMetrics().height() * 40)
        self.restart()

    def _follower(self, row: ContainerRow, prefix: str) -> LogFollower:
        follower = LogFollower(self.session, row.id, row.name, TAIL_LINES, max_pending=self.view.max_lines, parent=self)
        # Each batch goes to the view as it arrives: the followers' lines interleave in arrival order.
        follower.lines.connect(lambda lines: self.view.append_lines(prefix + line for line in lines))
        name = prefix.split("|")[0].strip()
        follower.status.connect(lambda text: self._show_status(name, text))
        return follower

    @property
    def command(self) -> str:
        """The compose command the shown log equals."""
        flags = ["--follow", "--tail", str(TAIL_LINES)] + (["--timestamps"] if self.timestamps_box.isChecked() else [])
        return shlex.join(["docker", "compose", "-p", self.project.name, "logs", *flags])

    def restart(self) -> None:
        """A fresh log from the engine: each container's last lines again, with or without timestamps."""
        self.view.clear_log()
        self._statuses.clear()
        self.command_label.setText(for_engine(self.command))
        for follower in self.followers:
            follower.start(timestamps=self.timestamps_box.isChecked())

    def _show_status(self, name: str, text: str) -> None:
        """One status line for the project: each container's own say, by its prefix."""
        self._statuses[name] = text
        self.status_label.setText(" · ".join(f"{key}: {value}" for key, value in self._statuses.items()))

    @property
    def following(self) -> bool:
        return any(follower.following for follower in self.followers)

    def stop(self) -> None:
        for follower in self.followers:
            follower.stop()

    def closeEvent(self, event) -> None:
        self.stop()
        self.closed.emit(self.project.name)
        super().closeEvent(event)
