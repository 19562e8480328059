"""Run a container from an image: `docker run` as a form, checked as you type, with the exact command shown.

The dialog never talks to the engine or the disk itself: reading the image and the host (RunContext), the
remembered settings (RunMemory) and .env files all happen in the session's workers, and so does the run.
An engine error is shown inside the dialog, and the form keeps everything the user typed."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QMenu,
    QPushButton,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.errors import EngineError
from gui.core.run.command_line import PastedCommand
from gui.core.run.context import RunContext, default_spec, gpu_unavailable_reason, load_context, preflight
from gui.core.run.envfile import read_env_file
from gui.core.run.memory import Recalled, RunMemory
from gui.core.run.spec import Problem, RunContainer, RunSpec, suggest_name
from gui.core.settings.new_runs import with_preferences
from gui.core.settings.preferences import Preferences
from gui.views.run.command_preview import CommandPreview
from gui.views.run.form_sections import AdvancedSection, GeneralSection, ResourcesSection
from gui.views.run.gpu_section import GpuSection
from gui.views.run.paste_dialog import ask_for_command, pasted_status
from gui.views.run.problem_list import ProblemList, problem_icon
from gui.views.run.sections import Section
from gui.views.run.table_sections import EnvSection, PortsSection, VolumesSection
from gui.views.widgets.feedback import message_label, show_message
from gui.views.widgets.style import error_label_style

logger = log.get("ui")

NOT_CONNECTED = "Portside is not connected to the Docker engine. See the Engine page for what to do."
CHECK_DELAY_MS = 150  # the checks that need the host wait for a pause in typing


def _read_env(path: str) -> tuple[list, list[str]]:
    """Reads a .env file (disk: call it in a worker). A file it cannot read is a message, not an exception."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        message = (
            f"Portside could not read {path}: {exc.strerror or exc}. Check that the file exists and "
            "that you may read it."
        )
        return [], [message]
    return read_env_file(text)


class RunDialog(QDialog):
    """Non-modal. `started` carries the new container's id and the spec it ran with."""

    started = Signal(str, object)
    exportRequested = Signal(object)  # the form's RunSpec: as compose.yaml and Kubernetes manifests

    def __init__(
        self,
        session,
        image: str,
        initial: RunSpec | None = None,
        memory: RunMemory | None = None,
        parent: QWidget | None = None,
        monitor=None,  # the app's MonitorService: the GPU tab shows what is on each GPU from its samples
        preferences: Preferences | None = None,  # the Settings page's defaults for new containers
    ):
        super().__init__(parent)
        self.setObjectName("run-dialog")
        self.setWindowTitle(f"Run {image}")
        self.session = session
        self.image = image
        self.memory = memory if memory is not None else RunMemory()
        self.preferences = preferences if preferences is not None else Preferences()
        self.context: RunContext | None = None
        self.presets: dict[str, RunSpec] = {}
        self._presets_not_kept: dict[str, frozenset[str]] = {}  # secrets each preset could not keep
        self._initial = initial
        self._initial_status = "Filled in from the container's settings: change what you like."
        self._remembered: Recalled | None = None
        self._default = RunSpec(image=image)  # the image's ports on 127.0.0.1, from default_spec
        self._memory_read = False
        self._preflight: list[Problem] = []  # the host's and engine's view of the form, from a worker
        self._problems: list[Problem] = []  # all shown now
        # Values loaded (a preset, saved settings, a container's inspect data) that the form could not hold as
        # they were, so it holds another: said until the next load, so nothing changes silently.
        self._loaded_notes: list[Problem] = []
        self._generation = 0  # counts edits, so a stale check is dropped
        self._running = False
        self._open = True  # False once closed: late worker results are then ignored
        self._filling = False
        self._check_timer = QTimer(self, singleShot=True, interval=CHECK_DELAY_MS, timeout=self._check_host)

        self._build_widgets()
        self._lay_out()
        for section in self.sections:
            section.changed.connect(self._on_edited)
        self.env.importRequested.connect(self.import_env_file)
        self.gpus.adviceChanged.connect(lambda: self.context and not self._filling and self._show_problems(self.spec()))
        if monitor is not None:
            self.gpus.follow(monitor, session, image)
        self._set_form_enabled(False)
        self.load()

    # Building ------------------------------------------------------------------------------------------

    def _alive(self) -> bool:
        """Open and not deleted: closing the main window deletes the dialog without closing it, and a worker's
        late answer must not touch its widgets then."""
        return self._open and shiboken6.isValid(self)

    def _build_widgets(self) -> None:
        self.general = GeneralSection(self.image)
        self.ports = PortsSection()
        self.env = EnvSection()
        self.volumes = VolumesSection()
        self.gpus = GpuSection()
        self.resources = ResourcesSection()
        self.advanced = AdvancedSection()
        self.sections: list[Section] = [
            self.general,
            self.ports,
            self.env,
            self.volumes,
            self.gpus,
            self.resources,
            self.advanced,
        ]
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("run-tabs")
        self.tabs.setDocumentMode(True)
        for section in self.sections:
            self.tabs.addTab(section, section.TITLE)

        self.status_label = message_label(self, "run-status", hidden=True)
        self.command_preview = CommandPreview(self)
        self.command_preview.copied.connect(lambda: self._show_status("Copied the command."))
        # The panels' widgets, under the names the tests and the main window's tests use.
        self.command_title = self.command_preview.title
        self.preview = self.command_preview.preview
        self.copy_button = self.command_preview.copy_button
        self.problems_area = ProblemList(self.sections, self)
        self.problems_area.sectionClicked.connect(self.tabs.setCurrentIndex)
        self.problems_label = self.problems_area.label
        self.error_label = message_label(self, "run-error", style=error_label_style(), hidden=True)
        self.retry_button = QPushButton("Try Again", self, autoDefault=False, clicked=self.load)
        self.retry_button.hide()

        self.presets_button = QToolButton(self, objectName="run-presets", text="Presets")
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_menu = QMenu(self.presets_button)
        self.presets_menu.aboutToShow.connect(self._fill_presets_menu)
        self.presets_button.setMenu(self.presets_menu)
        self.paste_button = QPushButton("Paste Comman&d…", self, objectName="run-paste", autoDefault=False)
        self.paste_button.setToolTip("Fill the form from a docker run command, such as one from an image's docs")
        self.paste_button.clicked.connect(lambda: ask_for_command(self, self.load_pasted, self.image))
        self.export_button = QPushButton("E&xport…", self, objectName="run-export", autoDefault=False)
        self.export_button.setToolTip("The form as a compose.yaml or Kubernetes manifests, to run it elsewhere")
        self.export_button.clicked.connect(lambda: self.exportRequested.emit(self.spec()))
        self.open_logs_box = QCheckBox("Open the &log after it starts", self)
        self.open_logs_box.setObjectName("run-open-logs")
        self.keep_failed_box = QCheckBox("&Keep the container if it fails to start", self)
        self.keep_failed_box.setObjectName("run-keep-failed")
        self.keep_failed_box.setToolTip(
            "Otherwise Portside removes it. A kept container lets you read its log and inspect it."
        )

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.run_button = self.buttons.addButton("&Run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("run-button")
        self.run_button.setDefault(True)  # Enter runs, when the form is valid
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.run)
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self) -> None:
        error_row = QHBoxLayout()
        error_row.addWidget(self.error_label, 1)
        error_row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        options = QHBoxLayout()
        options.addWidget(self.presets_button)
        options.addWidget(self.paste_button)
        options.addWidget(self.export_button)
        options.addSpacing(self.fontMetrics().averageCharWidth() * 2)
        options.addWidget(self.open_logs_box)
        options.addWidget(self.keep_failed_box)
        options.addStretch()
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.command_preview)
        layout.addWidget(self.problems_area)
        layout.addLayout(error_row)
        layout.addLayout(options)
        layout.addWidget(self.buttons)
        QWidget.setTabOrder(self.tabs, self.preview)

    def sizeHint(self) -> QSize:
        # Room for every tab title and a long command, in the user's own font.
        metrics = self.fontMetrics()
        tabs = self.tabs.tabBar().sizeHint().width() + metrics.averageCharWidth() * 6
        return (
            super()
            .sizeHint()
            .expandedTo(QSize(max(metrics.averageCharWidth() * 110, tabs), metrics.lineSpacing() * 40))
        )

    # Public -------------------------------------------------------------------------------------------

    @property
    def open_logs_after(self) -> bool:
        return self.open_logs_box.isChecked()

    @property
    def ready(self) -> bool:
        """True once the form is filled and checked: the image and the host have been read."""
        return self.context is not None and self.tabs.isEnabled()

    @property
    def problems(self) -> list[Problem]:
        """What the dialog shows now: the spec's own problems, then the host's and engine's."""
        return list(self._problems)

    def spec(self) -> RunSpec:
        """The form as a RunSpec (it may have errors: see problems)."""
        values: dict = {}
        for section in self.sections:
            values.update(section.values())
        return RunSpec(image=self.image, **values)

    # Opening: read the image, the host and the remembered settings, then fill the form ---------------------

    def load(self) -> None:
        self.retry_button.hide()
        self._show_error(None)
        self._show_status("Reading the image and this computer…")
        image, gpu_support = self.image, self._gpu_support()

        def read(engine) -> tuple[RunContext, RunSpec]:
            context = load_context(engine, image, gpu_support)
            return context, default_spec(image, context)  # it probes host ports: not on the GUI thread

        if not self.session.run(read, lambda result: self._on_context(*result), self._on_context_failed):
            self._on_context_failed(EngineError(NOT_CONNECTED))
        if not self._memory_read:
            memory, wanted = self.memory, self._initial is None

            def read_memory():
                return (memory.recall(image) if wanted else None), memory.recall_presets()

            self.session.tasks.submit(read_memory, self._on_memory, self._on_memory_failed)

    def _gpu_support(self) -> str | None:
        diagnosis = self.session.diagnosis
        info = diagnosis.info if diagnosis is not None else None
        return info.gpu_support if info is not None else None

    def _on_context(self, context: RunContext, default: RunSpec) -> None:
        if not self._alive():
            return
        first = self.context is None
        self.context = context
        for section in self.sections:
            section.set_context(context)
        # The preferences shape only this default form: a spec given, pasted or remembered keeps its own values.
        offered = self.gpus.choices if gpu_unavailable_reason(context) is None else None
        self._default = with_preferences(default, self.preferences, offered)
        if first and self._memory_read:
            self._fill()

    def _on_context_failed(self, error: EngineError) -> None:
        if not self._alive():
            return
        self._show_status("")
        self._show_error(error, "Could not read the image and the engine. ")
        self.retry_button.show()

    def _on_memory(self, result: tuple[Recalled | None, dict[str, Recalled]]) -> None:
        self._remembered, presets = result
        self._keep_presets(presets)
        self._memory_read = True
        if self._alive() and self.context is not None:
            self._fill()

    def _on_memory_failed(self, error: EngineError) -> None:
        logger.info("could not read the remembered run settings: %s", error.message)
        self._on_memory((None, {}))

    def _fill(self) -> None:
        if self._initial is not None:
            self.load_spec(self._initial)
            self._show_status(self._initial_status)
        elif self._remembered is not None:
            self.load_spec(self._remembered.spec, self._remembered.not_kept)
            self._show_status(f"Filled in from your last run of this image.{_not_kept_note(self._remembered)}")
        else:
            self.load_spec(self._default)
            self._show_status("")
        self._set_form_enabled(True)
        self.general.name_edit.setFocus()

    def load_spec(self, spec: RunSpec, not_kept: frozenset[str] = frozenset()) -> None:
        """Fills the form from a spec, for this dialog's image. A name another container has is replaced
        by a free one ("web" -> "web-2"). Rows of `not_kept` say their secret must be typed again."""
        names = self.context.container_names if self.context is not None else frozenset()
        spec = replace(spec, image=self.image)
        if spec.name and spec.name in names:
            spec = replace(spec, name=suggest_name(spec.name, names))
        self._filling = True
        try:
            for section in self.sections:
                section.load(spec)
            self.env.table.mark_not_kept(not_kept)
        finally:
            self._filling = False
        self._loaded_notes = _changed_on_load(spec, self.spec())
        self._on_edited()

    # Checking as the user types ----------------------------------------------------------------------------

    def _on_edited(self) -> None:
        if self._filling or self.context is None:
            return
        self._generation += 1
        self._show_problems(self.spec())
        self._check_timer.start()

    def _check_host(self) -> None:
        """The checks that need the host or the engine's lists (ports in use, names taken), in a worker."""
        context, spec, generation = self.context, self.spec(), self._generation
        if context is None or not self._alive():
            return
        self.session.tasks.submit(
            lambda: preflight(spec, context),
            lambda problems: self._on_host_checked(generation, problems),
            self._on_host_check_failed,
        )

    def _on_host_checked(self, generation: int, problems: list[Problem]) -> None:
        if not self._alive() or generation != self._generation:
            return  # the form changed since: a newer check follows
        self._preflight = problems
        self._show_problems(self.spec())

    def _on_host_check_failed(self, error: EngineError) -> None:
        if self._alive():
            self._show_error(error, "Could not check the ports and names: ")

    def _show_problems(self, spec: RunSpec) -> None:
        host_cpus = self.context.host_cpus if self.context is not None else None
        own = spec.problems(host_cpus)
        extra = self._loaded_notes + self.gpus.advice_problems()  # GPU memory: from the Monitor, not the spec
        problems = own + extra + [problem for problem in self._preflight if problem not in own]
        self._problems = problems
        for index, section in enumerate(self.sections):
            mine = [problem for problem in problems if problem.field in section.FIELDS]
            section.show_problems(mine)
            self.tabs.setTabIcon(index, problem_icon(self.style(), mine))
        self.problems_area.show_problems(problems)
        self.command_preview.show_command(spec.command_line, valid=all(problem.warning for problem in problems))
        self._update_run_button()

    def _update_run_button(self) -> None:
        errors = any(not problem.warning for problem in self._problems)
        self.run_button.setEnabled(self.ready and not self._running and not errors)

    # Running -------------------------------------------------------------------------------------------------

    def run(self) -> None:
        """Checks the form against a fresh look at the host (ports may have been taken since), then runs."""
        if not self.run_button.isEnabled():
            return
        spec, image, gpu_support = self.spec(), self.image, self._gpu_support()
        self._set_running(True)
        self._show_error(None)
        self._show_status("Checking ports and names…")

        def check(engine):
            context = load_context(engine, image, gpu_support)
            return context, preflight(spec, context)

        if not self.session.run(check, lambda result: self._on_checked(spec, *result), self._on_run_failed):
            self._on_run_failed(EngineError(NOT_CONNECTED))

    def _on_checked(self, spec: RunSpec, context: RunContext, host_problems: list[Problem]) -> None:
        if not self._alive():
            return
        self.context = context
        self._preflight = host_problems
        errors = [problem for problem in spec.problems(context.host_cpus) + host_problems if not problem.warning]
        if errors:
            self._set_running(False)
            self._show_problems(spec)
            self._show_status("")
            self._show_error(EngineError("Fix the problems above first: things changed since you opened the form."))
            return
        self._show_status(f"Starting {spec.name or 'the container'}…")
        action = RunContainer(spec, keep_failed=self.keep_failed_box.isChecked())
        if not self.session.perform(
            action, lambda container_id: self._on_started(spec, container_id), self._on_run_failed
        ):
            self._on_run_failed(EngineError(NOT_CONNECTED))

    def _on_started(self, spec: RunSpec, container_id: str) -> None:
        memory = self.memory
        self.session.tasks.submit(
            lambda: memory.remember(spec),
            None,
            lambda error: logger.info("could not remember the run settings: %s", error.message),
        )
        if not self._alive():
            return
        self._running = False
        self.started.emit(container_id, spec)
        self.accept()

    def _on_run_failed(self, error: EngineError) -> None:
        if not self._alive():
            return
        self._set_running(False)
        self._show_status("")
        self._show_error(error)

    def _set_running(self, running: bool) -> None:
        self._running = running
        self._set_form_enabled(not running)
        self._update_run_button()

    def _set_form_enabled(self, enabled: bool) -> None:
        # Read-only while a run is on its way, so what runs is what the form shows; nothing is cleared.
        self.tabs.setEnabled(enabled)
        self.presets_button.setEnabled(enabled)
        self.paste_button.setEnabled(enabled)
        self.export_button.setEnabled(enabled)
        self._update_run_button()

    # Messages ------------------------------------------------------------------------------------------------

    def _show_status(self, text: str) -> None:
        show_message(self.status_label, text)

    def _show_error(self, error: EngineError | None, prefix: str = "") -> None:
        show_message(self.error_label, f"{prefix}{error.message}" if error is not None else "")
        detail = error.detail if error is not None and error.detail != error.message else ""
        self.error_label.setToolTip(f"The engine said:\n{detail}" if detail else "")

    # .env files ----------------------------------------------------------------------------------------------

    def import_env_file(self, path: str | None = None) -> None:
        """Adds a .env file's variables to the table; read in a worker. Keys with no value are reported."""
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self, "Import environment variables", "", "Environment files (*.env .env*);;All files (*)"
            )
        if not path:
            return
        self.session.tasks.submit(lambda: _read_env(path), lambda result: self._on_env_read(path, *result))

    def _on_env_read(self, path: str, variables: list, notes: list[str]) -> None:
        if not self._alive():
            return
        self.env.table.merge(variables)
        count = len(variables)
        done = f"Added {count} variable{'s' if count != 1 else ''} from {Path(path).name}." if variables else ""
        self.env.show_import_report(" ".join([done, *notes]).strip(), warning=bool(notes))

    # Run from a command ----------------------------------------------------------------------------------------

    def load_pasted(self, pasted: PastedCommand) -> None:
        """Fills the form from a pasted command; the status names what the form has no field for."""
        self._initial_status = pasted_status(pasted, self.image)
        if not self.ready:  # still opening: _fill takes it
            self._initial = pasted.spec
            return
        self.load_spec(pasted.spec)
        self._show_status(self._initial_status)

    # Presets -----------------------------------------------------------------------------------------------------

    def _fill_presets_menu(self) -> None:
        menu = self.presets_menu
        menu.clear()
        menu.addAction("Save as Preset…", self.ask_preset_name)
        if self.presets:
            menu.addSeparator()
            for name in sorted(self.presets):
                menu.addAction(f"Apply {name}", lambda name=name: self.apply_preset(name))
            delete = menu.addMenu("Delete")
            for name in sorted(self.presets):
                delete.addAction(name, lambda name=name: self.delete_preset(name))

    def ask_preset_name(self) -> QInputDialog:
        dialog = QInputDialog(self)
        dialog.setObjectName("preset-name")
        dialog.setWindowTitle("Save as Preset")
        dialog.setLabelText("A name for these settings (secret values are not saved):")
        dialog.setTextValue(self.general.name_edit.text().strip() or self.image.rsplit("/", 1)[-1].split(":")[0])
        dialog.textValueSelected.connect(self.save_preset)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def save_preset(self, name: str) -> None:
        name, spec, memory = name.strip(), self.spec(), self.memory
        if not name:
            return

        def save():
            memory.save_preset(name, spec)
            return memory.recall_presets()

        self.session.tasks.submit(
            save, lambda presets: self._on_presets(presets, f"Saved the preset {name}."), self._on_preset_failed
        )

    def apply_preset(self, name: str) -> None:
        spec = self.presets.get(name)
        if spec is not None:
            not_kept = self._presets_not_kept.get(name, frozenset())
            self.load_spec(spec, not_kept)
            self._show_status(f"Applied the preset {name}.{_not_kept_note(Recalled(spec, not_kept))}")

    def delete_preset(self, name: str) -> None:
        memory = self.memory

        def delete():
            memory.delete_preset(name)
            return memory.recall_presets()

        self.session.tasks.submit(
            delete, lambda presets: self._on_presets(presets, f"Deleted the preset {name}."), self._on_preset_failed
        )

    def _keep_presets(self, presets: dict[str, Recalled]) -> None:
        self.presets = {name: found.spec for name, found in presets.items()}
        self._presets_not_kept = {name: found.not_kept for name, found in presets.items()}

    def _on_presets(self, presets: dict[str, Recalled], status: str) -> None:
        self._keep_presets(presets)
        if self._alive():
            self._show_status(status)

    def _on_preset_failed(self, error: EngineError) -> None:
        if self._alive():
            self._show_error(error, "Could not save the presets: ")

    # Closing -------------------------------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._open = False
        self._check_timer.stop()
        super().done(result)

    def closeEvent(self, event) -> None:
        self._open = False
        self._check_timer.stop()
        super().closeEvent(event)


def _not_kept_note(found: Recalled) -> str:
    """ " Type HF_TOKEN again: …" when secrets were not kept; "" otherwise."""
    names = sorted(found.not_kept)
    if not names:
        return ""
    return (
        f" Type {', '.join(names)} again: there was no usable system keyring to keep the secret, and "
        "Portside never writes secrets in plain text."
    )


def _changed_on_load(loaded: RunSpec, held: RunSpec) -> list[Problem]:
    """Warnings for the loaded values Docker refuses that the form could not show as they were (a restart
    policy its list lacks, a negative count its spin box clamps): the user hears what was changed."""
    still_shown = [(problem.field, problem.row, problem.message) for problem in held.problems(None)]
    return [
        Problem(
            problem.field,
            f"A loaded value was changed, because Docker refuses it: {problem.message}",
            problem.row,
            warning=True,
        )
        for problem in loaded.problems(None)
        if not problem.warning and (problem.field, problem.row, problem.message) not in still_shown
    ]
