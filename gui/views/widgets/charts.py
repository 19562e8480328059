"""Live time charts painted with QPainter: one or two lines (and stacked bands, for the GPU timeline) over the last
N seconds, human units on the axes, the system palette's colours.

Light on purpose: no chart library and no numpy (issue 23: pyqtgraph and numpy cost 52 MiB of the app's memory).
A paint draws one cached picture of the axes and grid, then a polyline per line with only the points inside the
window, at most two a pixel column (chart_points), so an hour of 1 s samples paints like five minutes of them.
What the axes say is worked out in chart_axes.
"""

from __future__ import annotations

import struct
import sys
import time
from array import array
from collections.abc import Sequence

from PySide6.QtCore import QByteArray, QDataStream, QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPixmap, QPolygonF, QTransform
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.views.widgets.chart_axes import (
    BYTES,
    PERCENT,
    RATE,
    _binary_unit,
    format_value,
    round_top,
    time_tick_text,
    time_ticks,
    value_ticks,
)
from gui.views.widgets.chart_points import drawn_runs, has_gaps, highest, in_window, last_value

__all__ = [
    "BYTES",
    "PERCENT",
    "RATE",
    "SECOND_COLOUR",
    "ChartCanvas",
    "TimeChart",
    "_binary_unit",
    "format_value",
    "round_top",
    "time_tick_text",
    "time_ticks",
    "value_ticks",
]

# The second line (tx, write, limit) needs a colour the palette does not name; this orange reads on light and dark.
SECOND_COLOUR = "#e07b39"
_GRID_ALPHA = 0.15  # grid lines: the text's colour, faint
_AXIS_ALPHA = 0.5  # the axes' own lines and the dashed limit
_FILL_STRENGTH = 0.6  # a band's fill: its colour this far from the background towards it

ColourSpec = QPalette.ColorRole | str


def _tint(colour: QColor, background: QColor, strength: float = _FILL_STRENGTH) -> QColor:
    """The colour mixed into the background, opaque: see-through bands side by side would mix into a colour of no
    owner where antialiased edges meet."""
    mixed = [round(b + (c - b) * strength) for c, b in zip(colour.getRgb()[:3], background.getRgb()[:3])]
    return QColor(*mixed)


def _faint(colour: QColor, alpha: float) -> QColor:
    faint = QColor(colour)
    faint.setAlphaF(alpha)
    return faint


def _take(values: Sequence[float], run: range | list[int]) -> array:
    """The values at a run's indices as doubles, NaN as 0 (a band's edge, which its summit may not share)."""
    taken = array("d", values[run.start : run.stop] if isinstance(run, range) else [values[i] for i in run])
    if has_gaps(taken):
        taken = array("d", (value if value == value else 0.0 for value in taken))
    return taken


def _reversed(values: array) -> array:
    backwards = array("d", values)
    backwards.reverse()
    return backwards


def _polygon(xs: array, ys: array) -> QPolygonF:
    """A polygon through (xs[i], ys[i]), built in C: the points go in as QDataStream's bytes (a count, then x and y
    as doubles), which costs a tenth of making a QPointF for each in Python (pyqtgraph builds its paths the same
    way)."""
    pairs = array("d", bytes(16 * len(xs)))
    pairs[0::2], pairs[1::2] = xs, ys
    if sys.byteorder == "big":
        pairs.byteswap()
    stream = QDataStream(QByteArray(struct.pack("<I", len(xs)) + pairs.tobytes()))
    stream.setByteOrder(QDataStream.ByteOrder.LittleEndian)
    polygon = QPolygonF()
    stream >> polygon  # reads the polygon from the stream
    return polygon


class ChartCanvas(QWidget):
    """The painted part of a TimeChart: axes, grid, bands, lines and the dashed limit. TimeChart gives it points
    already placed in time (x: seconds relative to now, −window … 0) and the value axis's top."""

    def __init__(self, chart: TimeChart):
        super().__init__(chart)
        self._chart = chart
        self.window = 300.0
        self.top = 1.0
        self.limit: float | None = None
        self.lines: list[tuple[list[float], Sequence[float]]] = []  # (xs, ys) per line, the window's points
        self.band_xs: list[float] = []
        self.bands: list[tuple[Sequence[float], Sequence[float], QColor, str]] = []  # (bottoms, tops, colour, name)
        self._version = 0  # counts data changes: the shapes are rebuilt only for a new version or geometry
        self._axes: tuple[tuple, QPixmap] | None = None
        self._shapes: tuple[tuple, list, list] | None = None
        self._drawn: list[tuple] = []  # per line, (xs, ys, runs of indices) as the last paint drew them
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # the axes picture covers every pixel
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def changed(self) -> None:
        """New points, window or top: repaint, rebuilding the shapes."""
        self._version += 1
        self.update()

    def drawn_line(self, index: int) -> tuple[list[float], list[float]]:
        """The points of line `index` that the last paint drew, as (xs, ys): the window's points, or the lowest and
        highest of each pixel column where there were more points than columns."""
        if index >= len(self._drawn):
            return [], []
        xs, ys, runs = self._drawn[index]
        picked = [i for run in runs for i in run]
        return [float(xs[i]) for i in picked], [float(ys[i]) for i in picked]

    def plot_rect(self) -> QRectF:
        """Where values go: right of the value labels, above the time labels, with half a line above for the top
        label and room right of 'now' for its label."""
        metrics = self.fontMetrics()
        line = metrics.lineSpacing()
        left = metrics.horizontalAdvance("1023.9 MiB/s") + metrics.averageCharWidth()
        right = self.width() - metrics.horizontalAdvance("now") // 2 - 2
        top = line // 2 + 1
        bottom = self.height() - line - metrics.averageCharWidth() // 2 - 2
        return QRectF(left, top, max(1, right - left), max(1, bottom - top))

    # Painting ------------------------------------------------------------------------------------

    def paintEvent(self, event) -> None:
        rect = self.plot_rect()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._axes_picture(rect))
        painter.setClipRect(rect.adjusted(-1, -1, 1, 1))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        band_shapes, line_shapes = self._shapes_for(rect)
        background = self.palette().color(QPalette.ColorRole.Base)
        for (fills, edges), (_bottoms, _tops, colour, _name) in zip(band_shapes, self.bands):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_tint(colour, background))
            for polygon in fills:
                painter.drawPolygon(polygon)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            self._stroke(painter, edges, colour)
        # One pixel: Qt strokes antialiased one-pixel lines on a fast path (a wider pen took 2 to 3 ms a line).
        for polygons, colour in zip(line_shapes, self._chart.line_colours()):
            self._stroke(painter, polygons, colour)
        if self.limit is not None:
            y = rect.bottom() - self.limit * rect.height() / self.top
            faint = _faint(self.palette().color(QPalette.ColorRole.Text), _AXIS_ALPHA)
            painter.setPen(QPen(faint, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
        painter.end()

    @staticmethod
    def _stroke(painter: QPainter, polygons: list[QPolygonF], colour: QColor) -> None:
        painter.setPen(QPen(colour, 1))
        for polygon in polygons:
            if polygon.size() > 1:
                painter.drawPolyline(polygon)
            else:  # one point between two gaps: still shown
                painter.drawPoints(polygon)

    def _shapes_for(self, rect: QRectF) -> tuple[list, list]:
        """The bands' fills and edges and the lines' polylines in pixels, rebuilt only when the points, the window,
        the top or the size changed since the last paint."""
        key = (rect.getRect(), self.top, self.window, self._version)
        if self._shapes is not None and self._shapes[0] == key:
            return self._shapes[1], self._shapes[2]
        scale = rect.width() / self.window
        offset = rect.left() + self.window * scale  # x = 0 (now) at the right edge
        to_pixels = QTransform(scale, 0, 0, -rect.height() / self.top, offset, rect.bottom())
        columns = int(rect.width())

        self._drawn = []
        line_shapes = []
        for xs, ys in self.lines:
            runs = drawn_runs(xs, ys, scale, offset, columns)
            self._drawn.append((xs, ys, runs))
            line_shapes.append([to_pixels.map(_polygon(_take(xs, run), _take(ys, run))) for run in runs])
        band_shapes = []
        if self.bands:
            xs = self.band_xs
            runs = drawn_runs(xs, self.bands[-1][1], scale, offset, columns)  # the summit decides what is drawn
            for bottoms, tops, _colour, _name in self.bands:
                fills, edges = [], []
                for run in runs:
                    run_xs, run_tops = _take(xs, run), _take(tops, run)
                    edges.append(to_pixels.map(_polygon(run_xs, run_tops)))
                    # along the top edge, then back along the bottom one
                    outline_xs = run_xs + _reversed(run_xs)
                    fills.append(to_pixels.map(_polygon(outline_xs, run_tops + _reversed(_take(bottoms, run)))))
                band_shapes.append((fills, edges))
        self._shapes = (key, band_shapes, line_shapes)
        return band_shapes, line_shapes

    def _axes_picture(self, rect: QRectF) -> QPixmap:
        """The background, grid, axes and their labels, drawn again only when the size, the range, the window, the
        font or the palette changed: they stay put while the lines move every second."""
        palette, ratio = self.palette(), self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, self.top, self.window, palette.cacheKey(), self.font().key())
        if self._axes is not None and self._axes[0] == key:
            return self._axes[1]
        picture = QPixmap(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
        picture.setDevicePixelRatio(ratio)
        picture.fill(palette.color(QPalette.ColorRole.Base))
        painter = QPainter(picture)
        text = palette.color(QPalette.ColorRole.Text)
        grid, axis = QPen(_faint(text, _GRID_ALPHA), 0), QPen(_faint(text, _AXIS_ALPHA), 0)
        metrics = self.fontMetrics()
        line, char = metrics.lineSpacing(), metrics.averageCharWidth()
        left, right, top, bottom = round(rect.left()), round(rect.right()), round(rect.top()), round(rect.bottom())

        most = max(2, int(rect.height() / (line * 2)))
        for value, label in value_ticks(self.top, self._chart.kind, most):
            y = round(rect.bottom() - value * rect.height() / self.top)
            if value > 0:
                painter.setPen(grid)
                painter.drawLine(left, y, right, y)
            painter.setPen(text)
            middle = y - line / 2 if value > 0 else y - line + 1  # 0 sits above the axis, clear of '−5 min' below
            painter.drawText(
                QRectF(0, middle, left - char / 2, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        for seconds_ago, label in time_ticks(self.window, rect.width(), char):
            x = round(rect.left() + (seconds_ago + self.window) * rect.width() / self.window)
            if left < x:
                painter.setPen(grid)
                painter.drawLine(x, top, x, bottom)
            width = metrics.horizontalAdvance(label)
            at = min(max(0, x - width / 2), self.width() - width)  # '−5 min' and 'now' kept whole at the ends
            painter.setPen(text)
            painter.drawText(QPointF(at, bottom + char / 2 + metrics.ascent() + 1), label)
        painter.setPen(axis)
        painter.drawLine(left, top, left, bottom)
        painter.drawLine(left, bottom, right, bottom)
        painter.end()
        self._axes = (key, picture)
        return picture

    def wheelEvent(self, event) -> None:
        event.ignore()  # no zoom: the wheel scrolls the page the chart is on


class TimeChart(QWidget):
    """A titled chart of one or two series over the last N seconds, with the current values above it.

    x is seconds relative to now (−window … 0), so the axis reads '−5 min … now' and the chart scrolls as
    time passes without rebuilding anything.
    """

    def __init__(
        self,
        title: str,
        kind: str = PERCENT,
        lines: Sequence[str] = ("",),
        parent=None,
        colours: Sequence[ColourSpec] = (QPalette.ColorRole.Highlight, SECOND_COLOUR),
    ):
        super().__init__(parent)
        self.kind = kind
        self.line_names = tuple(lines)
        self._colour_specs = tuple(colours)  # a palette role follows the palette (dark mode); a name stays put
        # The smallest top of the y range, so that an idle container's noise does not fill the chart.
        self._floor = {PERCENT: 1.0, BYTES: float(1024**2)}.get(kind, 1024.0)
        self._limit: float | None = None
        self._note = ""
        self._now = time.time()
        self._given_lines: list[tuple[Sequence[float], Sequence[float]]] = []  # as set_lines got them
        self._given_bands: tuple[Sequence[float], list] = ((), [])
        self._line_peak: float | None = None  # the highest value of the lines in the window
        self._band_peak: float | None = None  # and of the bands' summit
        self._values_text = ""  # the current values as show_values wrote them (redone in new colours)
        self._shown: tuple[list, str] = ([], "")

        self.title = QLabel(title, self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.values = QLabel(self)  # current value(s), in the lines' colours
        self.values.setTextFormat(Qt.TextFormat.RichText)
        self.values.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(self.title)
        header.addStretch()
        header.addWidget(self.values)

        self.canvas = ChartCanvas(self)
        self.canvas.setObjectName("chart-canvas")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.canvas, 1)
        self._rescale()

    # Data ----------------------------------------------------------------------------------------

    def set_window(self, seconds: float) -> None:
        """Show the last `seconds` (one of timeseries.WINDOWS)."""
        self.canvas.window = float(seconds)
        self._place()

    def x_range(self) -> tuple[float, float]:
        return -self.canvas.window, 0.0

    def y_range(self) -> tuple[float, float]:
        return 0.0, self.canvas.top

    def set_note(self, note: str) -> None:
        """A plain remark after the current values, such as the memory limit."""
        self._note = note

    def set_limit(self, limit: float | None) -> None:
        """A dashed ceiling (a memory limit), which the value axis reaches up to; None removes it."""
        self._limit = self.canvas.limit = limit
        self._rescale()
        self.canvas.changed()

    def set_data(self, t, *values, now: float | None = None) -> None:
        """Times (epoch seconds) and one value sequence per line, all on the same times; NaN values are gaps."""
        self.set_lines([(t, series) for series in values], now)

    def set_lines(self, lines: Sequence[tuple], now: float | None = None) -> None:
        """One (times, values) pair per line, as Series.window gives them (any float sequences, times sorted);
        NaN values are gaps."""
        self._now = time.time() if now is None else now
        self._given_lines = [(times, values) for times, values in list(lines)[: len(self.line_names)]]
        self._place_lines()
        self.show_values([last_value(values) for _times, values in self._given_lines], self._note)

    def set_bands(self, times: Sequence[float], bands: Sequence[tuple], now: float | None = None) -> None:
        """Filled bands under the lines, on shared times: (bottom values, top values, QColor, name) each, drawn in
        that order, filled with the colour mixed into the background and edged with it on top. The GPU timeline
        stacks each owner's memory on the ones below this way."""
        self._now = time.time() if now is None else now
        self._given_bands = (times, list(bands))
        self._place_bands()

    def line_data(self, index: int) -> tuple[list[float], list[float]]:
        """Line `index`'s points inside the window (and one either side), as placed on the chart: (xs, ys), xs in
        seconds relative to now. canvas.drawn_line gives the fewer a paint may draw of them."""
        if index >= len(self.canvas.lines):
            return [], []
        xs, ys = self.canvas.lines[index]
        return list(xs), [float(y) for y in ys]

    def show_values(self, current: Sequence[float | None], note: str = "") -> None:
        """The current value of each line above the chart; `note` adds a plain remark (the limit)."""
        self._shown = (list(current), note)
        parts = []
        for name, colour, value in zip(self.line_names, self.line_colours(), current):
            label = f"{name} " if name else ""
            parts.append(f"<span style='color:{colour.name()}'>■</span> {label}{format_value(value, self.kind)}")
        if note:
            parts.append(note)
        self._values_text = "&nbsp;&nbsp;".join(parts)
        self.values.setText(self._values_text)

    def line_colours(self) -> list[QColor]:
        """Each line's colour, from the palette as it is now."""
        palette = self.palette()
        colours = [
            QColor(spec) if isinstance(spec, str) else palette.color(spec)
            for spec in self._colour_specs[: len(self.line_names)]
        ]
        return colours + [palette.color(QPalette.ColorRole.Text)] * (len(self.line_names) - len(colours))

    def _place(self) -> None:
        self._place_lines()
        self._place_bands()

    def _place_lines(self) -> None:
        """Cuts the given lines down to the window's points, placed relative to now, and sets the top."""
        now, window, canvas = self._now, self.canvas.window, self.canvas
        canvas.lines, peaks = [], []
        for times, values in self._given_lines:
            first, end, inside = in_window(times, now, window)
            canvas.lines.append(([t - now for t in times[first:end]], values[first:end]))
            peaks.append(highest(values[inside:end]))
        self._line_peak = max((peak for peak in peaks if peak is not None), default=None)
        self._rescale()
        canvas.changed()

    def _place_bands(self) -> None:
        """The same for the bands; their summit (the last band's tops) may raise the top."""
        now, window, canvas = self._now, self.canvas.window, self.canvas
        times, bands = self._given_bands
        canvas.bands, canvas.band_xs, self._band_peak = [], [], None
        if bands:
            first, end, inside = in_window(times, now, window)
            canvas.band_xs = [t - now for t in times[first:end]]
            canvas.bands = [
                (bottoms[first:end], tops[first:end], colour, name) for bottoms, tops, colour, name in bands
            ]
            self._band_peak = highest(bands[-1][1][inside:end])
        self._rescale()
        canvas.changed()

    def _rescale(self) -> None:
        """The value axis from 0 to a round number above the highest visible value, the limit and the floor."""
        top = max(self._floor, self._line_peak or 0.0, self._band_peak or 0.0, self._limit or 0.0)
        self.canvas.top = round_top(top, self.kind)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the desktop switched to dark mode (or back)
            if self.values.text() == self._values_text:  # ours, not a legend a page wrote there
                self.show_values(*self._shown)
            self.canvas.update()
