"""Packaging files: the .desktop entry, AppStream metainfo, the rendered icons, what the wheel holds, and setup.sh.

The validators are the same tools distributions run, so passing here means the
files will be accepted downstream. No Qt: PNGs are checked by reading their header.
Building and installing for real is tests/install (slow).
"""

import configparser
import fnmatch
import os
import shutil
import struct
import subprocess
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.unavailable import unavailable

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.portside.Portside"
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256)  # keep in step with packaging/make_icons.py
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUP_SH = ROOT / "packaging" / "setup.sh"


def _run_tool(*cmd: str) -> str:
    # A missing validator must not silently pass in CI, but a dev laptop without
    # it should still be able to run the unit suite.
    if shutil.which(cmd[0]) is None:
        unavailable(f"{cmd[0]} is not installed")
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


def test_desktop_file_validates():
    # Not even a hint: desktop-file-validate passes files with hints (such as two main categories, which put
    # the app in two menus), so they are checked for here.
    assert _run_tool("desktop-file-validate", str(DESKTOP)) == ""


def test_metainfo_validates():
    # --no-net: the homepage URL must not be fetched (tests run offline).
    _run_tool("appstreamcli", "validate", "--no-net", str(METAINFO))


@pytest.mark.parametrize("size", SIZES)
def test_png_icon_has_right_size(size):
    path = ICONS / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    assert path.is_file(), f"missing {path}; run packaging/make_icons.py"
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    # The first chunk is always IHDR: 4-byte length, b"IHDR", then big-endian width, height.
    assert header[12:16] == b"IHDR"
    assert struct.unpack(">II", header[16:24]) == (size, size)


def test_scalable_icon_exists():
    assert (ICONS / "scalable" / "apps" / f"{APP_ID}.svg").is_file()


def test_desktop_icon_matches_icon_files():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # desktop keys are case-sensitive
    entry.read(DESKTOP, encoding="utf-8")
    icon = entry["Desktop Entry"]["Icon"]
    # Icon= is a theme name: no path and no extension, equal to the file stem.
    assert icon == APP_ID
    assert (ICONS / "256x256" / "apps" / f"{icon}.png").is_file()


def test_metainfo_release_is_the_package_version():
    releases = ElementTree.parse(METAINFO).getroot().find("releases")
    assert releases[0].get("version") == PYPROJECT["project"]["version"]


def test_metainfo_categories_match_the_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    categories = [c.text for c in ElementTree.parse(METAINFO).getroot().find("categories")]
    assert entry["Desktop Entry"]["Categories"] == "".join(f"{c};" for c in categories)


# -- what the wheel holds ------------------------------------------------------------------------------------------


def test_every_gui_package_is_listed_in_pyproject():
    """[tool.setuptools] packages is a list (resources/ is mapped in as gui.resources): a package missing from it
    would be left out of wheels, yet still work in the editable install."""
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "gui").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert sorted(found - listed) == [], "add these to [tool.setuptools] packages in pyproject.toml"
    assert sorted(listed - found) == ["gui.resources"], "packages listed in pyproject.toml that do not exist"


def test_resources_are_installed_as_gui_resources():
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert setuptools["package-dir"] == {"gui.resources": "resources"}
    patterns = setuptools["package-data"]["gui.resources"]
    base = ROOT / "resources"
    shipped = {
        path.relative_to(base).as_posix()
        for path in base.rglob("*")
        if path.is_file() and any(fnmatch.fnmatch(path.relative_to(base).as_posix(), p) for p in patterns)
    }
    templates = {f"templates/{path.name}" for path in (base / "templates").glob("*.j2")}
    icons = {path.relative_to(base).as_posix() for path in (base / "icons").rglob("*") if path.is_file()}
    assert templates and templates <= shipped
    assert icons <= shipped
    assert not any(name.startswith("screenshots/") for name in shipped), "screenshots are only for the README"


# -- setup.sh ------------------------------------------------------------------------------------------------------


def test_setup_sh_runs_apt_get_only_through_the_waiting_wrapper():
    calls = [
        line.strip()
        for line in SETUP_SH.read_text(encoding="utf-8").splitlines()
        if "apt-get " in line and not line.strip().startswith("#")
    ]
    assert calls == ['apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT_S" "$@" 2>"$errors" || status=$?']


def _fake_apt_get(tmp_path, script: str) -> dict[str, str]:
    fake = tmp_path / "bin" / "apt-get"
    fake.parent.mkdir()
    fake.write_text("#!/bin/bash\n" + script)
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}", "APT_RETRY_S": "0"}


def test_setup_sh_waits_while_another_apt_run_holds_the_lock(tmp_path):
    # Fails twice as apt does when another apt run holds the package lists' lock, then succeeds.
    env = _fake_apt_get(
        tmp_path,
        f"""echo "$@" >> {tmp_path}/calls
if (( $(wc -l < {tmp_path}/calls) < 3 )); then
  echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 1 (apt-get)" >&2; exit 100
fi
""",
    )
    result = subprocess.run(
        ["bash", "-c", f"source {SETUP_SH} && apt_get update -qq"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "calls").read_text().splitlines() == ["-o DPkg::Lock::Timeout=600 update -qq"] * 3
    assert result.stderr.count("apt is busy") == 2


def test_setup_sh_fails_at_once_on_other_apt_errors(tmp_path):
    env = _fake_apt_get(
        tmp_path, f'echo "$@" >> {tmp_path}/calls; echo "E: Unable to locate package nope" >&2; exit 100\n'
    )
    result = subprocess.run(
        ["bash", "-c", f"source {SETUP_SH} && apt_get install nope"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 100
    assert len((tmp_path / "calls").read_text().splitlines()) == 1
    assert "Unable to locate package nope" in result.stderr
