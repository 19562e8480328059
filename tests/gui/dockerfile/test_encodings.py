"""Files that are not plain UTF-8: binary files are refused with a message (never shown as an empty file
that a save would destroy); other encodings open with their name shown and are saved back in them."""

from __future__ import annotations

import codecs

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from tests.gui.dockerfile.editor_driver import Keys, shortcut

LATIN1 = b"FROM busybox:1.36\r\n# caf\xe9 na\xefve\r\nRUN true"  # CRLF and no final newline


def test_a_binary_file_is_refused_with_a_message(make_editor, project):
    """Found: a binary file opened as an empty, editable "Untitled Dockerfile", so saving could destroy it."""
    path = project / "Dockerfile"
    data = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4
    path.write_bytes(data)
    editor = make_editor(path)
    assert editor.message_bar.isVisible() and "not a text file" in editor.message_bar.text
    assert editor.editor.isReadOnly() and editor.text() == ""
    assert "not opened" in editor.windowTitle() and "Untitled" not in editor.windowTitle()
    assert not editor.save()  # nothing to save, and no file to save it to
    assert path.read_bytes() == data


def test_a_latin1_file_opens_with_its_encoding_named_and_saves_back_in_it(make_editor, qtbot, project):
    """Found: a Latin-1 file opened as an empty "Untitled Dockerfile"."""
    path = project / "Dockerfile"
    path.write_bytes(LATIN1)
    editor = make_editor(path)
    assert editor.text() == "FROM busybox:1.36\n# café naïve\nRUN true"
    assert not editor.editor.isReadOnly()
    assert "Windows-1252" in editor.windowTitle()
    bar = editor.keeper.encoding_bar
    assert bar.isVisible() and "Windows-1252" in bar.text
    with qtbot.waitSignal(editor.saved):  # unchanged: the very bytes come back
        editor.save()
    assert path.read_bytes() == LATIN1
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.editor.insertPlainText(" # é")  # QTest cannot type letters beyond ASCII
    with qtbot.waitSignal(editor.saved):
        shortcut(qtbot, editor.editor, Keys.Save)
    assert path.read_bytes() == LATIN1 + b" # \xe9"


def test_convert_to_utf8_saves_utf8_with_the_same_line_endings(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_bytes(LATIN1)
    editor = make_editor(path)
    qtbot.mouseClick(editor.keeper.convert_button, Qt.MouseButton.LeftButton)
    assert not editor.keeper.encoding_bar.isVisible()
    assert editor.is_modified() and "Windows-1252" not in editor.windowTitle()
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert path.read_bytes() == LATIN1.decode("cp1252").encode("utf-8")


def test_a_character_latin1_cannot_hold_is_named_and_the_file_kept(make_editor, qtbot, project):
    path = project / "Dockerfile"
    path.write_bytes(LATIN1)
    editor = make_editor(path)
    editor.editor.moveCursor(QTextCursor.MoveOperation.End)
    editor.editor.insertPlainText(" →")
    with qtbot.waitSignal(editor.saveFailed):
        editor.save()
    assert "Convert to UTF-8" in editor.message_bar.text and "'→'" in editor.message_bar.text
    assert path.read_bytes() == LATIN1


def test_utf16_with_a_bom_opens_named_and_round_trips(make_editor, qtbot, project):
    path = project / "Dockerfile"
    data = codecs.BOM_UTF16_LE + "FROM busybox:1.36\r\n# café\r\n".encode("utf-16-le")
    path.write_bytes(data)
    editor = make_editor(path)
    assert editor.text() == "FROM busybox:1.36\n# café\n"
    assert "UTF-16" in editor.windowTitle() and "UTF-16" in editor.keeper.encoding_bar.text
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert path.read_bytes() == data


def test_a_plain_utf8_file_shows_no_encoding(make_editor, project):
    path = project / "Dockerfile"
    path.write_bytes(b"FROM busybox:1.36\n")
    editor = make_editor(path)
    assert not editor.keeper.encoding_bar.isVisible() and "UTF" not in editor.windowTitle()


def test_mixed_line_endings_are_named_before_the_first_save(make_editor, qtbot, project):
    """Found: a file with both CRLF and LF lines was saved with CRLF on every line without a word."""
    path = project / "Dockerfile"
    path.write_bytes(b"FROM busybox:1.36\r\nRUN true\r\nUSER nobody\n")
    editor = make_editor(path)
    bar = editor.keeper.encoding_bar
    assert bar.isVisible() and bar.text == (
        "This file mixes Windows (CRLF) and Unix (LF) line endings; Portside will save it with CRLF everywhere."
    )
    assert not editor.keeper.convert_button.isVisible()  # UTF-8 already: nothing to convert
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert path.read_bytes() == b"FROM busybox:1.36\r\nRUN true\r\nUSER nobody\r\n"
    assert not bar.isVisible()  # the file has one line ending now


def test_a_latin1_file_with_mixed_line_endings_names_both(make_editor, project):
    path = project / "Dockerfile"
    path.write_bytes(b"FROM busybox:1.36\n# caf\xe9\nRUN true\r\n")
    editor = make_editor(path)
    bar = editor.keeper.encoding_bar
    assert "Windows-1252" in bar.text and "Portside will save it with LF everywhere." in bar.text
    assert editor.keeper.convert_button.isVisible()
