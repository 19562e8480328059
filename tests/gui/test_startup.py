"""Start-up keeps heavy work out of the user's way (issue 17): no page loads a heavy library it does not need;
PySide6 no longer reads the source of every module imported, and Qt's names stay the same for every module.

Each check runs in a fresh Python (a subprocess): this test process has long imported what the checks watch.
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


def test_no_page_but_registries_loads_a_heavy_library_and_that_one_only_when_seen(tmp_path):
    """Memory (issue 23: at most 120 MiB while monitoring): the charts are Portside's own, so numpy and pyqtgraph
    (52 MiB) are never imported, and the system keyring's modules (11 MiB) load only once the Registries page is
    seen, to say where a new sign-in would be kept."""
    found = run_python(
        f"""
        import json, os, time
        import _frozen_importlib

        for kind in ("config", "data", "state", "cache"):
            os.environ[f"XDG_{{kind.upper()}}_HOME"] = os.path.join({str(tmp_path)!r}, kind)
        watched_names = ("numpy", "pyqtgraph", "keyring")
        loaded = {{}}  # module -> the pages seen before it was imported
        seen = []
        find_and_load = _frozen_importlib._find_and_load

        def watched(name, import_):
            if name in watched_names and name not in loaded:
                loaded[name] = list(seen)
            return find_and_load(name, import_)

        _frozen_importlib._find_and_load = watched

        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        from gui.app import PAGES
        from gui.core.registry.credentials import CredentialVault
        from gui.views.main_window import MainWindow
        from gui.workers.session import EngineSession
        from tests.fakes import fake_engine

        app = QApplication([])

        def wait(condition, seconds=20):
            deadline = time.monotonic() + seconds
            while not condition() and time.monotonic() < deadline:
                app.processEvents()
                time.sleep(0.01)
            return condition()

        session = EngineSession(diagnose_fn=fake_engine.diagnosis, engine_factory=lambda _: fake_engine.FakeEngine())
        settings = QSettings(os.path.join({str(tmp_path)!r}, "portside.ini"), QSettings.Format.IniFormat)
        vault = CredentialVault({str(tmp_path)!r}, os.path.join({str(tmp_path)!r}, "sign-ins.json"))
        window = MainWindow(session, settings, vault=vault)
        window.show()
        session.start()
        for page in [page for page in PAGES if page != "registries"] + ["registries"]:
            seen.append(page)  # before it shows: what it loads is recorded with it
            window.show_page(page)
            wait(lambda: False, 0.3)
        charted = wait(lambda: window.monitor_page.host.chart is not None)
        told = wait(lambda: window.registries_page.storage_label.text() != "")
        session.stop()
        print(json.dumps({{"loaded": loaded, "charted": charted, "told": told}}))
        """,
        tmp_path,
    )
    assert found["charted"]  # the Monitor page built its chart
    assert "numpy" not in found["loaded"] and "pyqtgraph" not in found["loaded"]
    assert found["told"]  # the Registries page said where sign-ins go: that needed the keyring
    assert found["loaded"]["keyring"][-1] == "registries"


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
