"""Settings: which engine, the appearance, what new containers get by default, and where Portside keeps its files.

Every change is saved at once (QSettings, through gui.core.settings.preferences), with a note where it takes effect
later. A saved value read back broken is replaced by its default, and the page says so in a sentence (logged too)
until the user picks a value for it."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.core import log
from gui.core.errors import EngineError
from gui.core.settings import contexts, preferences
from gui.core.settings.contexts import EngineChoices
from gui.core.settings.folders import DataFolder, data_folders
from gui.core.settings.preferences import EVERY_INTERFACE, Preferences
from gui.views.widgets import feedback, style
from gui.views.widgets.style import apply_theme
from gui.workers.tasks import TaskRunner

logger = log.get("ui")

NEW_CONTAINERS_NOTE = "New containers use these; the ones running keep theirs."
ENGINE_NOTE = "Portside connects to it when you press Connect now, or the next time it starts."
APPEARANCE_NOTE = "A few colours chosen when a page opened change the next time Portside starts."
# The Run dialog's words for a port on all interfaces (its Ports table's check box).
EVERY_INTERFACE_WARNING = (
    "New containers publish their ports on every network interface (0.0.0.0), not only 127.0.0.1: other computers "
    "on your network can then reach them, past the host firewall."
)
LOOKING = "Looking for docker contexts…"

TOOLTIPS = {
    "engine": "Which Docker engine Portside talks to: the one it finds (DOCKER_HOST, the docker CLI's current "
    "context, this computer's socket) or one of your docker contexts. The CLI's equivalent: docker context use NAME",
    "appearance": "Follow the system's light or dark look, or always use a light or a dark one.",
    "bind_address": "Where new containers publish their ports. This computer only: -p 127.0.0.1:5000:5000. "
    "Every interface: -p 5000:5000 (other computers can reach them).",
    "restart": "Whether Docker starts new containers again when they stop or Docker starts, as with "
    "--restart unless-stopped",
    "gpus": "Which GPUs new containers get: none, all of them (--gpus all), or the first GPU nothing runs on "
    '(--gpus "device=0")',
}


class SettingsPage(QWidget):
    engineChosen = Signal(str)  # a docker context's name, "" for the engine Portside finds: connect to it now
    appearanceChanged = Signal(str)  # "system", "light" or "dark", already applied

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("settings-page")
        self.settings = settings
        # Replaceable in tests: opening a folder starts the desktop's file manager.
        self.open_url = QDesktopServices.openUrl
        self.apply_appearance = lambda theme: apply_theme(QApplication.instance(), theme)
        self._tasks = TaskRunner(self, max_threads=1)
        self._found: EngineChoices | None = None  # the contexts, once a worker has read them
        self._filling = True  # the controls show the saved values: nothing to save while they are set
        # A broken saved value's sentence per field, shown until the user picks a value for that field.
        self._prefs, self._problems = preferences.load_by_field(settings)
        for problem in self._problems.values():
            logger.warning("%s", problem)

        self.problems_label = feedback.message_label(self, "settings-problems", style=style.colour_style("warning"))
        self.combos: dict[str, QComboBox] = {}
        self._labels: list[QLabel] = []  # the first column of every group, made as wide as the widest
        content = QWidget(self)
        column = QVBoxLayout(content)
        column.addWidget(self.problems_label)
        column.addWidget(self._engine_group(content))
        column.addWidget(self._appearance_group(content))
        column.addWidget(self._new_containers_group(content))
        column.addWidget(self._data_group(content))
        column.addStretch()
        width = max(label.sizeHint().width() for label in self._labels)
        for label in self._labels:
            label.setMinimumWidth(width)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._show_problems()
        self._show_bind_warning()
        self._filling = False

    # Building --------------------------------------------------------------------------------------------------

    def _combo(self, name: str, parent: QWidget, choices: dict[str, str]) -> QComboBox:
        combo = QComboBox(parent)
        combo.setObjectName(f"settings-{name}")
        combo.setToolTip(TOOLTIPS[name])
        for value, label in choices.items():
            combo.addItem(label, value)
        combo.setCurrentIndex(max(combo.findData(getattr(self._prefs, name)), 0))
        combo.currentIndexChanged.connect(lambda _index, name=name: self._on_changed(name))
        self.combos[name] = combo
        return combo

    def _add_row(self, form: QFormLayout, text: str, field, buddy: QWidget) -> None:
        label = QLabel(text, buddy.parentWidget())
        label.setBuddy(buddy)
        self._labels.append(label)
        form.addRow(label, field)

    def _note(self, parent: QWidget, text: str, name: str = "") -> QLabel:
        label = feedback.message_label(parent, name, text)
        style.set_secondary(label)
        return label

    def _engine_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Engine", parent)
        form = QFormLayout(group)
        combo = self._combo("engine", group, {preferences.DETECTED_ENGINE: "The engine Portside finds"})
        if self._prefs.engine:  # shown as saved until the contexts are read
            combo.addItem(self._prefs.engine, self._prefs.engine)
            combo.setCurrentIndex(1)
        self.connect_button = QPushButton("Connect now", group)
        self.connect_button.setObjectName("settings-connect")
        self.connect_button.setToolTip("Connect to the chosen engine now, leaving the one in use")
        self.connect_button.clicked.connect(self._connect_now)
        self.remove_button = QPushButton("Remove…", group, objectName="settings-remove-context")
        self.remove_button.setToolTip("Remove the chosen docker context (docker context rm NAME); the engine stays")
        self.remove_button.clicked.connect(self._remove_context)
        row = QHBoxLayout()
        row.addWidget(combo, 1)
        row.addWidget(self.connect_button)
        row.addWidget(self.remove_button)
        self._add_row(form, "&Docker engine:", row, combo)
        self.engine_note = self._note(group, f"{LOOKING} {ENGINE_NOTE}", "settings-engine-note")
        form.addRow(self.engine_note)
        return group

    def _appearance_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Appearance", parent)
        form = QFormLayout(group)
        combo = self._combo("appearance", group, preferences.APPEARANCES)
        self._add_row(form, "&Appearance:", combo, combo)
        form.addRow(self._note(group, APPEARANCE_NOTE))
        return group

    def _new_containers_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("New containers", parent)
        form = QFormLayout(group)
        combo = self._combo("bind_address", group, preferences.BIND_ADDRESSES)
        self._add_row(form, "&Publish ports on:", combo, combo)
        self.bind_warning = feedback.message_label(
            group, "settings-bind-warning", EVERY_INTERFACE_WARNING, style=style.colour_style("warning"), hidden=True
        )
        form.addRow(self.bind_warning)
        combo = self._combo("restart", group, preferences.RESTART_POLICIES)
        self._add_row(form, "&Restart policy:", combo, combo)
        combo = self._combo("gpus", group, preferences.GPU_DEFAULTS)
        self._add_row(form, "&GPUs:", combo, combo)
        form.addRow(self._note(group, NEW_CONTAINERS_NOTE, "settings-new-containers-note"))
        return group

    def _data_group(self, parent: QWidget) -> QGroupBox:
        group = QGroupBox("Data", parent)
        grid = QGridLayout(group)
        self.folders = data_folders(self.settings.fileName())
        self.folder_buttons: dict[str, tuple[QPushButton, QPushButton]] = {}
        for row, folder in enumerate(self.folders):
            title = QLabel(f"{folder.title}:", group)
            self._labels.append(title)
            title.setToolTip(f"Portside keeps {folder.holds} here.")
            path = feedback.message_label(group, f"settings-folder-{row}", str(folder.path))
            path.setToolTip(f"Portside keeps {folder.holds} here.")
            open_button = QPushButton("Open folder", group)
            open_button.setToolTip(f"Open {folder.path} in the file manager")
            open_button.setAccessibleName(f"Open the {folder.title} folder")
            open_button.clicked.connect(lambda _checked=False, folder=folder: self.open_folder(folder))
            copy_button = QPushButton("Copy path", group)
            copy_button.setToolTip(f"Copy {folder.path} to the clipboard")
            copy_button.setAccessibleName(f"Copy the {folder.title} folder's path")
            copy_button.clicked.connect(lambda _checked=False, folder=folder: self.copy_path(folder))
            self.folder_buttons[folder.title] = (open_button, copy_button)
            grid.addWidget(title, row, 0)
            grid.addWidget(path, row, 1)
            grid.addWidget(open_button, row, 2)
            grid.addWidget(copy_button, row, 3)
        grid.setColumnStretch(1, 1)
        self.folder_status = feedback.message_label(group, "settings-folder-status", hidden=True)
        grid.addWidget(self.folder_status, len(self.folders), 0, 1, 4)
        return group

    # Engine ----------------------------------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.look_for_contexts()  # each time: a context may have been added with the docker CLI since

    def look_for_contexts(self) -> None:
        """Reads the docker contexts and the engine found without a choice, in a worker."""
        self._tasks.submit(contexts.engine_choices, self._on_choices, self._on_choices_failed)

    def _on_choices(self, found: EngineChoices) -> None:
        combo = self.combos["engine"]
        chosen = combo.currentData()
        self._filling = True
        try:
            combo.clear()
            detected = found.detected
            combo.addItem(f"The engine Portside finds: {detected.host} ({_source(detected.source)})", "")
            for context in found.contexts:
                combo.addItem(f"{context.name}: {context.host or 'no docker endpoint'}", context.name)
                combo.setItemData(combo.count() - 1, context.description or context.host, Qt.ItemDataRole.ToolTipRole)
            if chosen and combo.findData(chosen) < 0:
                combo.addItem(f"{chosen} (not found)", chosen)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
        finally:
            self._filling = False
        self._found = found
        self._show_engine_note()

    def _show_engine_note(self) -> None:
        found, chosen = self._found, self._prefs.engine
        if found is None:
            return
        notes = [ENGINE_NOTE]
        if chosen and not any(context.name == chosen for context in found.contexts):
            notes.insert(0, f"The docker context '{chosen}' was not found, so Portside uses the engine it finds.")
        if found.docker_host:
            notes.insert(
                0, f"DOCKER_HOST is set ({found.docker_host}): it wins over this choice, as for the docker CLI."
            )
        self.engine_note.setText(" ".join(notes))

    def _on_choices_failed(self, error: EngineError) -> None:
        self.engine_note.setText(f"Could not read the docker contexts: {error.message} {ENGINE_NOTE}")

    def show_chosen(self, name: str) -> None:
        """The engine chosen elsewhere (the sidebar's switcher, which saved it): shown here too."""
        self._prefs, _problems = preferences.load(self.settings)
        combo = self.combos["engine"]
        if combo.findData(name) < 0:
            combo.addItem(name or "The engine Portside finds", name)
        self._filling = True
        try:
            combo.setCurrentIndex(combo.findData(name))
        finally:
            self._filling = False
        self._show_engine_note()

    def _remove_context(self) -> None:
        """Removes the chosen context after a confirmation, in a worker; not the one in use, nor "the engine
        Portside finds" (no context)."""
        from gui.core.engine.context_writer import remove_command, remove_context

        name = self.combos["engine"].currentData() or ""
        if not name or name == contexts.chosen():
            why = "the engine in use" if name else "not a docker context"
            self.engine_note.setText(f"Nothing removed: {why}. Choose another context first.")
            return
        text = f"Remove the docker context {name}? The engine itself is not touched; the docker CLI loses it too."
        confirmed, _ = feedback.confirm(self, "Remove engine", text, remove_command(name), "Remove")
        if confirmed:
            self._tasks.submit(
                lambda: remove_context(name),
                lambda _done: self._context_removed(name),
                lambda error: self.engine_note.setText(error.message),
            )

    def _context_removed(self, name: str) -> None:
        if self._prefs.engine == name:
            self._prefs = preferences.save_one(self.settings, self._prefs, "engine", "")
        combo = self.combos["engine"]
        self._filling = True
        try:  # back on the saved choice, so the refreshed list does not keep the removed one as "not found"
            combo.setCurrentIndex(max(combo.findData(self._prefs.engine), 0))
        finally:
            self._filling = False
        self.look_for_contexts()

    def _connect_now(self) -> None:
        name = self.combos["engine"].currentData() or ""
        contexts.choose(name)
        self.engineChosen.emit(name)

    # Changes ---------------------------------------------------------------------------------------------------

    def _on_changed(self, name: str) -> None:
        if self._filling:
            return
        value = self.combos[name].currentData()
        self._prefs = preferences.save_one(self.settings, self._prefs, name, value)
        if self._problems.pop(name, None):
            self._show_problems()
        if name == "engine":
            self._show_engine_note()
        elif name == "appearance":
            self.apply_appearance(value)
            self.appearanceChanged.emit(value)
        elif name == "bind_address":
            self._show_bind_warning()

    def _show_problems(self) -> None:
        feedback.show_message(self.problems_label, "\n".join(self._problems.values()))

    def _show_bind_warning(self) -> None:
        self.bind_warning.setVisible(self._prefs.bind_address == EVERY_INTERFACE)

    @property
    def preferences(self) -> Preferences:
        """The preferences as saved now (for the Run dialog: RunDialog(..., preferences=page.preferences))."""
        return self._prefs

    # Folders ---------------------------------------------------------------------------------------------------

    def open_folder(self, folder: DataFolder) -> None:
        # No look at the disk first (the GUI thread does not wait on it): a folder not made yet fails to open.
        if self.open_url(QUrl.fromLocalFile(str(folder.path))):
            feedback.show_message(self.folder_status, "")
            return
        feedback.show_message(
            self.folder_status,
            f"Could not open {folder.path}. Portside makes it the first time it keeps something there; if it "
            "exists, copy the path and open it in your file manager.",
        )

    def copy_path(self, folder: DataFolder) -> None:
        QGuiApplication.clipboard().setText(str(folder.path))
        feedback.show_message(self.folder_status, f"Copied {folder.path}.")


def _source(source: str) -> str:
    """An Endpoint's source in words: "DOCKER_HOST", "context NAME", "default"."""
    return {"default": "this computer's socket", "DOCKER_HOST": "from DOCKER_HOST"}.get(source, source)
