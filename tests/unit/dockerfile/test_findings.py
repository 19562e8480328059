"""apply_fix makes a quick fix's edits, and refuses a fix that no longer fits the text."""

import pytest

from gui.core.dockerfile.findings import QuickFix, TextEdit, apply_fix


def test_apply_fix_inserts_deletes_and_replaces():
    text = "a\nb\nc\n"
    assert apply_fix(text, QuickFix("insert", (TextEdit(2, 1, "x\ny"),))) == "a\nx\ny\nb\nc\n"
    assert apply_fix(text, QuickFix("append", (TextEdit(4, 3, "d"),))) == "a\nb\nc\nd\n"
    assert apply_fix(text, QuickFix("delete", (TextEdit(2, 2, ""),))) == "a\nc\n"
    assert apply_fix(text, QuickFix("all", (TextEdit(1, 3, ""),))) == ""
    assert apply_fix(text, QuickFix("two", (TextEdit(1, 1, "A"), TextEdit(3, 3, "C")))) == "A\nb\nC\n"
    assert apply_fix("a\nb", QuickFix("no final newline", (TextEdit(2, 2, "B"),))) == "a\nB"
    assert apply_fix("a\r\nb\r\n", QuickFix("crlf", (TextEdit(1, 1, "x\ny"),))) == "x\r\ny\r\nb\r\n"
    assert apply_fix("", QuickFix("empty", (TextEdit(1, 1, "FROM x"),))) == "FROM x"


@pytest.mark.parametrize("edit", [TextEdit(0, 0, "x"), TextEdit(3, 5, "x"), TextEdit(2, 0, "x")])
def test_apply_fix_refuses_a_stale_fix(edit):
    with pytest.raises(ValueError, match="does not match"):
        apply_fix("a\nb\n", QuickFix("stale", (edit,)))


def test_apply_fix_refuses_overlapping_edits():
    with pytest.raises(ValueError):
        apply_fix("a\nb\nc\n", QuickFix("overlap", (TextEdit(1, 2, "x"), TextEdit(2, 3, "y"))))
