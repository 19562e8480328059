"""Draws a cell's links (LINK_ROLE) like links, and opens the one under a click in the browser."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from gui.models.table import LINK_ROLE
from gui.views.widgets.browser import open_in_browser


class LinkDelegate(QStyledItemDelegate):
    linkActivated = Signal(str)

    def __init__(self, parent=None, open_links: bool = True):
        super().__init__(parent)
        self._open_links = open_links

    def _link_rects(self, option, links: list[tuple[str, str]]) -> list[tuple[QRect, str, str]]:
        font = QFont(option.font)
        font.setUnderline(True)
        metrics = QFontMetrics(font)
        x = option.rect.left() + 4
        separator = metrics.horizontalAdvance(", ")
        rects = []
        for text, url in links:
            width = metrics.horizontalAdvance(text)
            rects.append((QRect(x, option.rect.top(), width, option.rect.height()), text, url))
            x += width + separator
        return rects

    def paint(self, painter, option, index):
        links = index.data(LINK_ROLE)
        if not links:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        painter.save()
        painter.setClipRect(option.rect)
        font = QFont(option.font)
        font.setUnderline(True)
        painter.setFont(font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Link
        painter.setPen(option.palette.color(role))
        for rect, text, _url in self._link_rects(option, links):
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        painter.restore()

    def editorEvent(self, event, model, option, index):
        links = index.data(LINK_ROLE)
        if links and event.type() == QEvent.Type.MouseButtonRelease and event.button() == Qt.MouseButton.LeftButton:
            for rect, _text, url in self._link_rects(option, links):
                if rect.contains(event.position().toPoint()):
                    self.linkActivated.emit(url)
                    if self._open_links:
                        open_in_browser(option.widget or self.parent(), url)
                    return True
        return super().editorEvent(event, model, option, index)
