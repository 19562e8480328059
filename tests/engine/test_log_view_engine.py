"""The Logs window on the real engine, with logs read in bulk (issue 17): a container printing as fast as it can is
shown whole, in order and in colour, and a TTY container's log (raw bytes, no frames) shows too."""

from __future__ import annotations

import re

from tests.engine.test_app_on_engine import names, select_row

GREEN = "#2a9d3c"
PRINTER = 'i=0; while [ $i -lt {n} ]; do printf "\\033[32m%d\\033[0m line of text\\n" $i; i=$((i+1)); done; sleep 300'


def open_logs(window, qtbot, container):
    page = window.containers_page
    qtbot.waitUntil(lambda: container.name in names(page), timeout=10_000)
    select_row(page, lambda text: text == container.name)
    page.logs_action.trigger()
    return window.logs_windows[container.id]


def test_a_container_printing_as_fast_as_it_can_is_shown_whole(
    app_window, qtbot, docker_client, busybox_image, test_labels
):
    count = 20_000
    container = docker_client.containers.run(
        busybox_image, ["sh", "-c", PRINTER.format(n=count)], detach=True, labels=test_labels
    )
    logs = open_logs(app_window(), qtbot, container)
    logs.follower.tail = "all"
    logs.restart()
    qtbot.waitUntil(lambda: logs.view.line_count == count, timeout=60_000)
    assert [int(m[1]) for m in re.finditer(r"^(\d+) line of text$", logs.view.plain_text(), re.M)] == list(range(count))
    (number, green), _rest = logs.view.line_formats(count - 1)
    assert number == str(count - 1) and green.foreground().color().name() == GREEN
    logs.close()


def test_a_tty_container_s_log_shows(app_window, qtbot, docker_client, busybox_image, test_labels):
    container = docker_client.containers.run(
        busybox_image,
        ["sh", "-c", "printf 'from a terminal\\n\\033[31mred\\033[0m\\n'; sleep 300"],
        detach=True,
        tty=True,
        labels=test_labels,
    )
    logs = open_logs(app_window(), qtbot, container)
    qtbot.waitUntil(lambda: "red" in logs.view.plain_text(), timeout=20_000)
    assert logs.view.plain_text().splitlines() == ["from a terminal", "red"]
    logs.close()
