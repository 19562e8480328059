"""Benchmark: how long one live chart takes to update and paint, as the Monitor and Usage pages do every second.

    .venv/bin/python -m tests.bench.bench_charts [--size 900x260] [--repaints 60] [--pen-width 1]

For each case (300 and 3,600 points, one and two lines) a TimeChart is moved on by one second and repainted
--repaints times; prints the median and longest ms of one set_data + paint (the paint rebuilds the lines' polygons,
since the points changed) and of one paint alone (points unchanged: the cached axes and polygons drawn again).
3,600 points are an hour of 1 s samples, drawn as at most two points a pixel column (gui/views/widgets/chart_points.py),
so they should cost about what 300 do. --pen-width undoes the 1-pixel lines the chart draws, to see what that is worth.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import time
from array import array

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CASES = ((300, 1), (300, 2), (600, 1), (3600, 1), (3600, 2))  # (points, lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="900x260")
    parser.add_argument("--repaints", type=int, default=60)
    parser.add_argument("--pen-width", type=float, default=None, help="the lines' width (the app draws 1)")
    args = parser.parse_args()
    for points, lines in CASES:
        update, paint = paint_times(points, lines, args.size, args.repaints, args.pen_width)
        print(
            f"chart {args.size}, {lines} line{'s' if lines > 1 else ''} of {points} points: "
            f"set_data + paint median {statistics.median(update):.2f} ms (longest {max(update):.2f}), "
            f"paint alone median {statistics.median(paint):.2f} ms"
        )


def metrics(quick: bool):
    """For `python -m tests.bench`: one update and repaint of the host chart, as the Monitor page does every second."""
    from tests.bench.results import Metric

    update, _paint = paint_times(300, 2, "900x260", 20 if quick else 60, None)
    return [Metric("chart: one repaint, 2 lines of 300 points", statistics.median(update))]


def paint_times(
    points: int, lines: int, size: str, repaints: int, pen_width: float | None
) -> tuple[list[float], list[float]]:
    """ms of each set_data + repaint of a chart moved on by one second, and of each repaint with nothing new."""
    from PySide6.QtWidgets import QApplication

    from gui.views.widgets import charts

    app = QApplication.instance() or QApplication([])
    chart = charts.TimeChart("Last hour", charts.PERCENT, ("CPU", "Memory")[:lines])
    if pen_width is not None:
        _widen_pens(charts, pen_width)
    width, height = (int(n) for n in size.split("x"))
    chart.resize(width, height)
    chart.set_window(3600 if points > 600 else points)
    chart.show()

    rng = random.Random(1)
    now = time.time()
    times = array("d", (now - points + 1 + i for i in range(points)))
    cpu = array("d", (20 + 10 * math.sin(i / 7) + rng.random() * 5 for i in range(points)))
    memory = array("d", (35 + rng.random() for _ in range(points)))
    chart.set_data(times, *(cpu, memory)[:lines], now=now)
    app.processEvents()
    updates, paints = [], []
    for _ in range(repaints):
        now += 1
        times = array("d", (t + 1 for t in times))
        cpu = cpu[1:] + cpu[:1]
        began = time.perf_counter()
        chart.set_data(times, *(cpu, memory)[:lines], now=now)
        chart.canvas.repaint()
        updates.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        chart.canvas.repaint()
        paints.append((time.perf_counter() - began) * 1000)
    chart.close()
    return updates, paints


def _widen_pens(charts, width: float) -> None:
    """Strokes every line with a `width` pen instead of the chart's one pixel."""

    def stroke(painter, polygons, colour):
        painter.setPen(charts.QPen(colour, width))
        for polygon in polygons:
            painter.drawPolyline(polygon)

    charts.ChartCanvas._stroke = staticmethod(stroke)


if __name__ == "__main__":
    main()
