"""Containers: what runs on the engine, with start/stop/restart/remove, logs and inspect, grouped by compose project
on request (project_actions: a project's Up, Stop, Start, Down… and Logs)."""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QMessageBox

from gui.core.compose.projects import project_of
from gui.core.engine import actions
from gui.core.engine.exit_codes import StopOutcome, ignored_sigterm_advice, meaning
from gui.core.engine.rows import ContainerRow
from gui.core.errors import EngineError
from gui.core.monitor.keys import ContainerKey
from gui.models.lists import (
    CONTAINER_CREATED_COLUMN,
    CONTAINER_IMAGE_COLUMN,
    CONTAINER_PORTS_COLUMN,
    CONTAINER_PROJECT_COLUMN,
    CONTAINER_STATUS_COLUMN,
    USAGE_COLUMNS,
    ContainerUsage,
    containers_model,
)
from gui.views.containers.project_actions import ProjectActions
from gui.views.widgets import browser, feedback
from gui.views.widgets.fit_columns import ColumnFitter
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.link_delegate import LinkDelegate
from gui.views.widgets.list_page import ListPage
from gui.workers.session import EngineSession

if TYPE_CHECKING:
    from gui.workers.monitor.gpu_watch import GpuWatch
    from gui.workers.monitor.service import MonitorService

PORTS_COLUMN = CONTAINER_PORTS_COLUMN


@dataclass(frozen=True)
class _Stop:
    """A `docker stop` in flight: whom, since when (monotonic seconds), and how long Docker waits at most."""

    name: str
    started: float
    timeout: int


class ContainersPage(ListPage):
    logsRequested = Signal(object)  # ContainerRow
    inspectRequested = Signal(object)  # ContainerRow
    runAgainRequested = Signal(object)  # ContainerRow: reopen the Run dialog filled from it
    commandPasted = Signal(object)  # a PastedCommand: run it from the Run dialog, filled
    monitorRequested = Signal(object)  # ContainerRow: its live charts
    terminalRequested = Signal(object)  # ContainerRow: a shell in it
    filesRequested = Signal(object)  # ContainerRow: its files, to browse and copy in and out
    exportRequested = Signal(object)  # list[ContainerRow]: as compose.yaml and Kubernetes manifests
    deployRequested = Signal(object)  # ContainerRow: as a Swarm service

    def __init__(self, session: EngineSession, parent=None):
        super().__init__(
            "containers",
            containers_model(),
            "No containers yet.\nRun an image from the Images "
            "page, or start one with docker run in a terminal: it shows up here at once.",
            parent,
        )
        self.session = session
        self.monitor: MonitorService | None = None  # set_monitor() wires it; the usage columns stay empty till then
        self.gpu_watch: GpuWatch | None = None  # set_gpu_watch() wires it: GPU-use states and Check GPU inside
        self.model.setParent(self)
        self.link_delegate = LinkDelegate(self.table)
        self.table.setItemDelegateForColumn(PORTS_COLUMN, self.link_delegate)

        self.start_action = self.add_action("Start", self.start_selected, "Ctrl+Shift+S")
        self.stop_action = self.add_action("Stop", self.stop_selected, "Ctrl+Shift+X")
        self.restart_action = self.add_action("Restart", self.restart_selected, "Ctrl+Shift+R")
        self.add_separator()
        self.logs_action = self.add_action("Logs", self.open_logs, "Ctrl+L")
        self.terminal_action = self.add_action(
            "Terminal", self.open_terminal, "Ctrl+Shift+E", tip="A shell in the running container (docker exec -it)"
        )
        self.files_action = self.add_action(
            "Files",
            self.open_files,
            "Ctrl+Shift+F",
            tip="Browse the container's files, running or stopped; copy files in and out (docker cp)",
        )
        self.inspect_action = self.add_action("Inspect", self.inspect, "Ctrl+I")
        self.monitor_action = self.add_action(
            "Usage", self.open_monitor, "Ctrl+M", tip="Live CPU, memory, network, disk and GPU charts of the container"
        )
        self.gpu_check_action = self.add_action(
            "Check GPU inside",
            self.check_gpu_inside,
            tip="Look inside the running container for why it does not use the GPU it was given (docker exec)",
        )
        self.toolbar.removeAction(self.gpu_check_action)  # in the context menu only: it is for a few containers
        self.browser_action = self.add_action(
            "Open in browser",
            self.open_in_browser,
            "Ctrl+Shift+O",
            tip="Open the container's first published port in your browser",
        )
        self.export_action = self.add_action(
            "Export…",
            self.export_selected,
            tip="The selected containers as a compose.yaml, or one as Kubernetes manifests, read back and checked",
        )
        self.deploy_action = self.add_action(
            "Deploy as service…",
            self.deploy_selected,
            tip="Run the container's settings as a Docker Swarm service: replicas, placement, limits",
        )
        for action in (self.export_action, self.deploy_action):
            self.toolbar.removeAction(action)  # in the context menu and the Actions menu
        self.run_again_action = self.add_action(
            "Run again with changes…",
            self.run_again,
            "Ctrl+Shift+N",
            tip="Open the Run dialog filled with this container's settings",
        )
        self.run_command_action = self.add_action(
            "Run from a command…",
            self.run_from_command,
            tip="Paste a docker run command, from an image's documentation say, and run it from a filled Run form",
            needs_selection=False,
        )
        self.add_separator()
        self.remove_action = self.add_action("Remove", self.remove_selected, QKeySequence.StandardKey.Delete)
        # The project the selection shares: its menu, in the context menu and the Actions menu (toolbar).
        self.projects = ProjectActions(self)
        self.add_separator()
        self.projects.add_to_toolbar()
        self._context_actions.append(self.projects.menu_action)

        self.show_all = QCheckBox("Show stopped containers", self)
        self.show_all.setObjectName("show-all")
        self.show_all.setChecked(True)
        self.show_all.setToolTip("Like docker ps --all. Unchecked: only running containers, like docker ps.")
        self.show_all.toggled.connect(lambda checked: self.proxy.set_running_only(not checked))
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.show_all)
        self.group_by_project = QCheckBox("Group by project", self)
        self.group_by_project.setObjectName("group-by-project")
        self.group_by_project.setToolTip(
            "Keep each compose project's containers together (docker compose ps), projects by name, "
            "containers of no project last"
        )
        self.group_by_project.toggled.connect(self._group_toggled)
        self.toolbar.addWidget(self.group_by_project)

        self.set_column_widths([22, 14, 26, 9, 17, 24, 14, 13, 13, 30])
        self.set_stretch_column(CONTAINER_IMAGE_COLUMN)  # the image: long names (a registry, a path, a tag)
        # Sorting by another column ends the grouping; sorting by Project (its key: project, then name) is grouping.
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_changed)
        # Status ("Exited (137) About a minute ago") and Created are never cut off: they size to their text.
        self.fitter = ColumnFitter(self.table, (CONTAINER_STATUS_COLUMN, CONTAINER_CREATED_COLUMN))
        # Stops in flight by container id; a second each, the status bar says how long they have waited.
        self._stops: dict[str, _Stop] = {}
        self._stop_ticker = QTimer(self, interval=1000, timeout=self._report_stops)
        self.table.doubleClicked.connect(lambda _index: self.open_logs())
        self.selectionChanged.connect(self._update_actions)
        session.snapshotChanged.connect(self._show_containers)
        self.model.dataChanged.connect(lambda *_: self._update_actions())
        self._show_containers_of_projects()
        self._update_actions()

    def _show_containers(self, snapshot) -> None:
        self.model.set_rows(snapshot.containers)
        self._show_containers_of_projects()
        self.projects.update()  # a project's counts changed, not the selection

    def _show_containers_of_projects(self) -> None:
        """The Project column shows only while some container belongs to a compose project."""
        has_projects = any(project_of(row) for row in self.model.rows)
        self.table.setColumnHidden(CONTAINER_PROJECT_COLUMN, not has_projects)

    def _group_toggled(self, grouped: bool) -> None:
        if grouped:
            self.table.sortByColumn(CONTAINER_PROJECT_COLUMN, Qt.SortOrder.AscendingOrder)
        elif self.table.horizontalHeader().sortIndicatorSection() == CONTAINER_PROJECT_COLUMN:
            self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # back to the default: by name

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        grouped = column == CONTAINER_PROJECT_COLUMN and order == Qt.SortOrder.AscendingOrder
        if grouped != self.group_by_project.isChecked():
            self.group_by_project.blockSignals(True)  # follows the header; no second sort
            self.group_by_project.setChecked(grouped)
            self.group_by_project.blockSignals(False)

    # Selection-dependent state -------------------------------------------------------------------

    def _names(self, rows: list[ContainerRow]) -> list[str]:
        return [row.name for row in rows]

    def _update_actions(self) -> None:
        rows = self.selected_rows()
        stopped = [r for r in rows if not r.running]
        # A container already stopping cannot be stopped (or restarted) again until Docker answers.
        running = [r for r in rows if r.running and r.id not in self._stops]
        self._enable(self.start_action, stopped, "docker start")
        self._enable(self.stop_action, running, "docker stop")
        self._enable(self.restart_action, running, "docker restart")
        self._enable(self.remove_action, rows, "docker rm")
        single = rows[:1] if len(rows) == 1 else []
        self._enable(self.logs_action, single, "docker logs --follow")
        self._enable(self.terminal_action, [r for r in single if r.running], "docker exec -it")
        self._enable(self.files_action, single, "docker cp")
        self._enable(self.export_action, rows, "docker compose")
        self._enable(self.deploy_action, single, "docker service create")
        self._enable(self.inspect_action, single, "docker container inspect")
        self._enable(self.run_again_action, single, "docker container inspect")
        self._enable(self.monitor_action, single, "docker stats")
        watch = self.gpu_watch
        given = [r for r in single if r.state == "running" and watch is not None and watch.grant(r.id) is not None]
        self._enable(self.gpu_check_action, given, "docker exec")
        self.projects.update()
        url = single[0].browser_url if single else None
        self.browser_action.setEnabled(url is not None)
        self.browser_action.setToolTip(
            f"Open in browser\n{url}" if url else "Open in browser\n(the selected container publishes no TCP port)"
        )

    def _enable(self, action, rows: list[ContainerRow], command: str) -> None:
        action.setEnabled(bool(rows) and self.session.connected)
        base = action.text()
        # The tooltip teaches the command the click stands for.
        action.setToolTip(f"{base}\n{command} {shlex.join(self._names(rows))}" if rows else base)

    # Actions -------------------------------------------------------------------------------------

    def _perform_each(self, rows: list[ContainerRow], make) -> None:
        for row in rows:
            action = make(row)
            self.session.perform(action, on_error=lambda error, a=action: self._failed(a, error))

    def _failed(self, action: actions.Action, error: EngineError) -> None:
        feedback.show_error(self, f"Could not {action.description}", error)

    def start_selected(self) -> None:
        self._perform_each(
            [r for r in self.selected_rows() if not r.running], lambda row: actions.StartContainer(row.name)
        )

    def stop_selected(self) -> None:
        for row in self.selected_rows():
            if row.running and row.id not in self._stops:
                self._stop(row)

    def _stop(self, row: ContainerRow) -> None:
        action = actions.StopContainer(row.name)
        started = self.session.perform(
            action,
            on_done=while_alive(self, lambda outcome: self._stop_ended(row, outcome)),
            on_error=while_alive(self, lambda error: self._stop_failed(row, action, error)),
        )
        if not started:
            return
        self._stops[row.id] = _Stop(row.name, time.monotonic(), action.timeout)
        self.model.set_stopping(row.id, action.timeout)
        self._report_stops()
        self._stop_ticker.start()
        self._update_actions()

    def _forget_stop(self, row: ContainerRow) -> None:
        self._stops.pop(row.id, None)
        self.model.set_stopping(row.id, None)
        if not self._stops:
            self._stop_ticker.stop()
        self._update_actions()

    def _report_stops(self) -> None:
        """Progress in the status bar: each stop in flight and how long of its timeout it has waited."""
        now = time.monotonic()
        parts = [
            f"Stopping {stop.name}: {min(int(now - stop.started), stop.timeout)} of up to {stop.timeout} s…"
            for stop in self._stops.values()
        ]
        if parts:
            self.message.emit("  ".join(parts))

    def _stop_ended(self, row: ContainerRow, outcome: object) -> None:
        self._forget_stop(row)
        if not isinstance(outcome, StopOutcome) or outcome.exit_code is None:
            self.message.emit(f"Stopped {row.name}.")
            return
        self.message.emit(f"Stopped {row.name}. {meaning(outcome.exit_code)}")
        if outcome.ignored_sigterm:
            self._explain_forced_stop(row.name, outcome.timeout)

    def _stop_failed(self, row: ContainerRow, action: actions.Action, error: EngineError) -> None:
        self._forget_stop(row)
        self._failed(action, error)

    def _explain_forced_stop(self, name: str, timeout: int) -> None:
        """Why the stop took the whole wait and ended in 137, and how to make the container stop at once."""
        why, fix = ignored_sigterm_advice(name, timeout)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            f"Why stopping {name} took {timeout} seconds",
            why,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("forced-stop-advice")
        box.setInformativeText(fix)
        box.open()

    def restart_selected(self) -> None:
        self._perform_each(
            [r for r in self.selected_rows() if r.running], lambda row: actions.RestartContainer(row.name)
        )

    def remove_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        running = [r for r in rows if r.running]
        names = ", ".join(self._names(rows))
        text = f"Remove {len(rows)} container(s): {names}?"
        if running:
            text += f"\n{len(running)} of them are running and will be stopped first (killed)."
        preview = actions.RemoveContainer(rows[0].name, force=bool(running)).command
        confirmed, volumes = feedback.confirm(
            self,
            "Remove containers",
            text,
            preview + (" …" if len(rows) > 1 else ""),
            "Remove",
            option="Also remove their anonymous volumes (docker rm --volumes)",
        )
        if confirmed:
            self._perform_each(rows, lambda row: actions.RemoveContainer(row.name, volumes=volumes, force=row.running))

    def open_logs(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.logsRequested.emit(rows[0])

    def open_terminal(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1 and rows[0].running:
            self.terminalRequested.emit(rows[0])

    def deploy_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.deployRequested.emit(rows[0])

    def export_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.exportRequested.emit(rows)

    def open_files(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.filesRequested.emit(rows[0])

    def inspect(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.inspectRequested.emit(rows[0])

    def open_monitor(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.monitorRequested.emit(rows[0])

    def check_gpu_inside(self) -> None:
        from gui.views.monitor.gpu_check_view import show_report_box

        rows = self.selected_rows()
        if len(rows) == 1 and self.gpu_watch is not None:
            self.message.emit(f"Looking inside {rows[0].name} for its GPU…")
            self.gpu_watch.check_inside(
                rows[0],
                while_alive(self, lambda report: show_report_box(self, report)),
                while_alive(self, lambda error: feedback.show_error(self, "Could not check inside", error)),
            )

    def run_from_command(self) -> None:
        from gui.views.run.paste_dialog import ask_for_command  # only when asked: start-up stays quick

        ask_for_command(self, self.commandPasted.emit)

    def run_again(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.runAgainRequested.emit(rows[0])

    def open_in_browser(self) -> None:
        rows = self.selected_rows()
        url = rows[0].browser_url if len(rows) == 1 else None
        if url:
            browser.open_in_browser(self, url)

    # Live figures --------------------------------------------------------------------------------

    SPARK_POINTS = 30  # the last half minute at 1 Hz

    def set_monitor(self, monitor: MonitorService) -> None:
        """Show CPU, memory and GPU memory from the Monitor service, with sparklines of the last seconds."""
        from gui.views.widgets.sparkline_delegate import SparklineDelegate

        self.monitor = monitor
        for column in range(USAGE_COLUMNS[0], USAGE_COLUMNS[0] + 2):
            self.table.setItemDelegateForColumn(column, SparklineDelegate(self.table))
        self.table.setColumnHidden(USAGE_COLUMNS[1], True)  # until the first GPU sample says there are GPUs
        monitor.updated.connect(self._show_usage)

    def _show_usage(self) -> None:
        if not self.isVisible():
            return  # nobody looks: skip the repaint work; the service keeps the history
        book = self.monitor.book
        usage = {}
        for container_id, stats in self.monitor.containers.items():
            gpu = self.monitor.gpu_use.get(container_id)
            key = ContainerKey(container_id)
            usage[container_id] = ContainerUsage(
                stats.cpu_percent,
                stats.online_cpus,
                stats.memory_used,
                stats.memory_limit,
                gpu.gpu_memory if gpu else None,
                book.series(key, "cpu").recent(self.SPARK_POINTS),
                book.series(key, "memory").recent(self.SPARK_POINTS),
                self.gpu_watch.state(container_id) if self.gpu_watch is not None else None,
            )
        self.model.set_usage(usage)
        # GPU use only means something where there is an NVIDIA GPU, or a container was given one.
        gpus = self.monitor.gpus
        has_gpus = gpus is not None and gpus.available and bool(gpus.gpus)
        given = any(u.gpu_state is not None for u in usage.values())
        self.table.setColumnHidden(USAGE_COLUMNS[1], not (has_gpus or given))

    def set_gpu_watch(self, watch: GpuWatch) -> None:
        self.gpu_watch = watch
        watch.changed.connect(self._update_actions)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.monitor is not None:
            self._show_usage()

    # Settings ------------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        settings.setValue("containers/show_all", self.show_all.isChecked())

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        self.fitter.apply_modes()  # a header saved by an older version had them fixed
        self.show_all.setChecked(settings.value("containers/show_all", True, type=bool))
