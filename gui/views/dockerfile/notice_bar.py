"""NoticeBar: the non-modal bar above the editor's text (a recovery copy to restore, a file changed on disk,
a build failure at a line) with an icon, a sentence, a few buttons and a close button."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QToolButton, QWidget

from gui.views.dockerfile.highlighter import is_dark
from gui.views.widgets.feedback import message_label
from gui.views.widgets.style import ERROR_COLOUR, WARNING_COLOUR

__all__ = ["NoticeBar"]


class NoticeBar(QFrame):
    """A non-modal bar above the text: an icon, a sentence, some buttons and a close button."""

    _TINTS = {"info": "#2f7bbf", "warning": WARNING_COLOUR, "error": ERROR_COLOUR}
    _ICONS = {
        "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
        "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
        "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    }

    closed = Signal()

    def __init__(self, name: str, kind: str = "info", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self._kind = kind
        self.icon_label = QLabel(self)
        self.text_label = message_label(self, f"{name}-text")
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)  # file names and engine messages, never markup
        self.close_button = QToolButton(self)
        self.close_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Close")
        self.close_button.clicked.connect(self.dismiss)
        self._buttons = QHBoxLayout()
        layout = QHBoxLayout(self)
        margin = self.fontMetrics().height() // 3
        layout.setContentsMargins(margin * 2, margin, margin, margin)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text_label, 1)
        layout.addLayout(self._buttons)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.set_kind(kind)
        self.hide()

    def add_button(self, text: str, name: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        self._buttons.addWidget(button)
        return button

    def set_kind(self, kind: str) -> None:
        self._kind = kind
        size = self.fontMetrics().height()
        self.icon_label.setPixmap(self.style().standardIcon(self._ICONS[kind]).pixmap(size, size))
        self._recolour()

    def _recolour(self) -> None:
        tint = QColor(self._TINTS[self._kind])
        # The application's palette, not this frame's: the style sheet below changes the frame's own.
        palette = QApplication.palette(self)
        window = palette.color(QPalette.ColorRole.Window)
        mix = 0.18 if is_dark(palette) else 0.12
        background = QColor.fromRgbF(
            *(w * (1 - mix) + t * mix for w, t in zip(window.getRgbF()[:3], tint.getRgbF()[:3], strict=True))
        )
        sheet = (
            f"QFrame#{self.objectName()} {{ background-color: {background.name()};"
            f" border: 1px solid {tint.name()}; border-radius: 4px; }}"
        )
        if sheet != self.styleSheet():  # a new style sheet is itself a palette change: set it once
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:  # the desktop switched light/dark
            self._recolour()

    def show_text(self, text: str, kind: str | None = None) -> None:
        if kind is not None and kind != self._kind:
            self.set_kind(kind)
        self.text_label.setText(text)
        self.show()

    @property
    def text(self) -> str:
        return self.text_label.text()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()
