"""A warning line for dialogs that fill the engine's disk (Pull, Build): the free space is read afresh, off the GUI
thread, each time the dialog asks, and the line shows only when space is low."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from gui.core.engine.disk_space import low_space_sentence
from gui.views.widgets.lifetime import while_alive
from gui.views.widgets.style import colour_style
from gui.workers.session import EngineSession


class SpaceWarning(QLabel):
    def __init__(self, what: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("space-warning")
        self.setWordWrap(True)
        self.setStyleSheet(colour_style("warning"))
        self._what = what  # "pull", "build": what the sentence says may stop half way
        self.answered = False  # the free space was read (tests wait for it)
        self.hide()

    def check(self, session: EngineSession) -> None:
        """Reads the engine's free space now (a worker) and shows the warning if it is low."""
        info = session.diagnosis.info if session.diagnosis is not None else None
        if info is None or not info.data_root:
            return
        session.run(lambda engine: engine.free_space(info.data_root), while_alive(self, self.show_free))

    def show_free(self, free: int | None) -> None:
        self.answered = True
        sentence = low_space_sentence(free, self._what)
        self.setText(sentence or "")
        self.setVisible(sentence is not None)
