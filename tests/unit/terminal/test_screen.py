"""The terminal's screen (gui.core.terminal.screen): what a user of a shell, `top` or `vi` in a container sees."""

from __future__ import annotations

from gui.core.terminal.screen import TerminalScreen


def printed(screen: TerminalScreen, *lines: str) -> None:
    for line in lines:
        screen.feed(f"{line}\r\n".encode())


def test_text_and_the_cursor_follow_what_the_program_writes():
    screen = TerminalScreen(20, 4)
    screen.feed(b"$ ls\r\nmodel.pt  data\r\n$ ")
    assert screen.text() == ["$ ls", "model.pt  data", "$", ""]
    assert (screen.cursor.y, screen.cursor.x) == (2, 2)


def test_lines_that_scroll_off_the_top_are_kept_to_scroll_back_to():
    screen = TerminalScreen(20, 3)
    printed(screen, *(f"epoch {i}" for i in range(6)))
    assert screen.text() == ["epoch 4", "epoch 5", ""]
    assert screen.text(back=2) == ["epoch 2", "epoch 3", "epoch 4"]
    assert screen.text(back=100) == ["epoch 0", "epoch 1", "epoch 2"]  # no further back than the first line


def test_the_scrollback_is_bounded():
    screen = TerminalScreen(20, 3, scrollback=5)
    printed(screen, *(f"step {i}" for i in range(100)))
    assert len(screen.scrollback) == 5
    assert screen.text(back=5)[0] == "step 93"


def test_a_full_screen_program_draws_on_the_alternate_screen_and_the_shell_s_screen_comes_back():
    screen = TerminalScreen(20, 3)
    screen.feed(b"$ top\r\n")
    screen.feed(b"\x1b[?1049h\x1b[H\x1b[2JMem: 12G used")
    assert screen.alternate and screen.text() == ["Mem: 12G used", "", ""]
    for _ in range(10):
        screen.feed(b"refresh\r\n")
    screen.feed(b"\x1b[?1049l")
    assert not screen.alternate
    assert screen.text() == ["$ top", "", ""]
    assert (screen.cursor.y, screen.cursor.x) == (1, 0)
    assert list(screen.scrollback) == []  # nothing top drew entered the scrollback


def test_clear_erases_the_scrollback_too():
    screen = TerminalScreen(20, 3)
    printed(screen, *(f"line {i}" for i in range(6)))
    screen.feed(b"\x1b[H\x1b[2J\x1b[3J$ ")
    assert screen.text() == ["$", "", ""]
    assert screen.text(back=10) == ["$", "", ""]


def test_erase_saved_lines_alone_leaves_the_screen():
    screen = TerminalScreen(20, 3)
    printed(screen, "a", "b", "c", "d")
    screen.feed(b"\x1b[3J")
    assert screen.text() == ["c", "d", ""]
    assert not screen.scrollback


def test_questions_from_the_program_are_answered():
    screen = TerminalScreen(20, 5)
    replies: list[bytes] = []
    screen.on_reply = replies.append
    screen.feed(b"ab\x1b[6n")  # where is the cursor? (bash's readline and many installers ask)
    assert replies == [b"\x1b[1;3R"]


def test_keys_and_paste_modes_the_program_asks_for():
    screen = TerminalScreen(20, 5)
    assert not screen.application_cursor_keys and not screen.bracketed_paste
    screen.feed(b"\x1b[?1h\x1b[?2004h")
    assert screen.application_cursor_keys and screen.bracketed_paste
    screen.feed(b"\x1b[?1l\x1b[?2004l")
    assert not screen.application_cursor_keys and not screen.bracketed_paste


def test_a_smaller_window_keeps_the_cursor_s_line_on_screen():
    screen = TerminalScreen(20, 5)
    printed(screen, "one", "two", "three", "four")
    screen.feed(b"$ ")
    screen.resize(2, 20)
    assert screen.text() == ["four", "$"]
    assert screen.cursor.y == 1
    assert screen.text(back=3) == ["one", "two"]


def test_a_wider_and_taller_window_keeps_what_was_drawn():
    screen = TerminalScreen(10, 2)
    screen.feed(b"hello\r\n$ ")
    screen.resize(4, 30)
    assert screen.text() == ["hello", "$", "", ""]
    screen.feed(b"x" * 25)
    assert screen.text()[1] == "$ " + "x" * 25


def test_wide_characters_and_utf8_split_between_reads():
    screen = TerminalScreen(20, 2)
    data = "日本 ok".encode()
    screen.feed(data[:4])
    screen.feed(data[4:])
    assert screen.text()[0] == "日本 ok"
    assert screen.cursor.x == 7  # two columns for each wide character
