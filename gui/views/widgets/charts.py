"""Live time charts on pyqtgraph: one or two lines, human units on the axes, the system palette's colours.

pyqtgraph (and its Qt shim) costs a few tenths of a second to import, so nothing here imports it at module
level: the app imports it on a worker thread once its window and first lists are shown (import_modules), and
otherwise the first TimeChart built pays for it.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFontMetrics, QGuiApplication, QPalette
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.core.format import human_bytes

# Kinds of value a chart shows: they pick the axis labels and the text of the current value.
PERCENT = "percent"
BYTES = "bytes"
RATE = "rate"  # bytes per second

# The second line (tx, write, limit) needs a colour the palette does not name; this orange reads on light and dark.
SECOND_COLOUR = "#e07b39"

_pg = None  # the pyqtgraph module, once imported and configured
_classes: dict[str, type] = {}


def import_modules() -> None:
    """Imports numpy, then pyqtgraph, without configuring pyqtgraph: safe on a worker thread, since importing them
    creates no QObject (tests/gui/test_startup.py checks). The app does it once its window and first lists are
    shown (gui/app.py), so that neither they nor the first chart wait for the import. numpy comes first and on its own:
    the Monitor's first samples need it about a second after start, in the GUI thread."""
    import numpy  # noqa: F401
    import pyqtgraph  # noqa: F401


def pyqtgraph():
    """pyqtgraph, imported and configured on first use (PySide6 is already loaded, so it binds to that)."""
    global _pg
    if _pg is None:
        import pyqtgraph as pg

        # Antialiased lines; no OpenGL (offscreen and remote desktops), no surprise zoom from the wheel or a drag.
        pg.setConfigOptions(antialias=True, useOpenGL=False, leftButtonPan=False)
        _pg = pg
        # pyqtgraph and numpy live as long as the app: keep their objects out of later full collections, which
        # run in the GUI thread (gui.workers.main_thread_gc) and would otherwise scan them every time.
        gc.freeze()
    return _pg


def format_value(value: float | None, kind: str) -> str:
    """The text of one value: '12.5 %', '1.2 GiB', '340.0 KiB/s', or 'n/a'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == PERCENT:
        return f"{value:.1f} %"
    if kind == RATE:
        return f"{human_bytes(value)}/s"
    return human_bytes(value)


def _binary_unit(value: float) -> tuple[float, str]:
    """The power of 1024 (and its name) that shows `value` with at most three digits before the point."""
    names = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    unit = 1.0
    for name in names:
        if abs(value) < unit * 1024 or name == names[-1]:
            return unit, name
        unit *= 1024
    raise AssertionError("unreachable")


def time_tick_text(seconds_ago: float) -> str:
    """A time-axis tick, relative to now: 'now', '−30 s', '−5 min', '−1 h'."""
    seconds = round(-seconds_ago)
    if seconds <= 0:
        return "now"
    if seconds % 3600 == 0:
        return f"−{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"−{seconds // 60} min"
    if seconds > 60:
        return f"−{seconds / 60:.1f} min"
    return f"−{seconds} s"


_TIME_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
# Tops of the value axis, times a power of ten in the axis's unit: round numbers a little apart.
_TOP_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
_HEADROOM = 1.05  # the highest value stays a little under the top


def round_top(value: float, kind: str) -> float:
    """The top of a chart's value axis for `value`: the next round number above it (12 %, 150 MiB, 2.5 GiB/s).

    Why round: a top that followed the values moved every second, and every move makes pyqtgraph lay out and
    paint the axis labels again; a round top changes only when the values cross it, and reads better too."""
    if not value > 0 or math.isinf(value):
        return 1.0
    unit = 1.0 if kind == PERCENT else _binary_unit(value * _HEADROOM)[0]
    scaled = value * _HEADROOM / unit
    power = 10.0 ** math.floor(math.log10(scaled))
    step = next(step for step in _TOP_STEPS if step * power >= scaled * (1 - 1e-12))
    return step * power * unit


def _axis_classes() -> tuple[type, type]:
    """AxisItem subclasses for time (seconds before now) and for values in human units; made once, lazily."""
    if "time" in _classes:
        return _classes["time"], _classes["value"]
    pg = pyqtgraph()

    class TimeAxis(pg.AxisItem):
        def tickSpacing(self, minVal, maxVal, size):
            span = maxVal - minVal
            if span <= 0:
                return super().tickSpacing(minVal, maxVal, size)
            # About one label per ten characters of width, on round steps of seconds and minutes.
            char_width = QFontMetrics(self.style.get("tickFont") or QGuiApplication.font()).averageCharWidth()
            room = max(2, int(size / (char_width * 10)))
            step = next((s for s in _TIME_STEPS if span / s <= room), _TIME_STEPS[-1])
            return [(float(step), 0.0)]

        def tickStrings(self, values, scale, spacing):
            return [time_tick_text(value) for value in values]

    class ValueAxis(pg.AxisItem):
        kind = PERCENT

        def tickSpacing(self, minVal, maxVal, size):
            if self.kind == PERCENT:
                return super().tickSpacing(minVal, maxVal, size)
            # Round steps in the unit the labels use (100 MiB, 200 MiB), not in raw bytes (104857600).
            unit, _ = _binary_unit(max(abs(minVal), abs(maxVal)))
            return [
                (spacing * unit, offset * unit)
                for spacing, offset in super().tickSpacing(minVal / unit, maxVal / unit, size)
            ]

        def tickStrings(self, values, scale, spacing):
            if self.kind == PERCENT:
                places = 0 if spacing >= 1 else 1
                return [f"{value:.{places}f} %" for value in values]
            unit, name = _binary_unit(max((abs(v) for v in values), default=0))
            places = 0 if spacing / unit >= 1 or name == "B" else 1
            suffix = "/s" if self.kind == RATE else ""
            return [f"{value / unit:.{places}f} {name}{suffix}" for value in values]

    _classes["time"], _classes["value"] = TimeAxis, ValueAxis
    return TimeAxis, ValueAxis


def _plot_widget_class() -> type:
    """A PlotWidget that lets the wheel scroll the page around it instead of zooming the chart."""
    if "plot" not in _classes:
        pg = pyqtgraph()

        class PlotWidget(pg.PlotWidget):
            def wheelEvent(self, event):
                event.ignore()

        _classes["plot"] = PlotWidget
    return _classes["plot"]


class TimeChart(QWidget):
    """A titled chart of one or two series over the last N seconds, with the current values above it.

    x is seconds relative to now (−window … 0), so the axis reads '−5 min … now' and the chart scrolls as
    time passes without rebuilding anything.
    """

    def __init__(self, title: str, kind: str = PERCENT, lines: Sequence[str] = ("",), parent=None):
        super().__init__(parent)
        self.kind = kind
        self.line_names = tuple(lines)
        self._window = 300.0
        # The smallest top of the y range, so that an idle container's noise does not fill the chart.
        self._floor = {PERCENT: 1.0, BYTES: float(1024**2)}.get(kind, 1024.0)
        self._limit: float | None = None
        self._limit_line = None
        self._note = ""

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

        pg = pyqtgraph()
        time_axis, value_axis = _axis_classes()
        self._value_axis = value_axis(orientation="left")
        self._value_axis.kind = kind
        self.plot = _plot_widget_class()(
            self, axisItems={"bottom": time_axis(orientation="bottom"), "left": self._value_axis}
        )
        self.plot.setObjectName("chart-plot")
        item = self.plot.getPlotItem()
        item.setMouseEnabled(x=False, y=False)
        item.setMenuEnabled(False)
        item.hideButtons()
        item.showGrid(x=True, y=True, alpha=0.15)
        # The axes (with the grid, which they draw) change only when the range does, which round_top keeps rare:
        # kept as pixmaps they are not laid out and replayed every second (6 ms each here).
        for name in ("left", "bottom"):
            item.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        item.getViewBox().setDefaultPadding(0.0)
        # Axis widths from the font, not pixels: labels like '1000.0 MiB/s' fit at any scale factor.
        metrics = self.fontMetrics()
        self._value_axis.setWidth(metrics.horizontalAdvance("1023.9 MiB/s") + metrics.averageCharWidth())
        self.plot.setMinimumHeight(metrics.lineSpacing() * 8)
        self.plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.curves = [self.plot.plot([], [], name=name) for name in self.line_names]
        for curve in self.curves:
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
        self._pg = pg

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.plot, 1)
        self._apply_palette()
        self.set_window(self._window)
        item.enableAutoRange(x=False, y=False)  # set_lines sets the ranges
        item.setYRange(0, round_top(self._floor, kind), padding=0)

    # Data ----------------------------------------------------------------------------------------

    def set_window(self, seconds: float) -> None:
        """Show the last `seconds` (one of timeseries.WINDOWS)."""
        self._window = float(seconds)
        self.plot.getPlotItem().setXRange(-self._window, 0, padding=0)

    def x_range(self) -> tuple[float, float]:
        low, high = self.plot.getPlotItem().getViewBox().viewRange()[0]
        return float(low), float(high)

    def y_range(self) -> tuple[float, float]:
        low, high = self.plot.getPlotItem().getViewBox().viewRange()[1]
        return float(low), float(high)

    def set_note(self, note: str) -> None:
        """A plain remark after the current values, such as the memory limit."""
        self._note = note

    def set_limit(self, limit: float | None) -> None:
        """A dashed ceiling (a memory limit); None removes it."""
        self._limit = limit
        if limit is None:
            if self._limit_line is not None:
                self.plot.removeItem(self._limit_line)
                self._limit_line = None
            return
        if self._limit_line is None:
            self._limit_line = self._pg.InfiniteLine(angle=0, movable=False)
            self.plot.addItem(self._limit_line)
            self._apply_palette()
        self._limit_line.setPos(limit)

    def set_data(self, t, *values, now: float | None = None) -> None:
        """Times (epoch seconds) and one value array per line, all on the same times; NaN values are gaps."""
        self.set_lines([(t, series) for series in values], now)

    def set_lines(self, lines: Sequence[tuple], now: float | None = None) -> None:
        """One (times, values) pair per line, as Series.window gives them; NaN values are gaps."""
        import numpy

        now = time.time() if now is None else now
        top = self._floor
        for curve, (t, series) in zip(self.curves, lines):
            x = numpy.asarray(t, dtype=float) - now
            y = numpy.asarray(series, dtype=float)
            curve.setData(x, y, connect="finite")
            visible = y[x >= -self._window]
            if numpy.isfinite(visible).any():
                top = max(top, float(numpy.nanmax(visible)))
        if self._limit is not None:
            top = max(top, self._limit)
        top = round_top(top, self.kind)
        if self.y_range() != (0.0, top):  # an unchanged range keeps the axis as it was drawn
            self.plot.getPlotItem().setYRange(0, top, padding=0)
        self.show_values([self._last(series) for _t, series in lines], self._note)

    def show_values(self, current: Sequence[float | None], note: str = "") -> None:
        """The current value of each line above the chart; `note` adds a plain remark (the limit)."""
        parts = []
        for name, colour, value in zip(self.line_names, self._colours(), current):
            label = f"{name} " if name else ""
            parts.append(f"<span style='color:{colour.name()}'>■</span> {label}{format_value(value, self.kind)}")
        if note:
            parts.append(note)
        self.values.setText("&nbsp;&nbsp;".join(parts))

    @staticmethod
    def _last(series) -> float | None:
        for value in reversed(series):
            if not math.isnan(value):
                return float(value)
        return None

    # Look ----------------------------------------------------------------------------------------

    def _colours(self) -> list[QColor]:
        first = self.palette().color(QPalette.ColorRole.Highlight)
        return [first, QColor(SECOND_COLOUR)][: len(self.line_names)]

    def _apply_palette(self) -> None:
        palette = self.palette()
        self.plot.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        faint = QColor(text)
        faint.setAlphaF(0.5)
        item = self.plot.getPlotItem()
        for name in ("left", "bottom"):
            axis = item.getAxis(name)
            axis.setPen(faint)
            axis.setTextPen(text)
        # One pixel: Qt draws antialiased one-pixel lines on a fast path. At 1.5 a 300-point line took 2 to 3 ms
        # to stroke, and the whole chart 17 ms to paint instead of 1 (tests/bench/bench_charts.py).
        for curve, colour in zip(self.curves, self._colours()):
            curve.setPen(self._pg.mkPen(colour, width=1))
        if self._limit_line is not None:
            self._limit_line.setPen(self._pg.mkPen(faint, width=1, style=Qt.PenStyle.DashLine))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # the desktop switched to dark mode (or back)
            self._apply_palette()
