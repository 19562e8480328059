"""The Terminal window on a scripted exec session (tests/fakes/fake_terminal.py): what a user types reaches the
program, what it prints is on screen, and every way a session can end is said in a sentence."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from gui.core.errors import EngineError
from gui.core.terminal.lines import line_text
from gui.views.terminal.terminal_view import MARGIN
from gui.views.terminal.terminal_window import TerminalWindow
from gui.workers.terminal_session import NO_SHELL
from tests.gui.user_actions import select

WAIT_MS = 10_000


def web(engine):
    return next(row for row in engine.containers_by_id.values() if row.name == "web")


@pytest.fixture
def term(qtbot, connected, engine):
    term = TerminalWindow(connected, web(engine))
    qtbot.addWidget(term)
    term.show()
    qtbot.waitUntil(lambda: term.terminals()[0].view.screen.text()[0].startswith("$"), timeout=WAIT_MS)
    yield term
    term.close()


def screen_text(term, tab: int = 0) -> str:
    return "\n".join(term.terminals()[tab].view.screen.text())


def type_line(qtbot, term, line: str, tab: int = 0) -> None:
    view = term.terminals()[tab].view
    qtbot.keyClicks(view, line)
    qtbot.keyClick(view, Qt.Key.Key_Return)


def test_the_commands_panel_gets_the_docker_exec_line(qtbot, connected, engine):
    issued: list[tuple[str, str]] = []
    connected.commandIssued.connect(lambda command, what: issued.append((command, what)))
    window = TerminalWindow(connected, web(engine))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: bool(issued), timeout=WAIT_MS)
    assert issued == [("docker exec -it web sh", "open a terminal in the container")]
    window.close()


def test_a_shell_opens_and_runs_what_is_typed(qtbot, term, engine):
    type_line(qtbot, term, "echo hello from the container")
    qtbot.waitUntil(lambda: "\nhello from the container\n$" in screen_text(term), timeout=WAIT_MS)
    assert engine.terminals[0].command == ["sh"]
    tab = term.terminals()[0]
    assert tab.twin.text() == "docker exec -it web sh"
    assert term.tabs.tabText(0) == "sh"


def test_control_keys_and_arrows_reach_the_program_as_a_terminal_sends_them(qtbot, term, engine):
    view = term.terminals()[0].view
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Tab)  # completion in the shell: focus stays in the terminal
    qtbot.waitUntil(lambda: bytes(engine.terminals[0].typed) == b"\x03\x1b[A\t", timeout=WAIT_MS)
    assert view.hasFocus() or not term.isActiveWindow()
    view.feed(b"\x1b[?1h")  # the program asks for application cursor keys (vi, less, top do)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: bytes(engine.terminals[0].typed).endswith(b"\x1bOA"), timeout=WAIT_MS)


def test_a_paste_is_sent_as_typed_and_bracketed_when_the_program_asks(qtbot, term, engine):
    view = term.terminals()[0].view
    QGuiApplication.clipboard().setText("echo one\necho two")
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: "\none\n" in screen_text(term), timeout=WAIT_MS)
    view.feed(b"\x1b[?2004h")
    QGuiApplication.clipboard().setText("rm -rf /tmp/x\n")
    view.paste()
    qtbot.waitUntil(
        lambda: bytes(engine.terminals[0].typed).endswith(b"\x1b[200~rm -rf /tmp/x\r\x1b[201~"), timeout=WAIT_MS
    )


def test_a_resized_window_tells_the_program_its_new_size(qtbot, term, engine):
    term.resize(term.width() + 200, term.height() + 120)
    view = term.terminals()[0].view
    qtbot.waitUntil(lambda: engine.terminals[0].resizes[-1:] == [view.size_in_cells()], timeout=WAIT_MS)
    rows, columns = view.size_in_cells()
    type_line(qtbot, term, "size")
    qtbot.waitUntil(lambda: f"\n{rows} {columns}\n" in screen_text(term), timeout=WAIT_MS)


def test_a_full_screen_program_gives_the_shell_s_screen_back(qtbot, term):
    type_line(qtbot, term, "echo before")
    qtbot.waitUntil(lambda: "\nbefore\n" in screen_text(term), timeout=WAIT_MS)
    type_line(qtbot, term, "fullscreen")
    qtbot.waitUntil(lambda: screen_text(term).startswith("FULL SCREEN"), timeout=WAIT_MS)
    assert "before" not in screen_text(term)
    qtbot.keyClick(term.terminals()[0].view, Qt.Key.Key_Q)
    qtbot.waitUntil(lambda: "\nbefore\n" in screen_text(term), timeout=WAIT_MS)
    assert "FULL SCREEN" not in screen_text(term)


def test_output_scrolls_into_the_scrollback_and_typing_returns_to_the_live_screen(qtbot, term):
    view = term.terminals()[0].view
    type_line(qtbot, term, "flood 300")
    qtbot.waitUntil(lambda: "line 299" in screen_text(term), timeout=WAIT_MS)
    view.scroll_back(len(view.screen.scrollback))
    assert view.screen.text(view.back)[0] == "$ flood 300"
    assert view.scrollbar.value() == 0
    qtbot.keyClick(view, Qt.Key.Key_A)
    assert view.back == 0 and "line 299" in screen_text(term)


def test_a_program_printing_fast_loses_no_output(qtbot, term):
    type_line(qtbot, term, "flood 50000")
    qtbot.waitUntil(lambda: "line 49999" in screen_text(term), timeout=30_000)
    view = term.terminals()[0].view
    lines = [*(line_text(line, view.screen.columns) for line in view.screen.scrollback), *view.screen.text()]
    numbers = [int(line.split()[1]) for line in lines if line.startswith("line ")]
    assert numbers == list(range(numbers[0], 50000))  # nothing dropped between the oldest kept and the last


def cell_point(view, row: int, column: int) -> QPoint:
    """The left edge of a cell, half way down it, in the view's pixels."""
    return QPoint(MARGIN + column * view.cell_width, MARGIN + row * view.cell_height + view.cell_height // 2)


def test_a_selection_is_copied(qtbot, term):
    type_line(qtbot, term, "echo model.safetensors")
    qtbot.waitUntil(lambda: "\nmodel.safetensors\n" in screen_text(term), timeout=WAIT_MS)
    view = term.terminals()[0].view
    row = view.screen.text().index("model.safetensors")
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=cell_point(view, row, 0))
    qtbot.mouseMove(view, cell_point(view, row, len("model")))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=cell_point(view, row, len("model")))
    assert view.selected_text() == "model"
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == "model"
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=cell_point(view, row, 2))
    assert view.selected_text() == "model.safetensors"


def test_exit_is_said_with_its_code_and_enter_opens_a_new_session(qtbot, term, engine):
    type_line(qtbot, term, "exit 3")
    tab = term.terminals()[0]
    qtbot.waitUntil(lambda: "exit code 3" in tab.status.text(), timeout=WAIT_MS)
    assert "Press Enter to open a new one" in tab.status.text()
    assert not tab.running
    qtbot.keyClick(tab.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(engine.terminals) == 2 and tab.running, timeout=WAIT_MS)


def test_several_terminals_at_once_and_closing_the_window_ends_them_all(qtbot, term, engine):
    term.command_edit.setText("python3 -i")
    second = term.new_tab()
    qtbot.waitUntil(lambda: len(engine.terminals) == 2, timeout=WAIT_MS)
    assert engine.terminals[1].command == ["python3", "-i"]
    assert term.tabs.count() == 2 and term.tabs.tabText(1) == "python3"
    assert second.twin.text() == "docker exec -it web python3 -i"
    term.close()
    qtbot.waitUntil(lambda: all(terminal.closed.is_set() for terminal in engine.terminals), timeout=WAIT_MS)


def test_an_unclosed_quote_in_the_command_is_caught_before_the_engine(qtbot, term, engine):
    term.command_edit.setText("python3 -c 'print(1)")
    assert term.new_tab() is None
    assert "unclosed quote" in term.command_error.text() and term.command_error.isVisible()
    assert term.tabs.count() == 1 and len(engine.terminals) == 1


def test_a_container_without_a_shell_gets_a_sentence_not_a_dead_tab(qtbot, connected, engine):
    engine.shells[web(engine).id] = None
    term = TerminalWindow(connected, web(engine))
    qtbot.addWidget(term)
    tab = term.terminals()[0]
    qtbot.waitUntil(lambda: tab.status.text() == NO_SHELL, timeout=WAIT_MS)
    assert not engine.terminals
    term.close()


def test_an_engine_refusal_is_said_in_a_sentence(qtbot, connected, engine):
    engine.terminal_error = EngineError("The container web is not running. Start it, then open a terminal.")
    term = TerminalWindow(connected, web(engine))
    qtbot.addWidget(term)
    tab = term.terminals()[0]
    qtbot.waitUntil(lambda: "is not running" in tab.status.text(), timeout=WAIT_MS)
    term.close()


def test_the_containers_page_opens_a_terminal_for_a_running_container_only(qtbot, engine, window):
    page = window.containers_page
    select(page, "old-job")
    assert not page.terminal_action.isEnabled()
    select(page, "web")
    assert page.terminal_action.isEnabled()
    assert "docker exec -it web" in page.terminal_action.toolTip()
    page.terminal_action.trigger()
    qtbot.waitUntil(lambda: web(engine).id in window.terminal_windows, timeout=WAIT_MS)
    page.terminal_action.trigger()  # a second shell: a new tab in the same window
    terminals = window.terminal_windows[web(engine).id]
    qtbot.waitUntil(lambda: terminals.tabs.count() == 2 and len(engine.terminals) == 2, timeout=WAIT_MS)
    terminals.close()
