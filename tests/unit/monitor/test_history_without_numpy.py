"""The metric history works without numpy, which the app no longer ships (18 MiB resident, of the 120 MiB goal)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = textwrap.dedent(
    """
    import sys

    sys.modules["numpy"] = None  # "import numpy" now fails, as where it is not installed

    from gui.core.monitor.attribution import GpuUse
    from gui.core.monitor.gpu import COMPUTE, GpuProcessUse, GpuSample, GpuSnapshot
    from gui.core.monitor.gpu_timeline import GpuTimeline
    from gui.core.monitor.gpu_use import used_since
    from gui.core.monitor.timeseries import Series

    T0 = 1_700_000_000.0
    series = Series()
    for i in range(1200):  # past the fine ring: an hour's window splices 10 s means before the 1 s points
        series.append(T0 + i, None if i == 600 else float(i % 3))
    times, values = series.window(3600, now=T0 + 1199)
    assert len(times) == len(values) > 900 and values[-1] == 2.0, (len(times), values[-1])
    assert series.recent(3) == [0.0, 1.0, 2.0]
    assert used_since(series, T0, T0 + 1199)

    timeline = GpuTimeline()
    owner = "c" * 64
    for t in (T0, T0 + 1):
        gpu = GpuSample(0, "GPU 0", "GPU-0", 1.0, 1.0, 3 * 2**30, 2**34, *[None] * 6, ())
        use = GpuUse(owner, 2**30, (GpuProcessUse(100, 0, "GPU-0", 2**30, COMPUTE, None),), None)
        timeline.record(GpuSnapshot((gpu,), "550", (12, 4), None, t), {owner: use})
    stack = timeline.stack(0, 60, T0 + 2)
    assert list(stack.total) == [3 * 2**30] * 2 and [layer.peak for layer in stack.layers] == [2**30]
    assert "numpy" not in sys.modules or sys.modules["numpy"] is None
    print("history ok")
    """
)


def test_history_charts_and_gpu_use_work_without_numpy():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "history ok" in result.stdout
