"""The charts and the table sparkline the monitor views draw with (gui/views/widgets/charts.py and
sparkline_delegate.py): axis labels in human units, a steady value axis, the wheel left to the page, sparkline paths
and painting, and pyqtgraph loaded only when a chart is built."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel, QWheelEvent
from PySide6.QtWidgets import QTableView

from gui.models.table import SPARK_ROLE

MiB = 1024**2


def test_axis_labels_are_in_human_units(qtbot):
    from gui.views.widgets import charts

    chart = charts.TimeChart("Memory", charts.BYTES)
    qtbot.addWidget(chart)
    axis = chart.plot.getPlotItem().getAxis("left")
    spacing = axis.tickSpacing(0, 500 * MiB, 300)
    assert spacing[0][0] % MiB == 0  # round MiB steps, not round byte counts
    assert axis.tickStrings([0, 100 * MiB, 200 * MiB], 1, 100 * MiB) == ["0 MiB", "100 MiB", "200 MiB"]
    rate = charts.TimeChart("Network", charts.RATE, ("received", "sent"))
    qtbot.addWidget(rate)
    assert rate.plot.getPlotItem().getAxis("left").tickStrings([1536], 1, 512) == ["1.5 KiB/s"]
    percent = charts.TimeChart("CPU", charts.PERCENT)
    qtbot.addWidget(percent)
    assert percent.plot.getPlotItem().getAxis("left").tickStrings([0, 50, 100], 1, 50) == ["0 %", "50 %", "100 %"]
    times = chart.plot.getPlotItem().getAxis("bottom")
    assert times.tickStrings([-300, -240, -30, 0], 1, 60) == ["−5 min", "−4 min", "−30 s", "now"]
    assert charts.format_value(None, charts.PERCENT) == "n/a"
    assert charts.format_value(math.nan, charts.RATE) == "n/a"


def test_the_value_axis_tops_at_a_round_number_and_stays_while_values_wiggle_under_it(qtbot):
    from gui.views.widgets import charts

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


def test_the_wheel_scrolls_the_page_instead_of_zooming(qtbot):
    from gui.views.widgets import charts

    chart = charts.TimeChart("CPU")
    qtbot.addWidget(chart)
    chart.resize(400, 300)
    chart.show()
    chart.set_data([time.time() - 10, time.time()], [1.0, 2.0])
    before = chart.x_range(), chart.y_range()
    centre = QPointF(chart.plot.width() / 2, chart.plot.height() / 2)
    event = QWheelEvent(
        centre,
        chart.plot.mapToGlobal(centre),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(chart.plot.viewport(), event)
    assert not event.isAccepted()
    assert (chart.x_range(), chart.y_range()) == before


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


def test_pyqtgraph_loads_only_when_a_chart_is_built():
    code = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "import gui.views.monitor.monitor_page, gui.views.monitor.container_usage, gui.views.widgets.sparkline_delegate;"
        "assert 'pyqtgraph' not in sys.modules, 'imported at start-up';"
        "from gui.views.widgets.charts import TimeChart; TimeChart('CPU');"
        "assert 'pyqtgraph' in sys.modules"
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
    assert result.stderr == ""  # no Qt warnings from loading or configuring pyqtgraph
