"""Start-up keeps heavy work out of the user's way (issue 17): the window paints and the engine's lists are shown
first; numpy and pyqtgraph load on a worker thread after them, so the Monitor's first samples and first chart find
them loaded; PySide6 no longer reads the source of every module imported, and Qt's names stay the same for every
module.

Each check runs in a fresh Python (a subprocess): this test process has long imported numpy and pyqtgraph.
Timings live in tests/bench/bench_startup.py; these tests say what happens, never how fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, tmp_path: Path) -> dict:
    """Runs `code` in a fresh interpreter (offscreen Qt, this repository importable); returns the JSON it prints
    last."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a safety net against a hang, not a measure
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_numpy_and_pyqtgraph_load_off_the_gui_thread_once_the_window_and_lists_are_shown(tmp_path):
    found = run_python(
        """
        import gc, json, threading, time
        import _frozen_importlib

        loaded = {}  # module -> (thread name, whether the window had painted by then, whether the lists were in)
        painted = []
        session = None
        find_and_load = _frozen_importlib._find_and_load

        def watched(name, import_):
            if name in ("numpy", "pyqtgraph") and name not in loaded:
                lists_in = session is not None and session.snapshot is not None
                loaded[name] = (threading.current_thread().name, bool(painted), lists_in)
            return find_and_load(name, import_)

        _frozen_importlib._find_and_load = watched

        from PySide6.QtCore import QObject
        from PySide6.QtWidgets import QApplication, QLabel

        from gui import app as portside
        from gui.views.widgets import charts
        from gui.workers.session import EngineSession
        from tests.fakes import fake_engine

        app = QApplication([])
        session = EngineSession(diagnose_fn=fake_engine.diagnosis, engine_factory=lambda _: fake_engine.FakeEngine())
        window = QLabel("Portside")
        window.show()  # as gui.app.run_gui does: the session starts, the window shows, the warm-up waits for both
        portside._after_first_paint(window, lambda: (painted.append(True), portside._first_painted(app, session)))
        session.start()
        deadline = time.monotonic() + 60
        while charts._pg is None and time.monotonic() < deadline:  # configured in the GUI thread once loaded
            app.processEvents()
            time.sleep(0.01)
        elsewhere = [o for o in gc.get_objects() if isinstance(o, QObject) and o.thread() is not app.thread()]
        chart = charts.TimeChart("Last 5 minutes", charts.PERCENT, ("CPU", "Memory"))  # the first chart works
        session.stop()
        print(json.dumps({
            "loaded": loaded,
            "configured": charts._pg is not None,
            "qobjects_elsewhere": len(elsewhere),
            "chart_lines": len(chart.curves),
        }))
        """,
        tmp_path,
    )
    assert found["configured"]
    for module in ("numpy", "pyqtgraph"):
        thread, after_paint, after_lists = found["loaded"][module]
        assert thread != "MainThread", f"{module} was imported in the GUI thread"
        assert after_paint, f"{module} was imported before the window painted"
        assert after_lists, f"{module} was imported before the engine's lists were in"
    assert found["qobjects_elsewhere"] == 0  # importing them made no QObject that lives in the worker thread
    assert found["chart_lines"] == 2


def test_modules_imported_after_pyside6_are_not_read_and_keep_qt_names(tmp_path):
    (tmp_path / "plain_module.py").write_text(
        "from PySide6.QtWidgets import QLabel\n\n"
        "def label_text():\n"
        "    label = QLabel()\n"
        "    label.setText('camelCase')\n"
        "    return label.text()\n"
    )
    (tmp_path / "snake_module.py").write_text(
        "from PySide6.QtWidgets import QLabel\n"
        "from __feature__ import snake_case  # noqa: F401\n\n"
        "def label_text():\n"
        "    label = QLabel()\n"
        "    label.set_text('snake_case')\n"
        "    return label.text()\n"
    )
    found = run_python(
        """
        import inspect, json
        from PySide6.QtWidgets import QApplication

        from gui import app as portside

        portside._skip_pyside_source_scan()
        qt_app = QApplication([])
        reads = []
        get_source = inspect.getsource
        inspect.getsource = lambda thing: reads.append(getattr(thing, "__name__", "?")) or get_source(thing)

        import plain_module
        import snake_module

        print(json.dumps({
            "plain": plain_module.label_text(),
            "snake": snake_module.label_text(),
            "sources_read": reads,
        }))
        """,
        tmp_path,
    )
    assert found["plain"] == "camelCase"  # Qt's own names, as before
    assert found["snake"] == "snake_case"  # a module that opts in still gets the feature
    assert found["sources_read"] == []
