"""The engine switcher at the top of the sidebar: which engine every page acts on, and a way to another one.

It lists the docker contexts (read in a worker each time its list opens, so a context made with the docker CLI
shows up), the engine in use marked, then "Add engine…" and "Manage in Settings…". Choosing an engine saves it as
the Settings page does (the preference and contexts.choose) and emits engineChosen: the window connects to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget

from gui.core import log
from gui.core.errors import EngineError
from gui.core.settings import contexts, preferences
from gui.core.settings.contexts import EngineChoices
from gui.workers.tasks import TaskRunner

if TYPE_CHECKING:
    from gui.views.engine.add_engine_dialog import AddEngineDialog

logger = log.get("ui")

ADD, MANAGE = "\x00add", "\x00manage"  # the two actions' item data: never a context's name
ADD_TEXT, MANAGE_TEXT = "Add engine…", "Manage in Settings…"
FOUND_TEXT = "Default engine"  # the engine Portside finds with no context chosen (docker context ls: default)
IN_USE = "✓ "  # marks the engine in use in the list
STEP_KEYS = (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Home, Qt.Key.Key_End)


class EngineSwitcher(QComboBox):
    engineChosen = Signal(str)  # a docker context's name, "" for the engine Portside finds: connect to it now
    settingsRequested = Signal()  # "Manage in Settings…": show the Settings page
    commandIssued = Signal(str, str)  # the CLI twin of an engine added here, for the Commands panel

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("engine-switcher")
        self.setAccessibleName("Engine")
        self.settings = settings
        self.add_dialog: AddEngineDialog | None = None
        self._tasks = TaskRunner(self, max_threads=1)
        self._found: EngineChoices | None = None
        self._filling = False
        self._stale = False  # contexts read while the list was open: shown once it closes
        # Compact in the sidebar; the open list is as wide as its longest entry.
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(6)
        self._fill()
        self.activated.connect(self._on_activated)
        self.refresh()

    # The list --------------------------------------------------------------------------------------------------

    def current(self) -> str:
        """The engine in use: a context's name, or "" for the engine Portside finds."""
        return contexts.chosen()

    def refresh(self) -> None:
        """Reads the docker contexts again, in a worker."""
        self._tasks.submit(contexts.engine_choices, self._on_choices, self._on_failed)

    def showPopup(self) -> None:
        self.refresh()  # a context made with the docker CLI since shows up when the list opens next
        super().showPopup()

    def keyPressEvent(self, event) -> None:
        # Arrow keys on the closed box would switch engines at each press, reconnecting each time: they open the
        # list instead, where Enter chooses.
        if event.key() in STEP_KEYS and not self.view().isVisible():
            self.showPopup()
            return
        super().keyPressEvent(event)

    def paintEvent(self, _event) -> None:
        # The closed box has a sidebar's width: it shows the name alone (the list marks the one in use).
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        option.currentText = option.currentText.removeprefix(IN_USE)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)

    def wheelEvent(self, event) -> None:
        event.ignore()  # scrolling past the sidebar must not switch engines

    def hidePopup(self) -> None:
        super().hidePopup()
        if self._stale:  # after the choice just made is handled (activated comes after hidePopup)
            QTimer.singleShot(0, self._fill)

    def show_chosen(self, name: str) -> None:
        """The engine chosen elsewhere (the Settings page's Connect now): marked here too."""
        if name != self.current():
            contexts.choose(name)
        self._fill()

    def names(self) -> list[str]:
        return [context.name for context in self._found.contexts] if self._found else []

    def _on_choices(self, found: EngineChoices) -> None:
        self._found = found
        if self.view().isVisible():
            self._stale = True  # refilling an open list would move the entry under the pointer
        else:
            self._fill()

    def _on_failed(self, error: EngineError) -> None:
        logger.warning("could not read the docker contexts for the switcher: %s", error.message)
        self.setToolTip(f"Could not read the docker contexts: {error.message}")

    def _fill(self) -> None:
        current, found = self.current(), self._found
        self._stale = False
        self._filling = True
        try:
            self.clear()
            detected = f"{found.detected.host} ({_source(found.detected.source)})" if found else "not read yet"
            self._add_engine("", FOUND_TEXT, f"The engine Portside finds: {detected}", current)
            for context in found.contexts if found else ():
                endpoint = context.host or "no docker endpoint"
                tip = f"{context.name}: {endpoint}" + (f"\n{context.description}" if context.description else "")
                self._add_engine(context.name, context.name, tip, current)
            if current and current not in self.names():
                missing = "not found yet" if found is None else "not found: Portside uses the engine it finds"
                self._add_engine(current, current, f"The docker context '{current}' ({missing})", current)
            self.insertSeparator(self.count())
            self.addItem(ADD_TEXT, ADD)
            self.setItemData(self.count() - 1, "Add a docker context for another engine", Qt.ItemDataRole.ToolTipRole)
            self.addItem(MANAGE_TEXT, MANAGE)
            self.setItemData(self.count() - 1, "Open the Settings page's Engine section", Qt.ItemDataRole.ToolTipRole)
            self.setCurrentIndex(max(self.findData(current), 0))
            self.view().setMinimumWidth(self.view().sizeHintForColumn(0) + self.iconSize().width())
        finally:
            self._filling = False
        self.setToolTip(self.itemData(self.currentIndex(), Qt.ItemDataRole.ToolTipRole))

    def _add_engine(self, name: str, text: str, tip: str, current: str) -> None:
        in_use = name == current
        self.addItem(f"{IN_USE}{text}" if in_use else text, name)
        index = self.count() - 1
        self.setItemData(index, f"{tip}\n(in use)" if in_use else tip, Qt.ItemDataRole.ToolTipRole)
        if in_use:
            font = QFont(self.font())
            font.setBold(True)
            self.setItemData(index, font, Qt.ItemDataRole.FontRole)

    # Choosing --------------------------------------------------------------------------------------------------

    def _on_activated(self, index: int) -> None:
        if self._filling:
            return
        data = self.itemData(index)
        if data == ADD:
            self._fill()  # the action is not an engine: the one in use stays shown
            self.open_add_dialog()
        elif data == MANAGE:
            self._fill()
            self.settingsRequested.emit()
        elif isinstance(data, str):
            self.choose(data)

    def choose(self, name: str) -> None:
        """Uses the engine `name` from now on (saved for the next start too), as the Settings page's Connect now."""
        prefs, _problems = preferences.load_by_field(self.settings)
        try:
            preferences.save_one(self.settings, prefs, "engine", name)
        except ValueError as exc:  # a name the docker CLI would refuse: never one of the listed contexts
            logger.warning("engine %r not saved: %s", name, exc)
        contexts.choose(name)
        self._fill()
        self.engineChosen.emit(name)

    def open_add_dialog(self) -> AddEngineDialog:
        if self.add_dialog is not None:
            self.add_dialog.raise_()
            self.add_dialog.activateWindow()
            return self.add_dialog
        from gui.views.engine.add_engine_dialog import AddEngineDialog  # when asked: start-up stays quick

        dialog = AddEngineDialog(self.names(), self.window())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.engineAdded.connect(lambda _name: self.refresh())
        dialog.switchRequested.connect(self.choose)
        dialog.commandIssued.connect(self.commandIssued)
        dialog.destroyed.connect(lambda: setattr(self, "add_dialog", None))
        self.add_dialog = dialog
        dialog.open()
        return dialog


def _source(source: str) -> str:
    """An Endpoint's source in words: "DOCKER_HOST", "context NAME", "default"."""
    return {"default": "this computer's socket", "DOCKER_HOST": "from DOCKER_HOST"}.get(source, source)
