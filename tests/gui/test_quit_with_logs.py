"""Quitting with a Logs window whose stream the engine has not answered ends cleanly (issue 15): exit code 0, no
traceback, whatever the engine does meanwhile.

The real app runs in a process of its own (tests/gui/quit_driver.py: gui.app.main on the fake engine), so its own
event loop, shutdown and exit code are what is tested. Before the fix, a stream given up on (its window closed)
still counted as running, and quitting waited for it and drained it: when the engine answered during the quit,
the drain touched the worker's deleted timer (RuntimeError, exit code 1); a reader still blocked at exit aborted
the process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def quit_app(tmp_path: Path, mode: str) -> tuple[subprocess.CompletedProcess, str]:
    """Runs the driver; its result and what the app wrote to its log file."""
    home = tmp_path / "home"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(home),
        **{name: str(home / name.lower()) for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")},
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.gui.quit_driver", mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a safety net against a hang, not a measure
    )
    logs = "".join(path.read_text(errors="replace") for path in (home / "xdg_state_home").rglob("*.log"))
    return result, logs


@pytest.mark.parametrize("mode", ["stalled", "closed-then-late"])
def test_quitting_while_a_logs_stream_waits_for_the_engine_exits_cleanly(tmp_path, mode):
    result, logs = quit_app(tmp_path, mode)
    assert "logs asked" in result.stdout and "quitting" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stderr + logs
    for text in (result.stderr, logs):
        assert "Traceback" not in text and "RuntimeError" not in text, text
