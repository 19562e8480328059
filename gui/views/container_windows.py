"""The windows a container or volume opens beside the main window (logs, terminals, files): one per container (a
terminal window gains a tab when asked again), placed beside the main window, all closed with it. A mixin of the
main window, which gives `session`, `commands` (the Commands panel) and `_failed`."""

from __future__ import annotations

from gui.core.engine.rows import ContainerRow
from gui.views.containers.logs_window import LogsWindow
from gui.views.widgets.placement import bring_up, place_window


class ContainerWindows:
    logs_windows: dict
    terminal_windows: dict
    files_windows: dict

    def open_logs(self, container: ContainerRow) -> None:
        window = self.logs_windows.get(container.id)
        if window is None:
            window = LogsWindow(self.session, container)
            window.closed.connect(lambda container_id: self.logs_windows.pop(container_id, None))
            self.logs_windows[container.id] = window
            place_window(window, self)
        bring_up(window)

    def open_terminal(self, container: ContainerRow) -> None:
        """The container's terminal window: a new tab in it when it is open already (several shells at once)."""
        from gui.views.terminal.terminal_window import TerminalWindow  # only when asked: start-up stays quick

        window = self.terminal_windows.get(container.id)
        if window is None:
            window = TerminalWindow(self.session, container)
            window.closed.connect(lambda container_id: self.terminal_windows.pop(container_id, None))
            self.terminal_windows[container.id] = window
            place_window(window, self)
        else:
            window.new_tab()
        bring_up(window)

    def open_files(self, container: ContainerRow) -> None:
        """The container's Files window (running or stopped): one per container, brought up when open already."""
        from gui.core.files.backend import ContainerFiles  # only when asked: start-up stays quick

        key = f"container {container.id}"
        if not self._bring_up_files(key) and self.session.engine is not None:
            self._show_files(key, ContainerFiles(self.session.engine, container.id, container.name, container.running))

    def open_volume_files(self, volume: str) -> None:
        """A volume's Files window, through a helper container made for it off the GUI thread (removed on close)."""
        from gui.core.files.backend import VolumeFiles

        key = f"volume {volume}"
        if not self._bring_up_files(key):
            self.session.run(
                lambda engine: VolumeFiles.open(engine, volume),
                lambda backend: self._show_files(key, backend),
                lambda error: self._failed(f"Could not open the files of the volume {volume}", error),
            )

    def _bring_up_files(self, key: str) -> bool:
        window = self.files_windows.get(key)
        if window is not None:
            bring_up(window)
        return window is not None

    def _show_files(self, key: str, backend) -> None:
        from gui.views.files.files_window import FilesWindow

        if self._bring_up_files(key):  # asked twice while the helper container was being made
            self.session.tasks.submit(backend.close)
            return
        window = FilesWindow(backend)
        window.commandIssued.connect(self.commands.add_command)
        window.closed.connect(lambda: self.files_windows.pop(key, None))
        self.files_windows[key] = window
        place_window(window, self)
        bring_up(window)

    def export_containers(self, containers: list[ContainerRow]) -> None:
        """The Export window for the selected containers, from their settings read off the GUI thread."""

        def read(engine):
            from gui.core.run.from_inspect import read_spec

            return [(container.name, read_spec(engine.api, container.id)) for container in containers]

        self.session.run(read, self.show_export, lambda error: self._failed("Could not read the settings", error))

    def show_export(self, items: list) -> None:
        """Compose and Kubernetes files for these (name, RunSpec) pairs, in a window of their own."""
        from gui.views.export.export_window import ExportWindow  # only when asked: start-up stays quick

        window = ExportWindow(items, self, tasks=self.session.tasks)
        place_window(window, self)
        bring_up(window)

    def deploy_as_service(self, container: ContainerRow) -> None:
        """The Deploy as service dialog, filled from the container's settings (read off the GUI thread)."""

        def read(engine):
            from gui.core.run.from_inspect import read_spec

            return read_spec(engine.api, container.id)

        def show(spec) -> None:
            from gui.views.swarm.deploy_dialog import DeployDialog

            dialog = DeployDialog(spec, self.session, self)
            dialog.deployed.connect(
                lambda sentence: (self.statusBar().showMessage(sentence, 8000), self.show_page("services"))
            )
            self.show_dialog(dialog)

        self.session.run(read, show, lambda error: self._failed("Could not read the container's settings", error))

    def sweep_volume_helpers(self) -> None:
        """Once per run, on the first connection: the helper containers a crash left behind (a Files window of a
        volume removes its own when it closes)."""
        if getattr(self, "_helpers_swept", False):
            return
        self._helpers_swept = True

        def sweep(engine):
            from gui.core.files.volume_helper import remove_leftover_helpers

            return remove_leftover_helpers(engine)

        self.session.run(sweep, None, lambda _error: None)  # a sweep that fails is tried at the next start

    def close_container_windows(self) -> None:
        for window in [*self.logs_windows.values(), *self.terminal_windows.values(), *self.files_windows.values()]:
            window.close()
