"""What the install tests share: the app run from a scratch folder with a clean environment, and the timings
they measure, printed at the end of the run (tests never assert durations)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MEASUREMENTS: list[str] = []


def measure(text: str) -> None:
    MEASUREMENTS.append(text)


def pytest_terminal_summary(terminalreporter):
    if MEASUREMENTS:
        terminalreporter.section("install measurements")
        for line in MEASUREMENTS:
            terminalreporter.write_line(line)


def copy_sources(target: Path) -> Path:
    """What a wheel is built from, copied away from the repository (whose build/ folder may hold stale modules)."""
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("gui", "resources"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def clean_env(home: Path, path: str = "/usr/bin:/bin") -> dict[str, str]:
    """A user's bare environment: nothing of this test run (virtualenv, PYTHONPATH, XDG folders) leaks in."""
    return {"PATH": path, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def timed_run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 120):
    start = time.perf_counter()
    result = run(cmd, cwd, env, timeout)
    return result, time.perf_counter() - start


def assert_screenshot(path: Path) -> None:
    """A real window grab: a PNG of a window's size with more than a few bytes of content."""
    assert path.is_file(), f"no screenshot at {path}"
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 300, (width, height)
    assert len(data) > 5000, "an almost empty image"


@pytest.fixture
def scratch(tmp_path) -> Path:
    """The current folder of the app under test, and its HOME: empty, and not the repository."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder
