"""Benchmark: how long one live chart takes to paint, as the Monitor and Usage pages repaint them every second.

    .venv/bin/python -m tests.bench.bench_charts [--points 300] [--size 900x260] [--pen-width 1]
                                                 [--no-axis-cache] [--repaints 60]

A TimeChart with two lines of --points values (the host chart's CPU and memory over five minutes), moved on by
one second and repainted --repaints times; prints the median and longest paint. --pen-width and --no-axis-cache
undo the two choices gui/views/charts.py made, to see what they are worth.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=300)
    parser.add_argument("--size", default="900x260")
    parser.add_argument("--pen-width", type=float, default=None, help="the lines' width (the app draws 1)")
    parser.add_argument("--no-axis-cache", action="store_true", help="paint the axes afresh every time")
    parser.add_argument("--repaints", type=int, default=60)
    args = parser.parse_args()
    paints = sorted(paint_times(args.points, args.size, args.pen_width, args.no_axis_cache, args.repaints))
    print(
        f"chart {args.size}, 2 lines of {args.points} points, pen {args.pen_width or 'as the app'}, "
        f"axis cache {'off' if args.no_axis_cache else 'on'}: "
        f"median paint {paints[len(paints) // 2]:.1f} ms, longest {paints[-1]:.1f} ms"
    )


def metrics(quick: bool):
    """For `python -m tests.bench`: one repaint of the host chart, as the Monitor page does every second."""
    import statistics

    from tests.bench.results import Metric

    paints = paint_times(300, "900x260", None, False, 20 if quick else 60)
    return [Metric("chart: one repaint, 2 lines of 300 points", statistics.median(paints))]


def paint_times(points: int, size: str, pen_width: float | None, no_axis_cache: bool, repaints: int) -> list[float]:
    """ms of each repaint of a chart moved on by one second."""
    import numpy
    from PySide6.QtWidgets import QApplication, QGraphicsItem

    from gui.views.widgets import charts

    app = QApplication.instance() or QApplication([])
    chart = charts.TimeChart("Last 5 minutes", charts.PERCENT, ("CPU", "Memory"))
    if pen_width is not None:
        for curve in chart.curves:
            curve.setPen(charts.pyqtgraph().mkPen(curve.opts["pen"].color(), width=pen_width))
    if no_axis_cache:
        for name in ("left", "bottom"):
            chart.plot.getPlotItem().getAxis(name).setCacheMode(QGraphicsItem.CacheMode.NoCache)
    width, height = (int(n) for n in size.split("x"))
    chart.resize(width, height)
    chart.show()

    rng = numpy.random.default_rng(1)
    now = time.time()
    times = now - numpy.arange(points)[::-1]
    cpu = 20 + 10 * numpy.sin(numpy.arange(points) / 7) + rng.random(points) * 5
    memory = 35 + rng.random(points)
    chart.set_data(times, cpu, memory, now=now)
    app.processEvents()
    paints = []
    for _ in range(repaints):
        now += 1
        times = times + 1
        cpu = numpy.roll(cpu, -1)
        chart.set_data(times, cpu, memory, now=now)
        began = time.perf_counter()
        chart.plot.viewport().repaint()
        paints.append((time.perf_counter() - began) * 1000)
    return paints


if __name__ == "__main__":
    main()
