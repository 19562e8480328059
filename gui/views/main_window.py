"""The main window: a sidebar of pages, the engine state in the status bar, the Commands panel."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.core.build.history import BuildHistory
from gui.core.engine import actions, inspect_summary
from gui.core.engine import help as engine_help
from gui.core.engine.connection import Diagnosis
from gui.core.engine.rows import ContainerRow, ImageRow
from gui.core.errors import EngineError, EngineGone
from gui.core.learn.store import FILE_NAME as LEARN_FILE_NAME
from gui.core.learn.store import LearnProgress, LearnStore
from gui.core.registry.credentials import CredentialVault
from gui.core.run.memory import RunMemory
from gui.core.settings import contexts
from gui.core.settings.preferences import load as load_preferences
from gui.views.build.builds_page import BuildsPage
from gui.views.commands_panel import CommandsPanel
from gui.views.container_windows import ContainerWindows
from gui.views.containers.containers_page import ContainersPage
from gui.views.containers.logs_window import LogsWindow
from gui.views.disk.disk_page import DiskPage
from gui.views.engine.engine_page import EnginePage
from gui.views.engine.engine_switcher import EngineSwitcher
from gui.views.images.images_page import ImagesPage
from gui.views.learn import routes as learn_routes
from gui.views.learn.learn_page import LearnPage
from gui.views.menus import Menus
from gui.views.monitor.container_usage import ContainerPage
from gui.views.monitor.monitor_page import MonitorPage
from gui.views.networks.networks_page import NetworksPage
from gui.views.registry.pull_dialog import PullDialog
from gui.views.registry.registries_page import RegistriesPage
from gui.views.settings.settings_page import SettingsPage
from gui.views.swarm.services_page import ServicesPage
from gui.views.volumes.volumes_page import VolumesPage
from gui.views.widgets import feedback
from gui.views.widgets.inspect_dialog import InspectDialog
from gui.views.widgets.placement import keep_on_screen, place_window
from gui.workers.build_runner import BuildRunner
from gui.workers.monitor.gpu_watch import GpuWatch
from gui.workers.monitor.service import MonitorService
from gui.workers.session import EngineSession

if TYPE_CHECKING:  # the wizard, editor and build dialog load on first use: a quicker first window
    from gui.core.run.spec import RunSpec
    from gui.views.build.build_dialog import BuildDialog
    from gui.views.dockerfile.editor import DockerfileEditor
    from gui.views.dockerfile.wizard import DockerfileWizard
    from gui.views.files.files_window import FilesWindow
    from gui.views.registry.push_dialog import PushDialog
    from gui.views.run.dialog import RunDialog
    from gui.views.terminal.terminal_window import TerminalWindow

PAGES = (
    "learn",
    "containers",
    "images",
    "volumes",
    "networks",
    "builds",
    "registries",
    "monitor",
    "disk",
    "engine",
    "services",
    "settings",
)
PAGE_TITLES = {
    "learn": "Learn",
    "containers": "Containers",
    "images": "Images",
    "volumes": "Volumes",
    "networks": "Networks",
    "builds": "Build",
    "registries": "Registries",
    "monitor": "Monitor",
    "disk": "Disk",
    "engine": "Engine",
    "services": "Services",
    "settings": "Settings",
}


class MainWindow(ContainerWindows, QMainWindow):
    def __init__(
        self,
        session: EngineSession,
        settings: QSettings | None = None,
        history: BuildHistory | None = None,
        run_memory: RunMemory | None = None,
        vault: CredentialVault | None = None,
        learn_store: LearnStore | None = None,
        parent=None,
    ):
        super().__init__(parent)
        self.setObjectName("main-window")
        self.setWindowTitle("Portside")
        self.session = session
        self.settings = settings or QSettings()
        self.vault = vault or CredentialVault()
        self.logs_windows: dict[str, LogsWindow] = {}
        self.files_windows: dict[str, FilesWindow] = {}  # "container ID" or "volume NAME": one window each
        self.terminal_windows: dict[str, TerminalWindow] = {}  # by container: a window of tabs each
        self.editors: dict[Path, DockerfileEditor] = {}
        self.build_dialog: BuildDialog | None = None
        self._dialogs: list = []
        self._sized_docks = False
        self._page_before_container = "containers"
        self._engine_error: QMessageBox | None = None  # the box of the last engine error, while it is open

        self.containers_page = ContainersPage(session, self)
        self.images_page = ImagesPage(session, self)
        self.history = history or BuildHistory()
        self.run_memory = run_memory or RunMemory()
        self.build_runner = BuildRunner(session, self.history, self)
        self.builds_page = BuildsPage(session, self.history, self)
        self.engine_page = EnginePage(self, session)
        self.registries_page = RegistriesPage(session, self.vault, self)
        self.monitor = MonitorService(session, parent=self)
        self.monitor_page = MonitorPage(self.monitor, self)
        self.container_page = ContainerPage(self.monitor, self)  # one container's charts, reached from the lists
        self.disk_page = DiskPage(session, self)
        self.volumes_page = VolumesPage(session, self)
        self.networks_page = NetworksPage(session, self)
        self.services_page = ServicesPage(session, self)
        self.settings_page = SettingsPage(self.settings, self)
        # Progress beside the build history (the user's data folder): a window given a history folder of its own
        # (tests, screenshots) keeps its own progress too.
        learn_store = learn_store or LearnStore(self.history.folder.parent / LEARN_FILE_NAME)
        self.learn_page = LearnPage(session, self.monitor, self.history, learn_store, self)
        self._start_pending = False  # connected before the Learn progress was read: the start page waits for it
        self._introduced = False  # Learn was opened as the first start's page (once: a reconnect goes to the lists)
        self.pages = {
            "learn": self.learn_page,
            "containers": self.containers_page,
            "images": self.images_page,
            "volumes": self.volumes_page,
            "networks": self.networks_page,
            "builds": self.builds_page,
            "registries": self.registries_page,
            "monitor": self.monitor_page,
            "disk": self.disk_page,
            "engine": self.engine_page,
            "services": self.services_page,
            "settings": self.settings_page,
        }

        self.stack = QStackedWidget(self)
        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Pages")
        for name in PAGES:
            self.stack.addWidget(self.pages[name])
            item = QListWidgetItem(PAGE_TITLES[name])
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.sidebar.addItem(item)
        self.stack.addWidget(self.container_page)
        self.sidebar.setFixedWidth(self.fontMetrics().horizontalAdvance("M") * 10)
        self.sidebar.setStyleSheet("QListWidget#sidebar::item { padding: 0.4em 0.6em; }")
        self.sidebar.currentRowChanged.connect(lambda row: row >= 0 and self.stack.setCurrentIndex(row))

        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(4, 4, 4, 0)
        self.engine_switcher = EngineSwitcher(self.settings, self)  # which engine every page acts on
        self.engine_switcher.setFixedWidth(self.sidebar.width())
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.engine_switcher)
        side.addWidget(self.sidebar, 1)
        layout.addLayout(side)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.commands = CommandsPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.commands)

        self.engine_label = QLabel(self)
        self.engine_label.setObjectName("engine-status")
        self.statusBar().addPermanentWidget(self.engine_label)
        self.menus = Menus(self)
        self._wire()
        self.engine_page.show_checking()
        self.show_page("engine")
        self._restore_settings()
        self.learn_page.load()
        # Dockerfile edits a stopped session never saved: offered once the window shows (nothing when none).
        from gui.views.dockerfile.recovery_dialog import offer_at_start

        offer_at_start(self, session.tasks, self.open_editor)

    # Wiring --------------------------------------------------------------------------------------

    def _wire(self) -> None:
        session = self.session
        session.diagnosisChanged.connect(self.on_diagnosis)
        session.commandIssued.connect(self.commands.add_command)  # with --context NAME while another engine is chosen
        session.actionFailed.connect(self._show_engine_error)
        session.snapshotChanged.connect(lambda _snapshot: self._engine_answers(lists_read=True))
        session.tasks.busyChanged.connect(self._show_busy)
        self.engine_page.checkRequested.connect(session.check)
        self.containers_page.logsRequested.connect(self.open_logs)
        self.containers_page.terminalRequested.connect(self.open_terminal)
        self.containers_page.filesRequested.connect(self.open_files)
        self.settings_page.engineChosen.connect(lambda _context: session.check())
        self.settings_page.engineChosen.connect(self.engine_switcher.show_chosen)
        self.engine_switcher.engineChosen.connect(lambda _context: session.check())
        self.engine_switcher.engineChosen.connect(self.settings_page.show_chosen)
        self.engine_switcher.settingsRequested.connect(lambda: self.show_page("settings"))
        self.engine_switcher.commandIssued.connect(self.commands.add_command)
        self.volumes_page.filesRequested.connect(self.open_volume_files)
        self.containers_page.inspectRequested.connect(self.inspect_container)
        self.containers_page.runAgainRequested.connect(self.run_again)
        self.containers_page.exportRequested.connect(self.export_containers)
        self.containers_page.deployRequested.connect(self.deploy_as_service)
        self.images_page.runRequested.connect(self.open_run_dialog)
        for page in (self.images_page, self.containers_page):
            page.commandPasted.connect(lambda pasted: self.open_run_dialog(pasted.spec.image).load_pasted(pasted))
        self.containers_page.monitorRequested.connect(lambda row: self.show_container(row.id))
        self.containers_page.set_monitor(self.monitor)
        self.gpu_watch = GpuWatch(session, self.monitor, self)  # which containers use the GPUs they were given
        for page in (self.containers_page, self.monitor_page, self.container_page):
            page.set_gpu_watch(self.gpu_watch)
        self.monitor_page.containerRequested.connect(self.show_container)
        self.container_page.backRequested.connect(lambda: self.show_page(self._page_before_container))
        self.monitor.start()
        self.images_page.inspectRequested.connect(self.inspect_image)
        self.images_page.pullRequested.connect(self.open_pull)
        self.images_page.pushRequested.connect(self.open_push_dialog)
        self.registries_page.accountsChanged.connect(self.images_page.set_accounts)
        self.builds_page.newDockerfileRequested.connect(self.open_wizard)
        self.builds_page.editDockerfileRequested.connect(self.open_editor)
        self.builds_page.buildRequested.connect(self._build_again)
        self.builds_page.showImageRequested.connect(self.show_image)
        self.builds_page.runRequested.connect(self.open_run_dialog)
        self.build_runner.finished.connect(lambda outcome: self.builds_page.add_record(outcome.record))
        self.build_runner.finished.connect(lambda _outcome: self.learn_page.refresh_soon())
        self.learn_page.actionRequested.connect(self.do_learn_action)
        self.learn_page.skipped.connect(self._learn_skipped)
        self.learn_page.loaded.connect(self._learn_loaded)
        pages_with_messages = (self.containers_page, self.images_page, self.volumes_page, self.networks_page)
        for page in (*pages_with_messages, self.builds_page, self.registries_page, self.disk_page):
            page.message.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def show_about(self) -> None:
        from gui.views.about_dialog import AboutDialog

        self.show_dialog(AboutDialog(self.session.diagnosis, self))

    def refresh_all(self) -> None:
        """View > Refresh: the engine's state, its lists and the sign-ins, read again."""
        self.session.check()
        self.session.refresh()
        self.registries_page.refresh()
        self.volumes_page.refresh()
        self.networks_page.refresh()

    # Pages ---------------------------------------------------------------------------------------

    def show_page(self, name: str) -> None:
        if self.sidebar.currentRow() == PAGES.index(name):
            self.stack.setCurrentIndex(PAGES.index(name))  # back from the container page
        self.sidebar.setCurrentRow(PAGES.index(name))

    @property
    def current_page(self) -> str:
        if self.stack.currentWidget() is self.container_page:
            return "container"
        return PAGES[self.stack.currentIndex()]

    def show_container(self, container_id: str) -> None:
        """One container's live charts; Back returns to the page it was opened from."""
        row = next((row for row in self.containers_page.model.rows if row.id == container_id), None)
        if row is None:
            return
        if self.current_page != "container":
            self._page_before_container = self.current_page
        self.container_page.show_container(row)
        self.stack.setCurrentWidget(self.container_page)

    def on_diagnosis(self, diagnosis: Diagnosis) -> None:
        context = diagnosis.endpoint.context or contexts.chosen()
        engine_name = context if context and context != "default" else "default engine"
        self.setWindowTitle(f"Portside — {engine_name}")  # which engine every page acts on
        self.monitor_page.show_engine_place(diagnosis.endpoint.host if diagnosis.endpoint.elsewhere else None)
        was_connected = self.engine_label.property("connected")
        self.engine_page.show_diagnosis(diagnosis)
        colour = self.engine_page.status_colour(diagnosis)
        self.engine_label.setText(f"<span style='color:{colour}'>●</span> {engine_help.status_line(diagnosis)}")
        self.engine_label.setProperty("connected", diagnosis.usable)
        # An engine on its way (a restart restores its containers first) gets a spinner, not "cannot be reached".
        self.engine_page.status_spinner(self.statusBar()).setVisible(diagnosis.starting)
        left_from = getattr(self, "_page_when_engine_left", None)  # the page the user was on when it went away
        if diagnosis.usable:
            self._page_when_engine_left = None
            self._engine_answers(lists_read=False)
            self.sweep_volume_helpers()
        # Builds stays open: writing and checking a Dockerfile needs no engine; its page disables Build itself.
        for page in ("containers", "images", "volumes", "networks", "monitor", "disk", "services"):
            self.sidebar.item(PAGES.index(page)).setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if diagnosis.usable
                else Qt.ItemFlag.NoItemFlags
            )
        if diagnosis.usable and not was_connected and self.current_page == "engine":
            # The engine answers (unless the user went to another page meanwhile): back to the page they were on
            # when it went away, not the one saved at start-up (issue 15). At start-up, or from the Learn page this
            # session opened as its introduction, the start page: the lists, not Learn again.
            if left_from == "container":
                left_from = self._page_before_container
            if left_from is None or (left_from == "learn" and self._introduced):
                self._open_start_page()
            elif left_from != "engine":
                self.show_page(left_from)
        elif not diagnosis.usable and was_connected is not False:
            # When the engine goes away, not at every retry: the user may be writing a Dockerfile.
            if was_connected:
                self._page_when_engine_left = self.current_page
            self.show_page("engine")
        self.containers_page._update_actions()

    def _open_start_page(self) -> None:
        """The engine answers: the page the user left, or the lists; Learn on the very first start."""
        saved = self.settings.value("window/page")
        if saved in PAGES and saved != "engine":
            self.show_page(saved)
            return
        progress = self.learn_page.progress
        if progress is None:  # read in a moment: _learn_loaded goes on from here
            self._start_pending = True
            return
        self._start_pending = False
        first_start = not progress.stored and not self._introduced
        self._introduced = self._introduced or first_start
        self.show_page("learn" if first_start else "containers")

    def _learn_loaded(self, _progress: LearnProgress) -> None:
        connected = self.session.diagnosis is not None and self.session.diagnosis.usable
        if self._start_pending and connected and self.current_page == "engine":
            self._open_start_page()

    def do_learn_action(self, action: str) -> None:
        """A Learn step's "Do it": the page or dialog that does the step (gui.views.learn.routes)."""
        learn_routes.route(self, action)

    def _learn_skipped(self) -> None:
        connected = self.session.diagnosis is not None and self.session.diagnosis.usable
        self.show_page("containers" if connected else "engine")

    def _show_engine_error(self, error: EngineError) -> None:
        """An engine error that no page handles itself (a refresh that failed, an action while disconnected).
        One box at a time, the latest error; it closes by itself once the engine answers again."""
        self._close_engine_error()
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Something went wrong", error.message, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("engine-error-box")
        box.setProperty("connection", isinstance(error, EngineGone))  # not connected, rather than a failed read
        if error.detail and error.detail != error.message:
            box.setDetailedText(f"The engine said:\n{error.detail}")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(lambda *_: setattr(self, "_engine_error", None) if self._engine_error is box else None)
        self._engine_error = box
        box.open()

    def _close_engine_error(self) -> None:
        box, self._engine_error = self._engine_error, None
        if box is not None and shiboken6.isValid(box):
            box.close()

    def _engine_answers(self, lists_read: bool) -> None:
        """The engine is fine again, so an engine error still on screen is out of date: a usable diagnosis ends a
        "not connected" error, a fresh list any engine error."""
        stale = [b for b in self.findChildren(QMessageBox, "error-box") if b.isVisible() and b.property("engine-gone")]
        box = self._engine_error
        if box is not None and shiboken6.isValid(box) and (lists_read or box.property("connection")):
            stale.append(box)
        if not stale:
            return
        for each in stale:
            if each is box:
                self._close_engine_error()
            else:
                each.close()  # a page's own "the engine stopped answering" box
        self.statusBar().showMessage("The Docker engine answers again.", 8000)

    def _show_busy(self, busy: bool) -> None:
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    # Windows and dialogs -------------------------------------------------------------------------

    def inspect_container(self, container: ContainerRow) -> None:
        action = actions.InspectContainer(container.name)
        self.session.perform(
            action,
            lambda data: self.show_dialog(
                InspectDialog(
                    f"Container {container.name}",
                    inspect_summary.container_summary(data),
                    data,
                    action.command,
                    parent=self,
                )
            ),
            lambda error: self._failed("Could not inspect the container", error),
        )

    def inspect_image(self, image: ImageRow) -> None:
        action = actions.InspectImage(image.id if image.dangling else image.reference)
        self.session.perform(
            action,
            lambda data: self.show_dialog(
                InspectDialog(
                    f"Image {image.reference}",
                    inspect_summary.image_summary(data["inspect"]),
                    data["inspect"],
                    action.command,
                    history=inspect_summary.history_rows(data["history"]),
                    parent=self,
                )
            ),
            lambda error: self._failed("Could not inspect the image", error),
        )

    def open_pull(self) -> None:
        self.show_dialog(PullDialog(self.session, self, vault=self.vault))

    def open_push_dialog(self, reference: str) -> PushDialog:
        from gui.views.registry.push_dialog import PushDialog

        dialog = PushDialog(self.session, self.vault, reference, self)
        dialog.signInRequested.connect(lambda registry: self._sign_in_for_push(dialog, registry))
        dialog.pushFinished.connect(lambda pushed: pushed and self.learn_page.remember_push(reference))
        self.show_dialog(dialog)
        return dialog

    def _sign_in_for_push(self, push_dialog: PushDialog, registry: str) -> None:
        # Over the push dialog that asked, which reads the new sign-in once it is made.
        sign_in = self.registries_page.open_sign_in(registry, push_dialog)
        sign_in.signedIn.connect(lambda _account: push_dialog.check_sign_in())

    # Dockerfiles and builds ----------------------------------------------------------------------

    def open_wizard(self, folder: Path | None = None) -> DockerfileWizard:
        from gui.views.dockerfile.wizard import DockerfileWizard

        wizard = DockerfileWizard(self.session, folder, self)
        wizard.written.connect(self._dockerfile_written)
        wizard.openExistingRequested.connect(self.open_editor)
        self.show_dialog(wizard)
        return wizard

    def _dockerfile_written(self, path: Path) -> None:
        self.statusBar().showMessage(f"Wrote {path}. Check it, then Build.", 8000)
        self.learn_page.remember_wizard_folder(Path(path).parent)
        self.open_editor(path)

    def open_editor(self, path: Path) -> DockerfileEditor:
        path = Path(path)
        editor = self.editors.get(path)
        if editor is None:
            from gui.views.dockerfile.editor import DockerfileEditor

            editor = DockerfileEditor(self.session, path)
            editor.setWindowFlag(Qt.WindowType.Window)
            editor.buildRequested.connect(lambda dockerfile: self.open_build(dockerfile.parent, dockerfile.name))
            editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            editor.destroyed.connect(lambda *_: self.editors.pop(path, None))
            editor.resize(editor.fontMetrics().averageCharWidth() * 170, editor.fontMetrics().height() * 48)
            editor.saved.connect(self.menus.recent.add)  # "Save As" writes another file: it is recent too
            place_window(editor, self)
            self.editors[path] = editor
        self.menus.recent.add(path)
        editor.show()
        editor.raise_()
        editor.activateWindow()
        return editor

    def open_build(self, context: Path | None = None, dockerfile: str = "Dockerfile", tags: str = "") -> BuildDialog:
        """One build dialog: it shows the build that runs, if any."""
        if self.build_dialog is None:
            from gui.views.build.build_dialog import BuildDialog

            self.build_dialog = BuildDialog(self.session, self.build_runner, context, dockerfile, tags, self)
            self.build_dialog.openDockerfileAt.connect(
                lambda path, line, message: self.open_editor(path).go_to_line(line, message)
            )
            self.build_dialog.runRequested.connect(self.open_run_dialog)
            place_window(self.build_dialog, self)
        elif context is not None and not self.build_runner.running:
            self.build_dialog.context_edit.setText(str(context))
            self.build_dialog.dockerfile_edit.setText(dockerfile)
            if tags:
                self.build_dialog.tags_edit.setText(tags)
        self.build_dialog.show()
        self.build_dialog.raise_()
        return self.build_dialog

    def _build_again(self, record) -> None:
        if record is None:
            self.open_build()
        else:
            self.open_build(Path(record.context), record.dockerfile, " ".join(record.tags))

    # Running containers ---------------------------------------------------------------------------

    def open_run_dialog(self, image: str, initial: RunSpec | None = None) -> RunDialog:
        """The Run dialog for an image; `initial` fills it (run again with changes)."""
        from gui.core.export.common import export_name
        from gui.views.run.dialog import RunDialog

        preferences, _problems = load_preferences(self.settings)  # the Settings page shows the problems
        dialog = RunDialog(
            self.session, image, initial, self.run_memory, self, monitor=self.monitor, preferences=preferences
        )
        dialog.started.connect(lambda container_id, _spec: self._show_started(container_id, dialog.open_logs_after))
        dialog.exportRequested.connect(lambda spec: self.show_export([(export_name(spec), spec)]))
        self.show_dialog(dialog)
        return dialog

    def run_again(self, container: ContainerRow) -> None:
        """Reopen the Run dialog filled from a container's inspect data, to run it again with changes."""
        from gui.core.run.from_inspect import read_spec

        self.session.run(
            lambda engine: read_spec(engine.api, container.id),
            lambda spec: self.open_run_dialog(spec.image, spec),
            lambda error: self._failed("Could not read the container's settings", error),
        )

    def _show_started(self, container_id: str, open_logs: bool = False) -> None:
        """Show the new container selected in Containers, and its log when asked."""
        self.show_page("containers")
        page = self.containers_page

        def select_when_listed(_snapshot=None):
            row = next((row for row in page.model.rows if row.id == container_id), None)
            if row is None:
                return
            self.session.snapshotChanged.disconnect(select_when_listed)
            page.filter_edit.clear()
            page.select_keys({container_id}, key=lambda candidate: candidate.id)
            url = row.browser_url
            where = f" It answers at {url} (Open in browser)." if url else ""
            self.statusBar().showMessage(f"Started {row.name}.{where}", 15000)
            if open_logs:
                self.open_logs(row)

        self.session.snapshotChanged.connect(select_when_listed)
        select_when_listed()

    def show_image(self, image_id: str) -> None:
        self.show_page("images")
        self.images_page.filter_edit.clear()
        self.images_page.select_keys({image_id}, key=lambda row: row.id)

    def show_dialog(self, dialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        place_window(dialog, self)
        dialog.show()

    def _failed(self, title: str, error: EngineError) -> None:
        feedback.show_error(self, title, error)

    # Settings ------------------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 190, metrics.height() * 46)

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
            keep_on_screen(self)  # saved on a monitor that is gone, or a larger screen
        else:
            self.resize(self.sizeHint())
            place_window(self)  # centred on the screen, no larger than it
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        for page in (self.containers_page, self.images_page, self.builds_page):
            page.restore_state(self.settings)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        if self.current_page not in ("engine", "container"):
            self.settings.setValue("window/page", self.current_page)
        for page in (self.containers_page, self.images_page, self.builds_page):
            page.save_state(self.settings)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.settings.value("window/state") is None and not self._sized_docks:
            # The lists matter most: the panel starts a few lines tall (it only sizes once shown).
            self._sized_docks = True
            QTimer.singleShot(
                0, lambda: self.resizeDocks([self.commands], [self.fontMetrics().height() * 8], Qt.Orientation.Vertical)
            )

    def closeEvent(self, event) -> None:
        # Unsaved Dockerfile edits: each editor asks (Save / Discard / Cancel).
        if not all(editor.maybe_close() for editor in list(self.editors.values())):
            event.ignore()
            return
        for editor in list(self.editors.values()):
            editor.close()
        if self.build_runner.running:
            self.build_runner.cancel()
        self.build_runner.dispose()
        self.monitor.stop()
        self.save_settings()
        self.close_container_windows()
        super().closeEvent(event)
