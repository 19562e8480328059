"""The Terminal window on the real engine (issue 18): `docker exec -it` in a running container, with pyte's screen
read back as the user sees it: a command's output, the size the program is told, a full-screen program, exit, a
container that stops, and an image with no shell."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.workers.terminal_session import NO_SHELL
from tests.engine.images import BUSYBOX_BINARY, build_image
from tests.engine.test_app_on_engine import names, select_row

WAIT_MS = 30_000


@pytest.fixture
def no_shell_image(docker_client, test_labels) -> str:
    """FROM scratch with busybox's binary alone: it sleeps, and neither bash nor sh is there."""
    tag = "portside-test/no-shell:1"  # labelled: the session sweep removes it
    dockerfile = 'FROM scratch\nCOPY busybox /busybox\nCMD ["/busybox", "sleep", "600"]\n'
    build_image(docker_client, tag, dockerfile, test_labels, files={"busybox": BUSYBOX_BINARY})
    return tag


def open_terminal(window, qtbot, container):
    page = window.containers_page
    qtbot.waitUntil(lambda: container.name in names(page), timeout=10_000)
    select_row(page, lambda text: text == container.name)
    qtbot.waitUntil(page.terminal_action.isEnabled, timeout=10_000)
    page.terminal_action.trigger()
    terminal = window.terminal_windows[container.id]
    tab = terminal.terminals()[-1]
    qtbot.waitUntil(lambda: tab.running and screen(tab).rstrip().endswith(("#", "$")), timeout=WAIT_MS)  # a prompt
    return terminal, tab


def screen(tab) -> str:
    return "\n".join(tab.view.screen.text())


def type_line(qtbot, tab, line: str) -> None:
    qtbot.keyClicks(tab.view, line)
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)


def sleeper(docker_client, image, labels):
    return docker_client.containers.run(image, ["sleep", "600"], detach=True, labels=labels)


def test_a_shell_runs_commands_knows_its_size_and_exits(app_window, qtbot, docker_client, busybox_image, test_labels):
    container = sleeper(docker_client, busybox_image, test_labels)
    terminal, tab = open_terminal(app_window(), qtbot, container)
    assert tab.link.command == ["sh"]  # busybox has no bash: the shell was found, not assumed
    assert tab.twin.text() == f"docker exec -it {container.name} sh"

    type_line(qtbot, tab, "echo hello-$((6*7))")
    qtbot.waitUntil(lambda: "\nhello-42" in screen(tab), timeout=WAIT_MS)

    terminal.resize(terminal.width() + 160, terminal.height() + 100)
    rows, columns = tab.view.size_in_cells()
    qtbot.waitUntil(lambda: tab.view.size_in_cells() == (tab.view.screen.lines, tab.view.screen.columns), timeout=5000)
    qtbot.waitUntil(lambda: not tab.view._settle.isActive(), timeout=5000)  # sent: typing goes after it, in order
    type_line(qtbot, tab, "stty size")
    qtbot.waitUntil(lambda: f"\n{rows} {columns}" in screen(tab), timeout=WAIT_MS)

    type_line(qtbot, tab, "exit 3")
    qtbot.waitUntil(lambda: "exit code 3" in tab.status.text(), timeout=WAIT_MS)
    terminal.close()


def test_a_full_screen_program_gives_the_shell_s_screen_back(
    app_window, qtbot, docker_client, busybox_image, test_labels
):
    container = sleeper(docker_client, busybox_image, test_labels)
    terminal, tab = open_terminal(app_window(), qtbot, container)
    type_line(qtbot, tab, "echo before-$((1+1))")
    qtbot.waitUntil(lambda: "\nbefore-2" in screen(tab), timeout=WAIT_MS)
    # What top, vi and less do: the alternate screen, drawn on, then left.
    type_line(qtbot, tab, "printf '\\033[?1049h\\033[H\\033[2Jfull-%s' screen; read x; printf '\\033[?1049l'")
    qtbot.waitUntil(lambda: screen(tab).startswith("full-screen"), timeout=WAIT_MS)
    assert tab.view.screen.alternate and "before-2" not in screen(tab)
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not tab.view.screen.alternate and "\nbefore-2" in screen(tab), timeout=WAIT_MS)
    terminal.close()


def test_the_session_ends_when_the_container_stops(app_window, qtbot, docker_client, busybox_image, test_labels):
    container = sleeper(docker_client, busybox_image, test_labels)
    terminal, tab = open_terminal(app_window(), qtbot, container)
    container.kill()
    qtbot.waitUntil(lambda: not tab.running and "ended" in tab.status.text(), timeout=WAIT_MS)
    terminal.close()


def test_an_image_with_no_shell_gets_a_sentence(app_window, qtbot, docker_client, no_shell_image, test_labels):
    container = docker_client.containers.run(no_shell_image, detach=True, labels=test_labels)
    window = app_window()
    page = window.containers_page
    qtbot.waitUntil(lambda: container.name in names(page), timeout=10_000)
    select_row(page, lambda text: text == container.name)
    qtbot.waitUntil(page.terminal_action.isEnabled, timeout=10_000)
    page.terminal_action.trigger()
    tab = window.terminal_windows[container.id].terminals()[0]
    qtbot.waitUntil(lambda: tab.status.text() == NO_SHELL, timeout=WAIT_MS)
    window.terminal_windows[container.id].close()
