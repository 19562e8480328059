"""`docker exec -it` on the real engine: the shell a terminal opens, keystrokes and their echo, the size `stty` sees,
the exit code when the shell ends, a container that stops under the terminal, and one that is not running.

The shared busybox image has /bin/sh (busybox ash) and no bash; the no-shell image is FROM scratch with only the
static busybox binary at /busybox, so no `bash` or `sh` on its PATH."""

from __future__ import annotations

import threading

import pytest

from gui.core.engine.exec_terminal import ExecTerminal
from gui.core.errors import EngineError
from tests.engine import engine_helpers as eh
from tests.engine import images

DEADLINE_S = 30  # generous: two cores and an engine shared with other tests


@pytest.fixture(scope="module")
def no_shell_image(docker_client):
    labels = eh.labels_for("tests/engine/test_exec_terminal_engine.py")
    tag = f"portside-test/exec-terminal-no-shell:{labels[eh.CASE_LABEL]}"
    try:
        images.build_image(
            docker_client,
            tag,
            'FROM scratch\nCOPY busybox /busybox\nCMD ["/busybox", "sleep", "300"]\n',
            labels,
            {"busybox": images.BUSYBOX_BINARY},
        )
        yield tag
    finally:
        eh.remove_labelled(docker_client, f"{eh.CASE_LABEL}={labels[eh.CASE_LABEL]}")


@pytest.fixture
def busybox(docker_client, busybox_image, test_labels):
    return _running(docker_client, busybox_image, test_labels, ["sleep", "300"])


def _running(docker_client, tag: str, labels: dict[str, str], command: list[str] | None = None):
    container = docker_client.containers.run(tag, command, detach=True, labels=labels)
    assert eh.wait_until(lambda: (container.reload() or container.status) == "running", deadline_s=DEADLINE_S)
    return container


class Screen:
    """Everything a terminal printed, read on a thread of its own as the terminal widget's reader does."""

    def __init__(self, terminal: ExecTerminal):
        self.terminal = terminal
        self.output = b""
        self.ended = threading.Event()
        self._thread = threading.Thread(target=self._read, name="test terminal reader", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while data := self.terminal.read():
            self.output += data
        self.ended.set()

    def type(self, text: str) -> None:
        self.terminal.write(text.encode())

    def shows(self, text: str) -> bool:
        return eh.wait_until(lambda: text.encode() in self.output, deadline_s=DEADLINE_S)

    def close(self) -> None:
        self.terminal.close()
        self._thread.join(DEADLINE_S)
        assert not self._thread.is_alive()


@pytest.fixture
def screens():
    opened: list[Screen] = []

    def open_screen(terminal: ExecTerminal) -> Screen:
        opened.append(Screen(terminal))
        return opened[-1]

    yield open_screen
    for screen in opened:
        screen.close()


def test_the_shell_found_in_busybox_and_none_in_a_scratch_image(
    docker_client, engine, busybox, no_shell_image, test_labels
):
    assert engine.find_shell(busybox.id) == "sh"
    assert engine.find_shell(_running(docker_client, no_shell_image, test_labels).id) is None


def test_typing_a_command_and_its_output(engine, busybox, screens):
    screen = screens(engine.open_terminal(busybox.id, ["sh"], 24, 80))
    screen.type("echo hello-$((6*7))\r")
    assert screen.shows("hello-42")  # only the output: the echoed keystrokes say $((6*7))


def test_the_size_stty_sees_follows_resize(engine, busybox, screens):
    terminal = engine.open_terminal(busybox.id, ["sh"], 24, 80)
    screen = screens(terminal)
    screen.type("stty size\r")
    assert screen.shows("24 80")
    terminal.resize(33, 101)
    screen.type("stty size\r")
    assert screen.shows("33 101")


@pytest.mark.parametrize(("typed", "code"), [("exit", 0), ("exit 3", 3)])
def test_exiting_the_shell_ends_the_session_with_its_exit_code(engine, busybox, screens, typed, code):
    terminal = engine.open_terminal(busybox.id, ["sh"], 24, 80)
    screen = screens(terminal)
    screen.type(f"{typed}\r")
    assert screen.ended.wait(DEADLINE_S)
    assert terminal.read() == b""
    assert terminal.exit_code() == code


def test_a_container_that_stops_ends_the_session(engine, busybox, screens):
    screen = screens(engine.open_terminal(busybox.id, ["sh"], 24, 80))
    screen.type("echo ready\r")
    assert screen.shows("ready")
    busybox.kill()
    assert screen.ended.wait(DEADLINE_S)


def test_a_stopped_container_is_refused_in_words(docker_client, engine, busybox_image, test_labels):
    container = docker_client.containers.create(busybox_image, ["sleep", "300"], labels=test_labels)
    with pytest.raises(EngineError) as refused:
        engine.open_terminal(container.id, ["sh"], 24, 80)
    assert "the container is not running. Start it first" in refused.value.message
    with pytest.raises(EngineError) as refused:
        engine.find_shell(container.id)
    assert "the container is not running. Start it first" in refused.value.message
