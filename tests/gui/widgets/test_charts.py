"""The charts and the table sparkline the monitor views draw with (gui/views/widgets/charts.py, chart_axes.py,
chart_points.py and sparkline_delegate.py): axis labels in human units, a steady value axis, gaps, long lines drawn
reduced with their peaks, the palette's colours, the wheel left to the page, sparkline paths and painting, and a chart
module that needs neither numpy nor pyqtgraph."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from array import array
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPalette, QStandardItem, QStandardItemModel, QWheelEvent
from PySide6.QtWidgets import QApplication, QTableView

from gui.models.table import SPARK_ROLE
from gui.views.widgets import charts

MiB = 1024**2


def shown_chart(qtbot, *args, size=(600, 260), **kwargs) -> charts.TimeChart:
    chart = charts.TimeChart(*args, **kwargs)
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show()
    qtbot.waitExposed(chart)
    return chart


def line_columns(chart: charts.TimeChart, colour: QColor) -> set[int]:
    """The x of every canvas column inside the plot with a pixel of `colour` over the background, antialiased
    or not: where a line of that colour was drawn."""
    image = chart.canvas.grab().toImage()
    rect = chart.canvas.plot_rect().toRect()
    background = chart.palette().color(QPalette.ColorRole.Base)
    return {
        x
        for x in range(rect.left() + 1, rect.right())
        if any(_tinted(image.pixelColor(x, y), colour, background) for y in range(rect.top(), rect.bottom()))
    }


def _tinted(pixel: QColor, colour: QColor, background: QColor) -> bool:
    """Whether `pixel` is `colour` laid over `background` at a third or more of its strength."""
    base = (background.red(), background.green(), background.blue())
    towards = [c - b for c, b in zip((colour.red(), colour.green(), colour.blue()), base)]
    seen = [p - b for p, b in zip((pixel.red(), pixel.green(), pixel.blue()), base)]
    length = sum(t * t for t in towards) or 1
    strength = sum(s * t for s, t in zip(seen, towards)) / length
    off = sum(abs(s - strength * t) for s, t in zip(seen, towards))
    return strength > 0.33 and off < 30


def test_axis_labels_are_in_human_units():
    def texts(ticks):
        return [text for _value, text in ticks]

    assert charts.value_ticks(120.0, charts.PERCENT, 4) == [(0.0, "0 %"), (50.0, "50 %"), (100.0, "100 %")]
    assert texts(charts.value_ticks(1.2, charts.PERCENT, 4)) == ["0.0 %", "0.5 %", "1.0 %"]
    by_mib = charts.value_ticks(200 * MiB, charts.BYTES, 3)
    assert by_mib == [(0.0, "0 MiB"), (100.0 * MiB, "100 MiB"), (200.0 * MiB, "200 MiB")]  # round MiB, not bytes
    assert texts(charts.value_ticks(2048.0, charts.RATE, 4)) == [
        "0.0 KiB/s",
        "0.5 KiB/s",
        "1.0 KiB/s",
        "1.5 KiB/s",
        "2.0 KiB/s",
    ]
    assert texts(charts.value_ticks(1.2 * 1024 * MiB, charts.BYTES)) == ["0.0 GiB", "0.5 GiB", "1.0 GiB"]
    # About one time label per ten characters: 600 px of 7 px characters has room for 8, so one every minute.
    assert texts(charts.time_ticks(300, 600, 7)) == ["−5 min", "−4 min", "−3 min", "−2 min", "−1 min", "now"]
    assert charts.time_ticks(300, 600, 7)[0] == (-300.0, "−5 min")
    narrow = texts(charts.time_ticks(3600, 300, 7))
    assert narrow[0] == "−1 h" and narrow[-1] == "now" and len(narrow) <= 5
    assert charts.time_tick_text(-30) == "−30 s" and charts.time_tick_text(-90) == "−1.5 min"
    assert charts.format_value(None, charts.PERCENT) == "n/a"
    assert charts.format_value(math.nan, charts.RATE) == "n/a"
    assert charts.format_value(1536, charts.RATE) == "1.5 KiB/s"


def test_the_value_axis_tops_at_a_round_number_and_stays_while_values_wiggle_under_it(qtbot):
    assert charts.round_top(47.0, charts.PERCENT) == 50.0
    assert charts.round_top(100.0, charts.PERCENT) == 120.0  # a full CPU stays under the top
    assert charts.round_top(130 * MiB, charts.BYTES) == 150 * MiB
    assert charts.round_top(1000 * MiB, charts.BYTES) == 1.2 * 1024 * MiB  # 1050 MiB reads as 1.2 GiB
    assert charts.round_top(0.0, charts.RATE) == 1.0
    chart = charts.TimeChart("CPU")
    qtbot.addWidget(chart)
    now = time.time()
    tops = set()
    for value in (41.0, 44.5, 39.2, 46.0):
        chart.set_data([now - 2, now - 1, now], [10.0, 20.0, value], now=now)
        tops.add(chart.y_range())
    assert tops == {(0.0, 50.0)}
    chart.set_data([now - 1, now], [10.0, 55.0], now=now)
    assert chart.y_range() == (0.0, 60.0)
    chart.set_data([now - 400, now - 1, now], [90.0, 10.0, 12.0], now=now)
    assert chart.y_range() == (0.0, 15.0)  # a peak older than the window no longer holds the top up


def test_idle_noise_stays_small_under_the_floor(qtbot):
    now = time.time()
    cpu = charts.TimeChart("CPU")
    memory = charts.TimeChart("Memory", charts.BYTES)
    qtbot.addWidget(cpu)
    qtbot.addWidget(memory)
    cpu.set_data([now - 1, now], [0.01, 0.03], now=now)
    memory.set_data([now - 1, now], [2048.0, 4096.0], now=now)
    assert cpu.y_range() == (0.0, charts.round_top(1.0, charts.PERCENT))
    assert memory.y_range() == (0.0, charts.round_top(MiB, charts.BYTES))


def test_a_limit_raises_the_top_and_is_drawn_dashed(qtbot):
    chart = shown_chart(qtbot, "Memory", charts.BYTES)
    now = time.time()
    chart.set_data([now - 10, now], [100.0 * MiB, 110.0 * MiB], now=now)
    assert chart.y_range() == (0.0, 120.0 * MiB)
    chart.set_limit(512 * MiB)
    assert chart.y_range() == (0.0, 600.0 * MiB)
    image = chart.canvas.grab().toImage()
    rect = chart.canvas.plot_rect()
    row = round(rect.bottom() - 512 / 600 * rect.height())
    background = chart.palette().color(QPalette.ColorRole.Base)
    dashes = [
        not _near(image.pixelColor(x, y), background)
        for x in range(int(rect.left()) + 2, int(rect.right()) - 2)
        for y in (row - 1, row, row + 1)
    ]
    assert 0.2 < sum(dashes) / len(dashes) < 0.9  # drawn, with breaks: dashed
    chart.set_limit(None)
    assert chart.y_range() == (0.0, 120.0 * MiB)


def test_a_gap_breaks_the_line(qtbot):
    chart = shown_chart(qtbot, "CPU")
    now = time.time()
    times = array("d", (now - 299 + i for i in range(300)))
    values = array("d", (math.nan if 100 <= i < 200 else 50.0 for i in range(300)))
    chart.set_data(times, values, now=now)
    columns = line_columns(chart, chart.palette().color(QPalette.ColorRole.Highlight))
    rect = chart.canvas.plot_rect()
    per_second = rect.width() / 300

    def x_of(seconds_ago: float) -> int:
        return round(rect.right() - seconds_ago * per_second)

    assert x_of(250) in columns and x_of(20) in columns  # drawn either side of the gap
    assert not any(x in columns for x in range(x_of(190), x_of(110)))  # and nothing across it
    assert "50.0 %" in chart.values.text()


def test_a_long_line_is_drawn_reduced_with_its_peaks(qtbot):
    chart = shown_chart(qtbot, "CPU", size=(500, 260))
    chart.set_window(3600)
    now = time.time()
    times = array("d", (now - 3599 + i for i in range(3600)))
    values = array("d", (20.0 + 5 * math.sin(i / 40) for i in range(3600)))
    values[1234] = 97.0  # one second's spike
    chart.set_data(times, values, now=now)
    xs, _ys = chart.line_data(0)
    assert len(xs) == 3600 and min(xs) >= -3600 and max(xs) <= 0  # relative to now, all in the window
    chart.canvas.grab()
    drawn_xs, drawn_ys = chart.canvas.drawn_line(0)
    assert 0 < len(drawn_xs) <= 2 * chart.canvas.width()
    assert 97.0 in drawn_ys and min(drawn_ys) == pytest.approx(15.0, abs=0.01)  # the spike and the dips survive
    assert chart.y_range() == (0.0, 120.0)
    spike_x = round(chart.canvas.plot_rect().right() + xs[1234] * chart.canvas.plot_rect().width() / 3600)
    image = chart.canvas.grab().toImage()
    near_top = round(chart.canvas.plot_rect().bottom() - 90 / 120 * chart.canvas.plot_rect().height())
    highlight = chart.palette().color(QPalette.ColorRole.Highlight)
    assert any(_near(image.pixelColor(x, near_top), highlight) for x in range(spike_x - 2, spike_x + 3))


def test_reduced_points_still_break_at_gaps():
    from gui.views.widgets.chart_points import drawn_runs

    xs = [float(i - 1000) for i in range(1000)]
    ys = [math.nan if 400 <= i < 500 else float(i % 10) for i in range(1000)]
    runs = drawn_runs(xs, ys, 0.1, 100.0, 100)  # ten points a pixel column
    assert len(runs) == 2
    assert max(runs[0]) < 400 and min(runs[1]) >= 500  # nothing drawn across the gap
    assert len(runs[0]) <= 2 * 40 and {ys[i] for i in runs[0]} == {0.0, 9.0}  # each column's lowest and highest


def test_only_the_window_is_kept_and_a_wider_window_shows_more(qtbot):
    chart = charts.TimeChart("CPU")
    qtbot.addWidget(chart)
    now = time.time()
    times = [now - 599 + i for i in range(600)]
    chart.set_window(60)
    chart.set_data(times, [1.0] * 600, now=now)
    xs, _ys = chart.line_data(0)
    assert chart.x_range() == (-60.0, 0.0)
    assert len(xs) <= 62 and min(xs) >= -61  # the window's points and one before, to enter at the left edge
    chart.set_window(300)
    assert chart.x_range() == (-300.0, 0.0) and len(chart.line_data(0)[0]) <= 302


def test_current_values_in_the_lines_colours(qtbot):
    chart = charts.TimeChart("Network", charts.RATE, ("received", "sent"))
    qtbot.addWidget(chart)
    now = time.time()
    chart.set_note("limit 1 GiB")
    chart.set_data([now - 1, now], [1024.0, 2048.0], [512.0, math.nan], now=now)
    text = chart.values.text()
    assert "received 2.0 KiB/s" in text and "sent 512 B/s" in text  # the last value before a gap
    assert chart.palette().color(QPalette.ColorRole.Highlight).name() in text
    assert charts.SECOND_COLOUR in text and text.endswith("limit 1 GiB")
    chart.set_data([], [], [], now=now)
    assert "received n/a" in chart.values.text()


def test_the_wheel_scrolls_the_page_instead_of_zooming(qtbot):
    chart = shown_chart(qtbot, "CPU", size=(400, 300))
    chart.set_data([time.time() - 10, time.time()], [1.0, 2.0])
    before = chart.x_range(), chart.y_range()
    centre = QPointF(chart.canvas.width() / 2, chart.canvas.height() / 2)
    event = QWheelEvent(
        centre,
        chart.canvas.mapToGlobal(centre),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(chart.canvas, event)
    assert not event.isAccepted()
    assert (chart.x_range(), chart.y_range()) == before


def test_a_palette_change_repaints_in_the_new_colours(qtbot):
    chart = shown_chart(qtbot, "CPU", charts.PERCENT, ("CPU", "Memory"))
    now = time.time()
    chart.set_data([now - 200, now], [50.0, 50.0], [20.0, 20.0], now=now)
    light = chart.canvas.grab().toImage()
    corner = chart.canvas.plot_rect().topLeft().toPoint() + QPoint(20, 20)
    assert _near(light.pixelColor(corner), chart.palette().color(QPalette.ColorRole.Base))

    dark = QPalette(chart.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e0e0e0"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3daee9"))
    chart.setPalette(dark)
    image = chart.canvas.grab().toImage()
    assert _near(image.pixelColor(corner), QColor("#1e1e1e"))  # the axes picture was drawn again
    assert line_columns(chart, QColor("#3daee9"))  # the first line in the new highlight
    assert line_columns(chart, QColor(charts.SECOND_COLOUR))
    assert "#3daee9" in chart.values.text()


def test_bands_are_stacked_under_the_line_and_raise_the_top(qtbot):
    chart = shown_chart(qtbot, "GPU 0", charts.BYTES, ("all",), colours=(QPalette.ColorRole.Text,))
    now = time.time()
    times = [now - 100 + i for i in range(101)]
    lower, upper = [1024.0 * MiB] * 101, [3072.0 * MiB] * 101
    chart.set_lines([(times, [2048.0 * MiB] * 101)], now)  # the total reads less than the stack
    chart.set_bands(times, [([0.0] * 101, lower, QColor("#4e79a7"), "a"), (lower, upper, QColor("#f28e2b"), "b")], now)
    assert chart.y_range() == (0.0, charts.round_top(3072.0 * MiB, charts.BYTES))
    image = chart.canvas.grab().toImage()
    rect = chart.canvas.plot_rect()
    x = round(rect.right() - 50 * rect.width() / 300)
    background = chart.palette().color(QPalette.ColorRole.Base)

    def colour_at(value: float) -> QColor:
        return image.pixelColor(x, round(rect.bottom() - value / chart.y_range()[1] * rect.height()))

    assert _near(colour_at(512.0 * MiB), charts._tint(QColor("#4e79a7"), background))
    assert _near(colour_at(2560.0 * MiB), charts._tint(QColor("#f28e2b"), background))
    assert _near(colour_at(3500.0 * MiB), background)  # nothing above the stack


def test_sparkline_path_breaks_at_gaps_and_fits_its_rect():
    from gui.views.widgets.sparkline_delegate import MAX_POINTS, sparkline_path

    rect = QRectF(0, 0, 118, 20)
    path = sparkline_path([1.0, 2.0, math.nan, 4.0, 2.0], rect)
    moves = [path.elementAt(i).isMoveTo() for i in range(path.elementCount())]
    assert moves == [True, False, True, False]  # two pieces either side of the gap
    bounds = path.boundingRect()
    assert rect.adjusted(-0.01, -0.01, 0.01, 0.01).contains(bounds)
    assert bounds.right() == pytest.approx(rect.right())  # the newest value at the right edge
    assert sparkline_path([math.nan, math.nan], rect).isEmpty()
    long = sparkline_path([float(i) for i in range(200)], rect)
    assert long.elementCount() == MAX_POINTS


def test_sparkline_delegate_paints_value_and_line(qtbot, tmp_path):
    from gui.views.widgets.sparkline_delegate import SparklineDelegate

    model = QStandardItemModel(2, 1)
    with_line = QStandardItem("12.5 %")
    with_line.setData([0.0, 5.0, 12.5, math.nan, 10.0, 12.5], SPARK_ROLE)
    model.setItem(0, 0, with_line)
    model.setItem(1, 0, QStandardItem("n/a"))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(0, SparklineDelegate(view))
    view.setColumnWidth(0, view.fontMetrics().averageCharWidth() * 24)
    view.show()
    image = view.grab().toImage()
    assert not image.isNull()
    image.save(str(tmp_path / "sparkline.png"))  # kept with the test's files, to look at when it fails
    highlight = view.palette().highlight().color()
    rect = view.visualRect(model.index(0, 0))
    line_pixels = sum(
        1
        for x in range(rect.left(), rect.center().x())
        for y in range(rect.top(), rect.bottom())
        if _near(image.pixelColor(x, y), highlight)
    )
    assert line_pixels > 5  # the sparkline is drawn left of the value


def _near(a, b) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 90


def test_the_chart_module_needs_neither_numpy_nor_pyqtgraph(tmp_path):
    """Issue 23: the app's memory. A chart is built, fed array('d') data and painted with both modules made
    unimportable; its line is there in the picture."""
    code = (
        "import sys, time; from array import array;"
        "sys.modules['numpy'] = None; sys.modules['pyqtgraph'] = None;"
        "from PySide6.QtGui import QPalette; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "import gui.views.monitor.monitor_page, gui.views.monitor.container_usage, gui.views.monitor.gpu_timeline;"
        "from gui.views.widgets.charts import TimeChart; chart = TimeChart('CPU'); chart.resize(400, 200);"
        "now = time.time(); chart.set_data(array('d', [now - 60, now]), array('d', [40.0, 45.0]), now=now);"
        "image = chart.grab().toImage(); colour = chart.palette().color(QPalette.ColorRole.Highlight);"
        "hits = sum(image.pixelColor(x, y) == colour for x in range(image.width()) for y in range(image.height()));"
        "assert hits > 20, hits; print('ok', hits)"
    )
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
