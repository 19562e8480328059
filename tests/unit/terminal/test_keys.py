"""Keys and pastes as an xterm sends them (gui.views.terminal.keys): what bash, vi, top and python expect."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.views.terminal.keys import key_bytes, paste_bytes

K = Qt.Key
NONE = Qt.KeyboardModifier.NoModifier
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.mark.parametrize(
    ("key", "modifiers", "text", "sent"),
    [
        (K.Key_A, NONE, "a", b"a"),
        (K.Key_A, SHIFT, "A", b"A"),
        (K.Key_C, CTRL, "\x03", b"\x03"),  # interrupt
        (K.Key_D, CTRL, "", b"\x04"),  # end of input, even where Qt gives no text
        (K.Key_BracketLeft, CTRL, "", b"\x1b"),
        (K.Key_Space, CTRL, "", b"\x00"),
        (K.Key_B, ALT, "b", b"\x1bb"),  # a word back in readline
        (K.Key_Return, NONE, "\r", b"\r"),
        (K.Key_Enter, Qt.KeyboardModifier.KeypadModifier, "\r", b"\r"),
        (K.Key_Backspace, NONE, "\x08", b"\x7f"),
        (K.Key_Tab, NONE, "\t", b"\t"),
        (K.Key_Backtab, SHIFT, "", b"\x1b[Z"),
        (K.Key_Escape, NONE, "\x1b", b"\x1b"),
        (K.Key_Up, NONE, "", b"\x1b[A"),
        (K.Key_Left, NONE, "", b"\x1b[D"),
        (K.Key_Right, CTRL, "", b"\x1b[1;5C"),  # a word forward
        (K.Key_Home, NONE, "", b"\x1b[H"),
        (K.Key_End, NONE, "", b"\x1b[F"),
        (K.Key_Delete, NONE, "", b"\x1b[3~"),
        (K.Key_PageUp, NONE, "", b"\x1b[5~"),
        (K.Key_F1, NONE, "", b"\x1bOP"),
        (K.Key_F5, NONE, "", b"\x1b[15~"),
        (K.Key_F12, SHIFT, "", b"\x1b[24;2~"),
        (K.Key_Shift, SHIFT, "", b""),
        (K.Key_Eacute, NONE, "é", "é".encode()),
    ],
)
def test_keys_send_what_an_xterm_sends(key, modifiers, text, sent):
    assert key_bytes(key, modifiers, text) == sent


def test_arrows_in_application_cursor_mode():
    assert key_bytes(K.Key_Up, NONE, "", application_cursor=True) == b"\x1bOA"
    assert key_bytes(K.Key_Home, NONE, "", application_cursor=True) == b"\x1bOH"
    assert key_bytes(K.Key_Up, CTRL, "", application_cursor=True) == b"\x1b[1;5A"


def test_a_paste_sends_line_ends_as_enter():
    assert paste_bytes("pip install torch\npython train.py\r\n", bracketed=False) == (
        b"pip install torch\rpython train.py\r"
    )


def test_a_bracketed_paste_cannot_end_its_bracket_early():
    """A pasted end marker would let the rest of the paste run as typed commands."""
    sent = paste_bytes("echo safe\x1b[201~\nrm -rf ~\n", bracketed=True)
    assert sent == b"\x1b[200~echo safe\rrm -rf ~\r\x1b[201~"
