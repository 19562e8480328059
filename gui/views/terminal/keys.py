"""Keys and pastes as the bytes an xterm sends, so shells, `vi`, `top` and the Python REPL get what they expect."""

from __future__ import annotations

from PySide6.QtCore import Qt

Key = Qt.Key
Mod = Qt.KeyboardModifier

_CURSOR = {
    Key.Key_Up: "A",
    Key.Key_Down: "B",
    Key.Key_Right: "C",
    Key.Key_Left: "D",
    Key.Key_Home: "H",
    Key.Key_End: "F",
}
_TILDE = {Key.Key_Insert: 2, Key.Key_Delete: 3, Key.Key_PageUp: 5, Key.Key_PageDown: 6}
_TILDE.update({getattr(Key, f"Key_F{n}"): code for n, code in zip(range(5, 13), (15, 17, 18, 19, 20, 21, 23, 24))})
_SS3_F = {Key.Key_F1: "P", Key.Key_F2: "Q", Key.Key_F3: "R", Key.Key_F4: "S"}
_PLAIN = {
    Key.Key_Return: b"\r",
    Key.Key_Enter: b"\r",
    Key.Key_Backspace: b"\x7f",
    Key.Key_Tab: b"\t",
    Key.Key_Backtab: b"\x1b[Z",
    Key.Key_Escape: b"\x1b",
}
# Ctrl with a punctuation key: the control characters a terminal has names for
_CONTROL_PUNCTUATION = {
    Key.Key_Space: b"\x00",
    Key.Key_At: b"\x00",
    Key.Key_BracketLeft: b"\x1b",
    Key.Key_Backslash: b"\x1c",
    Key.Key_BracketRight: b"\x1d",
    Key.Key_AsciiCircum: b"\x1e",
    Key.Key_Underscore: b"\x1f",
    Key.Key_Minus: b"\x1f",
    Key.Key_Question: b"\x7f",
}


def _modifier_code(modifiers: Qt.KeyboardModifier) -> int:
    """xterm's modifier parameter: 1 + Shift 1, Alt 2, Ctrl 4 (ESC [ 1 ; 5 A is Ctrl+Up)."""
    code = 1
    if modifiers & Mod.ShiftModifier:
        code += 1
    if modifiers & Mod.AltModifier:
        code += 2
    if modifiers & Mod.ControlModifier:
        code += 4
    return code


def key_bytes(key: int, modifiers: Qt.KeyboardModifier, text: str, application_cursor: bool = False) -> bytes:
    """What the terminal sends for a key press (b"" for a key that sends nothing, such as Shift alone)."""
    modifiers = Mod(modifiers) & ~Mod.KeypadModifier
    code = _modifier_code(modifiers)
    if key in _CURSOR:
        letter = _CURSOR[key]
        if code > 1:
            return f"\x1b[1;{code}{letter}".encode()
        return f"\x1b{'O' if application_cursor else '['}{letter}".encode()
    if key in _TILDE:
        return f"\x1b[{_TILDE[key]}{f';{code}' if code > 1 else ''}~".encode()
    if key in _SS3_F:
        return f"\x1b{'O' if code == 1 else f'[1;{code}'}{_SS3_F[key]}".encode()
    alt = b"\x1b" if modifiers & Mod.AltModifier else b""
    if key in _PLAIN:
        return alt + _PLAIN[key]
    if modifiers & Mod.ControlModifier:
        if Key.Key_A <= key <= Key.Key_Z:
            return alt + bytes([key - Key.Key_A + 1])
        if key in _CONTROL_PUNCTUATION:
            return alt + _CONTROL_PUNCTUATION[key]
    return alt + text.encode() if text and text.isprintable() else b""


def paste_bytes(text: str, bracketed: bool) -> bytes:
    """A paste as typed: line ends as Enter (\\r). With bracketed paste on (bash, zsh, python 3.13's REPL ask for
    it), wrapped so the program takes it as one paste and runs nothing by itself; an end marker inside the text is
    removed, so a paste cannot end the bracket early and run what follows."""
    text = text.replace("\r\n", "\r").replace("\n", "\r")
    if not bracketed:
        return text.encode()
    return b"\x1b[200~" + text.replace("\x1b[201~", "").encode() + b"\x1b[201~"
