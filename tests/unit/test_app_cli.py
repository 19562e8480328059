"""The command line: --page takes only pages that exist, --size and --theme shape a screenshot, `portside doctor`
names a DOCKER_HOST that does not answer, and --screenshot leaves no temporary files behind (issue 14)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from gui import app

ROOT = Path(__file__).parents[2]


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def quiet_env(tmp_path, closed_port) -> dict[str, str]:
    """The app's environment: an engine address that does not answer, and nothing of the developer's touched."""
    env = {**os.environ, "DOCKER_HOST": f"tcp://127.0.0.1:{closed_port}", "QT_QPA_PLATFORM": "offscreen"}
    env["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")  # the log file
    env.pop("DOCKER_CONTEXT", None)
    return env


def portside(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "gui", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_unknown_page_is_refused_with_the_valid_ones(capsys):
    with pytest.raises(SystemExit) as exit_info:
        app.parse_args(["--screenshot", "shot.png", "--page", "foo"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "invalid choice: 'foo'" in error
    assert all(repr(page) in error for page in app.PAGES)


@pytest.mark.parametrize("page", app.PAGES)
def test_every_page_is_accepted(page):
    assert app.parse_args(["--screenshot", "shot.png", "--page", page]).page == page


def test_learn_is_a_page():
    assert "learn" in app.PAGES


def test_the_page_list_matches_the_window():
    from gui.views.main_window import PAGES

    assert sorted(app.PAGES) == sorted(PAGES)


def test_reading_the_command_line_needs_no_qt(quiet_env):
    check = "import sys; from gui import app; app.parse_args(['--page', 'images']); print('PySide6' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, env=quiet_env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr


def test_unknown_page_exits_2_from_the_command_line(quiet_env):
    result = portside("--screenshot", "shot.png", "--page", "foo", env=quiet_env)
    assert result.returncode == 2
    assert "choose from" in result.stderr and "'containers'" in result.stderr


def test_doctor_names_a_docker_host_that_does_not_answer(quiet_env, closed_port):
    result = portside("doctor", env=quiet_env)
    assert result.returncode == 1
    address = f"tcp://127.0.0.1:{closed_port}"
    assert f"DOCKER_HOST is set to {address}, and nothing answers there." in result.stdout
    assert "unset DOCKER_HOST" in result.stdout
    assert "systemctl start docker" not in result.stdout


def test_screenshot_leaves_no_temporary_files(quiet_env, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    shot = tmp_path / "engine.png"
    result = portside("--screenshot", str(shot), "--page", "engine", env={**quiet_env, "TMPDIR": str(scratch)})
    assert result.returncode == 0, result.stderr
    assert shot.stat().st_size > 0
    assert list(scratch.iterdir()) == []


def test_size_and_theme_are_read_for_screenshots():
    args = app.parse_args(["--screenshot", "shot.png", "--page", "learn", "--size", "1280x800", "--theme", "dark"])
    assert args.size == (1280, 800) and args.theme == "dark"
    defaults = app.parse_args(["--screenshot", "shot.png"])
    assert defaults.size is None and defaults.theme is None  # the window's own size, the desktop's palette


@pytest.mark.parametrize("option", [["--size", "1280"], ["--size", "0x800"], ["--size", "wide"], ["--theme", "blue"]])
def test_a_wrong_size_or_theme_is_refused(option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        app.parse_args(["--screenshot", "shot.png", *option])
    assert exit_info.value.code == 2
    assert option[0] in capsys.readouterr().err


def test_size_and_theme_stay_out_of_the_help(capsys):
    with pytest.raises(SystemExit):
        app.parse_args(["--help"])
    help_text = capsys.readouterr().out
    assert "--screenshot" in help_text
    assert "--size" not in help_text and "--theme" not in help_text  # for the README's shots, not for users


def test_screenshot_has_the_size_and_theme_asked_for(quiet_env, tmp_path):
    from PySide6.QtGui import QImage

    shot = tmp_path / "engine-dark.png"
    result = portside(
        "--screenshot", str(shot), "--page", "engine", "--size", "900x640", "--theme", "dark", env=quiet_env
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (900, 640)
    assert image.pixelColor(image.width() - 4, image.height() // 3).lightness() < 128  # a dark window
