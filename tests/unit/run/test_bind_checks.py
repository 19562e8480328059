"""The warning for binds that hand the engine (or the host) to a container: the engine's socket however it is
reached (its usual paths, the one DOCKER_HOST names, a folder that holds it, a symlink to it), and read-write
binds of the folders that let a container change or take over the host."""

from __future__ import annotations

import os

import pytest

from gui.core.run.checks import engine_sockets, resolved_bind_problems
from gui.core.run.spec import RunSpec
from tests.unit.run.spec_examples import bind, volume

SOCKET_WORDS = "full control of the engine"
SYSTEM_WORDS = "is a system folder, mounted read-write"


def warnings(*mounts) -> list[str]:
    spec = RunSpec("web:1.0", mounts=mounts)
    return [problem.message for problem in spec.problems(4) if problem.field == "mounts" and problem.warning]


@pytest.fixture(autouse=True)
def no_docker_host(monkeypatch):
    monkeypatch.delenv("DOCKER_HOST", raising=False)


@pytest.mark.parametrize(
    "source, read_only",
    [
        ("/var/run/docker.sock", False),
        ("/run/docker.sock", True),  # read-only does not help: connecting to a socket is not a write
        ("/var/run/", False),
        ("/run", True),  # the folder that holds the socket
        ("/var", True),
        ("/", True),
        ("/var/run/./docker.sock", False),
    ],
)
def test_the_engine_socket_however_it_is_named(source, read_only):
    [message] = warnings(bind(source, "/x", read_only))
    assert SOCKET_WORDS in message and "even read-only" in message


def test_the_socket_docker_host_names(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///run/user/1000/docker.sock")
    assert engine_sockets() == ("/var/run/docker.sock", "/run/docker.sock", "/run/user/1000/docker.sock")
    [message] = warnings(bind("/run/user/1000/docker.sock", "/var/run/docker.sock"))
    assert SOCKET_WORDS in message
    assert SOCKET_WORDS in warnings(bind("/run/user/1000", "/x", read_only=True))[0]
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.0.0.5:2376")
    assert engine_sockets() == ("/var/run/docker.sock", "/run/docker.sock")
    assert warnings(bind("/run/user/1000/docker.sock", "/x")) == []


@pytest.mark.parametrize("folder", ["/etc", "/proc", "/sys", "/dev", "/boot", "/var/lib/docker", "/usr", "/root/"])
def test_system_folders_read_write_are_warned_about_read_only_they_are_not(folder):
    [message] = warnings(bind(folder, "/host"))
    assert SYSTEM_WORDS in message and os.path.normpath(folder) in message
    assert warnings(bind(folder, "/host", read_only=True)) == []


@pytest.mark.parametrize("source", ["/home/me/data", "/var/lib/dockerfiles", "/srv/models", "/etc-backup", "/runner"])
def test_ordinary_folders_are_fine(source):
    assert warnings(bind(source, "/data")) == []


def test_a_volume_named_like_a_socket_is_not_a_bind():
    assert warnings(volume("docker.sock", "/data")) == []


# Through symlinks (on the disk: resolved_bind_problems runs in a worker) -------------------------------------------


@pytest.fixture
def fake_socket(tmp_path, monkeypatch):
    """An engine 'socket' in tmp_path, named by DOCKER_HOST."""
    folder = tmp_path / "engine"
    folder.mkdir()
    socket = folder / "docker.sock"
    socket.touch()
    monkeypatch.setenv("DOCKER_HOST", f"unix://{socket}")
    return socket


def test_a_symlink_to_the_engine_socket(tmp_path, fake_socket):
    link = tmp_path / "innocent.sock"
    link.symlink_to(fake_socket)
    [problem] = resolved_bind_problems([bind("/home/me/data", "/data"), bind(str(link), "/var/run/docker.sock")])
    assert problem.row == 1 and problem.warning and problem.field == "mounts"
    assert SOCKET_WORDS in problem.message and f"{link} leads to {fake_socket}" in problem.message
    assert warnings(bind(str(link), "/sock")) == []  # the pure checks cannot know: no disk on the GUI thread


def test_a_link_to_a_folder_that_holds_the_socket(tmp_path, fake_socket):
    link = tmp_path / "stuff"
    link.symlink_to(fake_socket.parent)
    [problem] = resolved_bind_problems([bind(str(link), "/stuff", read_only=True)])
    assert SOCKET_WORDS in problem.message


def test_a_link_that_reaches_the_default_socket_through_a_linked_folder(tmp_path, monkeypatch):
    """/var/run is itself a link to /run on most systems: both sides are resolved before they are compared."""
    real_run = tmp_path / "run"
    real_run.mkdir()
    (real_run / "docker.sock").touch()
    monkeypatch.setattr("gui.core.run.checks.DOCKER_SOCKETS", (str(tmp_path / "var-run" / "docker.sock"),))
    (tmp_path / "var-run").symlink_to(real_run)
    link = tmp_path / "mine.sock"
    link.symlink_to(real_run / "docker.sock")
    [problem] = resolved_bind_problems([bind(str(link), "/s")])
    assert SOCKET_WORDS in problem.message


def test_a_link_to_a_system_folder(tmp_path):
    link = tmp_path / "config"
    link.symlink_to("/etc")
    [problem] = resolved_bind_problems([bind(str(link), "/config")])
    assert SYSTEM_WORDS in problem.message and f"{link} leads to /etc" in problem.message
    assert resolved_bind_problems([bind(str(link), "/config", read_only=True)]) == []


def test_plain_paths_and_what_the_pure_checks_already_say_are_left_alone(tmp_path, fake_socket):
    (tmp_path / "data").mkdir()
    assert resolved_bind_problems([bind(str(tmp_path / "data"), "/data"), volume("cache", "/cache")]) == []
    assert resolved_bind_problems([bind(str(fake_socket), "/s")]) == []  # warned once, by spec_problems
    assert SOCKET_WORDS in warnings(bind(str(fake_socket), "/s"))[0]


def test_the_run_dialogs_host_checks_follow_links_for_a_local_engine_only(tmp_path, fake_socket):
    from dataclasses import replace

    from gui.core.run.context import preflight
    from tests.unit.run.test_context import context

    link = tmp_path / "innocent.sock"
    link.symlink_to(fake_socket)
    spec = RunSpec("my-ai-app:1", mounts=(bind(str(link), "/var/run/docker.sock"),))
    local = [problem.message for problem in preflight(spec, context()) if problem.field == "mounts"]
    assert len(local) == 1 and SOCKET_WORDS in local[0]
    remote = preflight(spec, replace(context(), host_is_local=False))
    assert [problem for problem in remote if problem.field == "mounts"] == []
