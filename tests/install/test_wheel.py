"""The wheel, installed into a fresh venv, works from any folder: --version, doctor, a screenshot, and the
templates and icons found through gui.resources in the venv (not in the repository)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib

import pytest

from tests.install.conftest import ROOT, assert_screenshot, clean_env, copy_sources, measure, run, timed_run

pytestmark = pytest.mark.install

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]

CHECK_INSTALLED = """
import json, sys
from pathlib import Path
import gui
from gui.core import resources
from gui.core.dockerfile.hadolint import hadolint_path
from gui.core.dockerfile.recipe import AppKind, default_spec, render_dockerfile, templates_dir

kinds = [kind.value for kind in AppKind if (templates_dir() / kind.template).is_file()]
print(json.dumps({
    "prefix": sys.prefix,
    "gui": gui.__file__,
    "resources": str(resources.root()),
    "kinds": kinds,
    "all_kinds": [kind.value for kind in AppKind],
    "dockerfile": render_dockerfile(default_spec(AppKind.SCRIPT)),
    "svg": resources.icon_path("portside.svg").is_file(),
    "pngs": len(resources.app_icons()),
    "screenshots": (resources.root() / "screenshots").exists(),
    "hadolint": hadolint_path(),
}))
"""


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A fresh venv with Portside's wheel (and its dependencies, from the package index or pip's cache)."""
    base = tmp_path_factory.mktemp("wheel")
    start = time.perf_counter()
    sources = copy_sources(base / "src")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", base / "wheels", sources],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = (base / "wheels").glob("portside-*.whl")
    built = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", base / "venv"], check=True, timeout=300)
    install = subprocess.run(
        [base / "venv" / "bin" / "python", "-m", "pip", "install", "-q", wheel],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr
    done = time.perf_counter()
    measure(f"wheel: built in {built - start:.1f} s, fresh venv with it and its dependencies in {done - built:.1f} s")
    return base / "venv"


def test_version_comes_from_the_package_metadata(venv, scratch):
    result = run([venv / "bin" / "portside", "--version"], scratch, clean_env(scratch))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Portside {VERSION}"


def test_doctor_runs_with_or_without_an_engine(venv, scratch):
    result = run([venv / "bin" / "portside", "doctor", "--json"], scratch, clean_env(scratch))
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["usable"] is (result.returncode == 0)


def test_screenshot_of_the_builds_page(venv, scratch):
    shot = scratch / "builds.png"
    result, seconds = timed_run(
        [venv / "bin" / "portside", "--screenshot", shot, "--page", "builds"], scratch, clean_env(scratch)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert_screenshot(shot)
    measure(f"wheel: portside --screenshot (builds page) in {seconds:.2f} s")


def test_templates_and_icons_come_from_the_venv(venv, scratch):
    result = run([venv / "bin" / "python", "-c", CHECK_INSTALLED], scratch, clean_env(scratch))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    site = found["prefix"]
    assert found["gui"].startswith(site) and found["resources"].startswith(site), "not the venv's own copy"
    assert found["kinds"] and found["kinds"] == found["all_kinds"]
    assert found["dockerfile"].lstrip().startswith("#") and "FROM python:" in found["dockerfile"]
    assert found["svg"] and found["pngs"] == 7
    assert not found["screenshots"], "the README's screenshots are not part of the package"
    assert found["hadolint"] and found["hadolint"].startswith(site)
