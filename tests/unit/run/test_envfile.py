"""Importing a .env file: python-dotenv's syntax, nothing taken from the user's own environment."""

from __future__ import annotations

import pytest

from gui.core.run.envfile import read_env_file
from gui.core.run.spec import EnvVar

SAMPLE = """\
# model settings
MODEL_NAME=llama-3-8b
export PORT=8000
GREETING="hello world"   # a comment after a quoted value
SINGLE='$NOT_EXPANDED'
PATH_LIKE=${HOME}/models
EMPTY=
HF_TOKEN=hf_abc123
OPENAI_API_KEY
"""


def test_values_come_in_file_order_without_expansion():
    variables, notes = read_env_file(SAMPLE)
    assert variables == [
        EnvVar("MODEL_NAME", "llama-3-8b"),
        EnvVar("PORT", "8000"),
        EnvVar("GREETING", "hello world"),
        EnvVar("SINGLE", "$NOT_EXPANDED"),
        EnvVar("PATH_LIKE", "${HOME}/models"),
        EnvVar("EMPTY", ""),
        EnvVar("HF_TOKEN", "hf_abc123"),
        EnvVar("OPENAI_API_KEY", ""),
    ]
    assert notes == ["OPENAI_API_KEY has no value in the file; give it one in the table."]


def test_a_name_without_value_is_not_copied_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-my-shell")
    variables, notes = read_env_file("OPENAI_API_KEY\n")
    assert variables == [EnvVar("OPENAI_API_KEY", "")]
    assert "OPENAI_API_KEY has no value" in notes[0]


def test_an_explicitly_empty_value_is_not_reported():
    assert read_env_file("DEBUG=\n") == ([EnvVar("DEBUG", "")], [])


def test_the_last_of_a_repeated_name_wins():
    assert read_env_file("A=1\nB=2\nA=3\n")[0] == [EnvVar("A", "3"), EnvVar("B", "2")]


def test_multiline_quoted_values_and_windows_line_endings():
    variables, notes = read_env_file('CERT="line one\nline two"\r\nNEXT=ok\r\n')
    assert variables == [EnvVar("CERT", "line one\nline two"), EnvVar("NEXT", "ok")]
    assert notes == []


@pytest.mark.parametrize(
    "text, lines",
    [
        ("GOOD=1\nthis is not a variable\nALSO_GOOD=2\n", "Line 2 "),
        ("'unterminated\nA=1\n= no name\n", "Lines 1, 3 "),
    ],
)
def test_unreadable_lines_are_named_by_number_not_content(text, lines):
    _, notes = read_env_file(text)
    assert len(notes) == 1 and notes[0].startswith(lines)
    assert "NAME=value" in notes[0]
    assert "not a variable" not in notes[0] and "unterminated" not in notes[0]


def test_unreadable_lines_do_not_hide_the_good_ones():
    variables, _ = read_env_file("GOOD=1\nthis is not a variable\nALSO_GOOD=2\n")
    assert variables == [EnvVar("GOOD", "1"), EnvVar("ALSO_GOOD", "2")]


def test_an_empty_file():
    assert read_env_file("") == ([], [])
