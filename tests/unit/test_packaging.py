"""Packaging files: the .desktop entry, AppStream metainfo and the rendered icons.

The validators are the same tools distributions run, so passing here means the
files will be accepted downstream. No Qt: PNGs are checked by reading their header.
"""

import configparser
import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.portside.Portside"
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256)  # keep in step with packaging/make_icons.py
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _run_tool(*cmd: str) -> None:
    # A missing validator must not silently pass in CI, but a dev laptop without
    # it should still be able to run the unit suite.
    if shutil.which(cmd[0]) is None:
        message = f"{cmd[0]} is not installed"
        if os.environ.get("REQUIRE_ENGINE") == "1" or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}"


def test_desktop_file_validates():
    _run_tool("desktop-file-validate", str(DESKTOP))


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
