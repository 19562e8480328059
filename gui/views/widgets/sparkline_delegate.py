"""Paints a cell's value with a tiny sparkline of its recent values (SPARK_ROLE) to its left.

Paint-only and cheap: one QPainterPath of at most MAX_POINTS points per visible cell, no chart library, no
state kept between paints. Gaps (NaN) break the line, as a stopped sample should.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from gui.models.table import SPARK_ROLE

MAX_POINTS = 60


def sparkline_path(values: list[float], rect: QRectF) -> QPainterPath:
    """A path through the last MAX_POINTS values, scaled into `rect` (0 at the bottom, the largest at the top)."""
    values = list(values)[-MAX_POINTS:]
    path = QPainterPath()
    finite = [v for v in values if not math.isnan(v)]
    if len(values) < 2 or not finite:
        return path
    top = max(max(finite), 1e-9)
    step = rect.width() / (len(values) - 1)
    x0 = rect.left()  # the oldest value at the left edge, the newest at the right
    pen_down = False
    for i, value in enumerate(values):
        if math.isnan(value):
            pen_down = False
            continue
        point = QPointF(x0 + i * step, rect.bottom() - rect.height() * max(0.0, value) / top)
        if pen_down:
            path.lineTo(point)
        else:
            path.moveTo(point)
            pen_down = True
    return path


class SparklineDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        values = index.data(SPARK_ROLE)
        if not values:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        text, option.text = option.text, ""
        style = option.widget.style() if option.widget else None
        if style:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)

        metrics = option.fontMetrics
        margin = metrics.averageCharWidth() // 2 + 1
        text_width = metrics.horizontalAdvance(text) + margin * 2
        area = QRectF(option.rect).adjusted(margin, margin, -text_width, -margin)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setClipRect(option.rect)
        if area.width() >= metrics.averageCharWidth() * 3:  # no room: just the number
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            colour = option.palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
            )
            painter.setPen(QPen(colour, 1.2))
            painter.drawPath(sparkline_path(values, area))
        painter.setPen(
            option.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        )
        painter.drawText(
            option.rect.adjusted(margin, 0, -margin, 0),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            text,
        )
        painter.restore()
