"""The one-folder PyInstaller bundle (packaging/build-bundle.sh) runs on its own: from a scratch folder with a
bare environment (no Python, venv or repository in sight) it prints its version, runs doctor and renders a
screenshot. Built once per run into a temporary folder; its size and start-up time are measured."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
import tomllib

import pytest

from tests.install.conftest import ROOT, assert_screenshot, clean_env, measure, run, timed_run

pytestmark = pytest.mark.install

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
SCREENSHOT_RUNS = 3


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """dist/portside/ built by packaging/build-bundle.sh into a temporary folder (the repository's dist/ is left
    alone). PORTSIDE_BUNDLE=DIR reuses a bundle built before, for working on these tests."""
    if os.environ.get("PORTSIDE_BUNDLE"):
        return ROOT / os.environ["PORTSIDE_BUNDLE"]
    base = tmp_path_factory.mktemp("bundle")
    start = time.perf_counter()
    result = subprocess.run(
        ["bash", ROOT / "packaging" / "build-bundle.sh", base / "dist", base / "work"],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    measure(f"bundle: built in {time.perf_counter() - start:.0f} s")
    folder = base / "dist" / "portside"
    size = subprocess.run(["du", "-sh", folder], capture_output=True, text=True, check=True).stdout.split()[0]
    measure(f"bundle: {size} on disk (du -sh)")
    return folder


def test_bundle_holds_its_resources_and_hadolint(bundle):
    assert (bundle / "portside").is_file() and os.access(bundle / "portside", os.X_OK)
    # Beside the executable, where hadolint_path() (gui.core.dockerfile) looks for it.
    assert os.access(bundle / "hadolint", os.X_OK)
    assert sorted(path.name for path in (bundle / "gui" / "resources" / "templates").glob("*.j2"))
    assert (bundle / "gui" / "resources" / "icons" / "portside.svg").is_file()
    assert not (bundle / "gui" / "resources" / "screenshots").exists()


def test_version(bundle, scratch):
    result = run([bundle / "portside", "--version"], scratch, clean_env(scratch))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Portside {VERSION}"


def test_doctor_runs_with_or_without_an_engine(bundle, scratch):
    result = run([bundle / "portside", "doctor", "--json"], scratch, clean_env(scratch))
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["usable"] is (result.returncode == 0)


def test_screenshot_and_start_time(bundle, scratch):
    seconds = []
    for attempt in range(SCREENSHOT_RUNS):
        shot = scratch / f"containers-{attempt}.png"
        result, elapsed = timed_run([bundle / "portside", "--screenshot", shot], scratch, clean_env(scratch))
        assert result.returncode == 0, result.stdout + result.stderr
        assert_screenshot(shot)
        seconds.append(elapsed)
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    measure(f"bundle: start to screenshot (containers page) {runs} s, median {statistics.median(seconds):.2f} s")
