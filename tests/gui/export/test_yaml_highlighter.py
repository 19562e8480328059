"""The YAML colours: which words of a line are keys, strings, numbers, comments, ${VAR} references, separators."""

from __future__ import annotations

import pytest

from gui.views.export.yaml_highlighter import YamlHighlighter, line_spans


def kinds(line: str, state: int = -1) -> list[tuple[str, str]]:
    """(text, kind) for each coloured piece of the line, in the order painted."""
    spans, _state = line_spans(line, state)
    return [(line[start : start + length], kind) for start, length, kind in spans]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("services:", [("services", "key")]),
        ("    image: python:3.12", [("image", "key"), ("python:3.12", "string")]),
        ("    - 127.0.0.1:5000:80", [("127.0.0.1:5000:80", "string")]),
        ('    - "8080:80"  # the web port', [('"8080:80"', "string"), ("# the web port", "comment")]),
        ("      replicas: 1", [("replicas", "key"), ("1", "number")]),
        ("      cpus: 1.5", [("cpus", "key"), ("1.5", "number")]),
        ("      tty: true", [("tty", "key"), ("true", "number")]),
        ('    restart: "no"', [("restart", "key"), ('"no"', "string")]),
        ("      HF_TOKEN: ${HF_TOKEN}", [("HF_TOKEN", "key"), ("${HF_TOKEN}", "string"), ("${HF_TOKEN}", "variable")]),
        ("# Written by Portside", [("# Written by Portside", "comment")]),
        ("---", [("---", "separator")]),
        ("--- # second", [("---", "separator"), ("# second", "comment")]),
        ("- name: web", [("name", "key"), ("web", "string")]),
        ("url: http://x:80/#top", [("url", "key"), ("http://x:80/#top", "string")]),
        ("args: [python, '-m', 8]", [("args", "key"), ("python", "string"), ("8", "number"), ("'-m'", "string")]),
    ],
)
def test_line_colours(line, expected):
    assert kinds(line) == expected


def test_a_block_scalar_is_string_until_its_key_indent():
    _spans, state = line_spans("  script: |", -1)
    assert state == 2
    assert kinds("    run: this is not a key", state) == [("    run: this is not a key", "string")]
    assert line_spans("", state)[1] == state  # a blank line stays inside
    assert kinds("  next: 1", state) == [("next", "key"), ("1", "number")]
    assert line_spans("  next: 1", state)[1] == -1


def test_light_and_dark_colours_differ(qtbot):
    from PySide6.QtGui import QPalette, QTextDocument

    from gui.views.widgets.style import dark_palette

    document = QTextDocument("key: value")
    highlighter = YamlHighlighter(document, QPalette())
    light = highlighter.format_for("key").foreground().color().name()
    highlighter.set_palette(dark_palette())
    dark = highlighter.format_for("key").foreground().color().name()
    assert light != dark
    assert highlighter.format_for("string").foreground().color().lightness() > 128  # reads on a dark base
