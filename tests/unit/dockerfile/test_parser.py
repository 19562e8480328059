"""The Dockerfile reader follows BuildKit's rules on tricky text and never raises, whatever is typed."""

import random
import tempfile

import pytest

from gui.core.dockerfile.parser import (
    KEYWORDS,
    Stage,
    command_text,
    copy_operands,
    escape_character,
    exec_form,
    instruction_at,
    parse_dockerfile,
    split_flags,
    stages,
    unquote,
    words,
)


def summary(text):
    return [(i.keyword, i.line, i.end_line, i.arguments) for i in parse_dockerfile(text)]


def test_empty_and_blank_files_have_no_instructions():
    assert parse_dockerfile("") == []
    assert parse_dockerfile("\n\n   \n\t\n") == []
    assert parse_dockerfile("# just a comment\n") == []
    assert stages([]) == []
    assert instruction_at([], 1) is None


def test_the_seed_sample_reads_line_by_line():
    text = (
        "# Use an official Python runtime as a base image\nFROM python:3.8\n\n"
        "# Set the working directory in the container\nWORKDIR /app\n\n"
        "COPY . /app\n\nRUN pip install --no-cache-dir -r requirements.txt\n\nEXPOSE 80\n\n"
        'CMD ["python", "app.py"]\n'
    )
    assert summary(text) == [
        ("FROM", 2, 2, "python:3.8"),
        ("WORKDIR", 5, 5, "/app"),
        ("COPY", 7, 7, ". /app"),
        ("RUN", 9, 9, "pip install --no-cache-dir -r requirements.txt"),
        ("EXPOSE", 11, 11, "80"),
        ("CMD", 13, 13, '["python", "app.py"]'),
    ]
    assert all(i.stage == 0 for i in parse_dockerfile(text))


def test_continuations_with_comments_and_blank_lines_between_them():
    text = (
        "FROM python:3.12-slim\n"
        "RUN apt-get update && \\\n"
        "    # the compiler, for wheels without binaries\n"
        "    apt-get install -y gcc \\\n"
        "\n"
        "  # another comment \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "CMD python app.py\n"
    )
    run = parse_dockerfile(text)[1]
    assert (run.keyword, run.line, run.end_line) == ("RUN", 2, 7)
    assert run.arguments == "apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*"
    assert run.original == "\n".join(text.split("\n")[1:7])
    assert summary(text)[2] == ("CMD", 8, 8, "python app.py")


def test_a_backslash_followed_by_blanks_still_continues():
    assert summary("RUN a \\  \t\n  b\n") == [("RUN", 1, 2, "a b")]


def test_trailing_backslash_at_end_of_file():
    assert summary("FROM x\nRUN echo hi \\") == [("FROM", 1, 1, "x"), ("RUN", 2, 2, "echo hi")]
    assert summary("FROM x\nRUN echo hi \\\n\n# only a comment after it\n") == [
        ("FROM", 1, 1, "x"),
        ("RUN", 2, 2, "echo hi"),
    ]
    assert summary("\\") == []


def test_a_continuation_swallows_the_next_instruction_like_docker_does():
    assert summary("RUN a \\\n# note\nRUN b\n") == [("RUN", 1, 3, "a RUN b")]


def test_escape_directive_with_backtick():
    text = (
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY C:\\app\\ C:\\dest\\\nRUN dir `\n  /w\n"
    )
    assert escape_character(text) == "`"
    assert summary(text) == [
        ("FROM", 2, 2, "mcr.microsoft.com/windows/servercore:ltsc2022"),
        ("COPY", 3, 3, "C:\\app\\ C:\\dest\\"),
        ("RUN", 4, 5, "dir /w"),
    ]


def test_directives_only_count_at_the_very_top():
    # after an instruction, a comment or a blank line, "# escape=`" is a plain comment
    text = "FROM x\n# escape=`\nRUN a `\nRUN b\n"
    assert escape_character(text) == "\\"
    assert summary(text) == [("FROM", 1, 1, "x"), ("RUN", 3, 3, "a `"), ("RUN", 4, 4, "b")]
    assert escape_character("# a comment\n# escape=`\nFROM x\n") == "\\"
    assert escape_character("# syntax=docker/dockerfile:1\n#escape = `\nFROM x\n") == "`"
    assert escape_character("# escape=x\nFROM x\n") == "\\"  # only \ and ` are allowed
    assert escape_character("# unknown=1\n# escape=`\nFROM x\n") == "\\"  # an unknown one ends them


def test_heredocs_are_one_instruction():
    text = (
        "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
        "RUN <<EOF\n"
        "set -e\n"
        "pip install --no-cache-dir torch\n"
        "EOF\n"
        'COPY <<-"END" /app/config.ini\n'
        "\t[server]\n"
        "\tport = 80\n"
        "\tEND\n"
        'CMD ["python"]\n'
    )
    found = parse_dockerfile(text)
    assert [(i.keyword, i.line, i.end_line) for i in found] == [
        ("FROM", 2, 2),
        ("RUN", 3, 6),
        ("COPY", 7, 10),
        ("CMD", 11, 11),
    ]
    assert found[1].arguments == "<<EOF\nset -e\npip install --no-cache-dir torch\nEOF"
    assert found[1].original == "RUN <<EOF\nset -e\npip install --no-cache-dir torch\nEOF"
    assert command_text(found[1]).startswith("<<EOF\nset -e\n")


def test_two_heredocs_and_a_heredoc_that_never_ends():
    text = "RUN <<A cat && <<B cat\none\nA\ntwo\nB\nCMD x\n"
    assert [(i.keyword, i.line, i.end_line) for i in parse_dockerfile(text)] == [("RUN", 1, 5), ("CMD", 6, 6)]
    assert [(i.keyword, i.line, i.end_line) for i in parse_dockerfile("RUN <<EOF\nhello\nCMD x\n")] == [("RUN", 1, 3)]


def test_heredoc_words_in_quotes_or_other_instructions_are_text():
    assert summary('RUN echo "<<EOF"\nCMD x\n') == [("RUN", 1, 1, 'echo "<<EOF"'), ("CMD", 2, 2, "x")]
    assert summary("ENV A=<<EOF\nCMD x\n") == [("ENV", 1, 1, "A=<<EOF"), ("CMD", 2, 2, "x")]


def test_lowercase_keywords_leading_blanks_and_tabs():
    assert summary('from python:3.12\n  run\tpip install x\n\tcmd ["a"]\nFrom x') == [
        ("FROM", 1, 1, "python:3.12"),
        ("RUN", 2, 2, "pip install x"),
        ("CMD", 3, 3, '["a"]'),
        ("FROM", 4, 4, "x"),
    ]


def test_unknown_words_are_kept_so_the_editor_can_point_at_them():
    found = parse_dockerfile('FROM x\nRUNN echo\nCMD["a"]\n')
    assert [i.keyword for i in found] == ["FROM", "RUNN", 'CMD["A"]']
    assert "RUNN" not in KEYWORDS


def test_crlf_line_ends_and_a_byte_order_mark():
    assert summary("\ufeffFROM x\r\nRUN a \\\r\n  b\r\n") == [("FROM", 1, 1, "x"), ("RUN", 2, 3, "a b")]


def test_json_form_cmd():
    cmd = parse_dockerfile('CMD ["python", "-m", "uvicorn", "app:app"]')[0]
    assert exec_form(cmd.arguments) == ["python", "-m", "uvicorn", "app:app"]
    assert command_text(cmd) == "python -m uvicorn app:app"
    assert exec_form("python app.py") is None
    assert exec_form("[not json") is None
    assert exec_form("[1, 2]") is None


def test_multi_stage_with_named_builder():
    text = (
        "ARG PYTHON=3.12\n"
        "FROM --platform=$BUILDPLATFORM python:${PYTHON} AS builder\n"
        "RUN pip wheel -r requirements.txt -w /wheels\n"
        "FROM python:3.12-slim as runtime\n"
        "COPY --from=builder /wheels /wheels\n"
        "FROM runtime\n"
    )
    found = parse_dockerfile(text)
    assert [i.stage for i in found] == [-1, 0, 0, 1, 1, 2]
    assert stages(found) == [
        Stage(0, "python:${PYTHON}", "builder", 2),
        Stage(1, "python:3.12-slim", "runtime", 4),
        Stage(2, "runtime", None, 6),
    ]
    flags, rest = split_flags(found[4].arguments)
    assert flags == [("from", "builder")] and rest == ["/wheels", "/wheels"]


def test_instruction_at_covers_continuation_lines_but_not_gaps():
    text = "FROM x\n\n# comment\nRUN a \\\n  # inside\n  b\nCMD c\n"
    found = parse_dockerfile(text)
    assert instruction_at(found, 1).keyword == "FROM"
    assert instruction_at(found, 2) is None
    assert instruction_at(found, 3) is None
    assert all(instruction_at(found, n).keyword == "RUN" for n in (4, 5, 6))
    assert instruction_at(found, 7).keyword == "CMD"
    assert instruction_at(found, 8) is None
    assert instruction_at(found, 0) is None


def test_words_and_unquote():
    assert words("A=\"hello world\" B='x y' C=a\\ b") == ['A="hello world"', "B='x y'", "C=a\\ b"]
    assert [unquote(w) for w in words("A=\"hello world\" B='x y' C=a\\ b")] == ["A=hello world", "B=x y", "C=a b"]
    assert unquote('"unterminated') == "unterminated"
    assert unquote("\\") == "\\"
    assert split_flags("--mount=type=cache,target=/root/.cache --mount=type=secret,id=hf pip install x") == (
        [("mount", "type=cache,target=/root/.cache"), ("mount", "type=secret,id=hf")],
        ["pip", "install", "x"],
    )


def test_agrees_with_dockerfile_parse_on_an_ordinary_file():
    from dockerfile_parse import DockerfileParser

    text = (
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.12-slim AS builder\n"
        "WORKDIR /build\n"
        "COPY requirements.txt .\n"
        "RUN pip wheel --no-cache-dir \\\n"
        "      -r requirements.txt \\\n"
        "      -w /wheels\n"
        "FROM python:3.12-slim\n"
        "ENV PYTHONUNBUFFERED=1 \\\n"
        "    PIP_NO_CACHE_DIR=1\n"
        "COPY --from=builder /wheels /wheels\n"
        "RUN pip install /wheels/*\n"
        "EXPOSE 8000\n"
        "USER app\n"
        'CMD ["uvicorn", "app:app", "--host", "0.0.0.0"]\n'
    )
    parser = DockerfileParser(path=tempfile.mkdtemp())
    parser.content = text
    theirs = [
        (s["instruction"], s["startline"] + 1, s["endline"] + 1)
        for s in parser.structure
        if s["instruction"] != "COMMENT"
    ]
    ours = [(i.keyword, i.line, i.end_line) for i in parse_dockerfile(text)]
    assert ours == theirs


# -- never raises ----------------------------------------------------------------------------------

FRAGMENTS = [
    "FROM python:3.12-slim",
    "from x AS builder",
    "FROM",
    "RUN pip install x",
    "RUN a \\",
    "RUN a `",
    "  # comment",
    "#",
    "# escape=`",
    "# escape=\\",
    "# syntax=docker/dockerfile:1",
    "",
    "   ",
    "\t",
    "RUN <<EOF",
    "RUN <<-EOF",
    "COPY <<'END' /x",
    "EOF",
    "\tEOF",
    "END",
    'CMD ["a", "b"]',
    "CMD [",
    "COPY --from=builder /a /b",
    "COPY . .",
    "ENV A=1 HF_TOKEN=x",
    "ENV A",
    "ARG B=",
    "ARG",
    "ONBUILD RUN x",
    "\\",
    "`",
    '"',
    "'",
    "<<",
    "<<EOF",
    "--",
    "--from=",
    "\x00",
    "\ufeff",
    "\r",
    "é ü 漢字",
    "\u2028",
    "HEALTHCHECK NONE",
    "EXPOSE 80/tcp 8000",
    "USER",
    "WORKDIR",
    'LABEL a="b c"',
    "$",
    "${X:-y}",
    "[]",
]


def test_never_raises_and_keeps_its_invariants_on_random_text():
    rng = random.Random(20240611)
    for _ in range(3000):
        parts = [rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 12))]
        separator = rng.choice(["\n", "\r\n", "\n", " \\\n"])
        text = separator.join(parts) + rng.choice(["", "\n", "\\", "`"])
        check_invariants(text)


def test_never_raises_on_random_characters():
    rng = random.Random(7)
    alphabet = "FROMRUNCOPYfromrun \t\n\r\\`#<>\"'=-[]${}:.\x00é\ufeff"
    for _ in range(2000):
        check_invariants("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))))


@pytest.mark.parametrize("bad", [None, 42, b"FROM x"])
def test_non_text_gives_nothing(bad):
    assert parse_dockerfile(bad) == []


def check_invariants(text):
    found = parse_dockerfile(text)
    line_count = len(text.split("\n"))
    previous_end = 0
    for instruction in found:
        assert previous_end < instruction.line <= instruction.end_line <= line_count, (text, instruction)
        assert instruction.keyword == instruction.keyword.upper() and instruction.keyword
        assert instruction.original.count("\n") == instruction.end_line - instruction.line
        assert instruction_at(found, instruction.line) is instruction
        assert instruction_at(found, instruction.end_line) is instruction
        previous_end = instruction.end_line
        split_flags(instruction.arguments)
        exec_form(instruction.arguments)
        command_text(instruction)
    listed = stages(found)
    assert len(listed) == sum(1 for i in found if i.keyword == "FROM")
    assert [i.stage for i in found] == sorted(i.stage for i in found)
    escape_character(text)


# -- the finer points of BuildKit's reading ------------------------------------------------------------


def test_only_blanks_and_tabs_may_follow_the_escape_character():
    # BuildKit continues a line on "\\[ \t]*$": another character after the backslash ends the instruction
    assert [(i.line, i.end_line) for i in parse_dockerfile("RUN echo a\\\x0b\nRUN b\n")] == [(1, 1), (2, 2)]
    assert summary("RUN echo \\X\nRUN b\n") == [("RUN", 1, 1, "echo \\X"), ("RUN", 2, 2, "b")]


def test_a_continuation_drops_only_the_escape_character():
    assert summary("RUN apt-get install -y gcc\\\n    make\n") == [("RUN", 1, 2, "apt-get install -y gcc make")]


def test_directives_may_be_indented_and_count_once():
    assert escape_character("  # escape=`\nFROM x\n") == "`"
    # a second escape directive is a plain comment: the first one holds
    assert escape_character("# escape=`\n# escape=\\\nFROM x\n") == "`"


def test_heredoc_words_inside_a_quoted_string_are_text():
    assert summary('RUN echo "say <<EOF here"\nCMD x\n') == [("RUN", 1, 1, 'echo "say <<EOF here"'), ("CMD", 2, 2, "x")]
    assert summary("RUN echo 'say <<EOF here'\nCMD x\n") == [("RUN", 1, 1, "echo 'say <<EOF here'"), ("CMD", 2, 2, "x")]


@pytest.mark.parametrize(
    "first",
    [
        'RUN echo "hi" && cat <<EOF',
        "RUN echo 'hi' && cat <<EOF",
        'RUN echo "a <<A b" && cat <<EOF',  # the quoted one is text, the next one is a heredoc
    ],
)
def test_a_heredoc_after_closed_quotes_is_a_heredoc(first):
    assert [(i.keyword, i.line, i.end_line) for i in parse_dockerfile(f"{first}\nbody\nEOF\nCMD x\n")] == [
        ("RUN", 1, 3),
        ("CMD", 4, 4),
    ]


def test_heredoc_terminators_match_exactly_and_dash_strips_only_tabs():
    # <<EOF: an indented EOF is body; <<-EOF: leading tabs are stripped, spaces are not
    assert [(i.line, i.end_line) for i in parse_dockerfile("RUN <<EOF\n\tEOF\nEOF\nCMD x\n")] == [(1, 3), (4, 4)]
    assert [(i.line, i.end_line) for i in parse_dockerfile("RUN <<-EOF\n  EOF\n\tEOF\nCMD x\n")] == [(1, 3), (4, 4)]
    text = "COPY <<-XML /app/config.xml\n\t<config/>\n\tXML\nCMD x\n"
    assert [(i.keyword, i.line, i.end_line) for i in parse_dockerfile(text)] == [("COPY", 1, 3), ("CMD", 4, 4)]


def test_a_from_without_an_image_has_an_empty_base():
    assert stages(parse_dockerfile("FROM\n")) == [Stage(0, "", None, 1)]


def test_words_and_exec_form_read_the_first_line_only():
    run = parse_dockerfile("RUN cat <<EOF\nhello world\nEOF\n")[0]
    assert words(run.arguments) == ["cat", "<<EOF"]
    assert exec_form('["python", "app.py"]\nline two\nline three') == ["python", "app.py"]


def test_flags_need_a_name():
    flags, rest = split_flags("-- /a /b")
    assert flags == [] and rest[-2:] == ["/a", "/b"]
    assert split_flags("--q x") == ([("q", "")], ["x"])


def test_copy_operands_in_the_exec_form():
    copy = parse_dockerfile('COPY ["my file.txt", "/app/"]\n')[0]
    assert copy_operands(copy) == ([], ["my file.txt", "/app/"])
    copy = parse_dockerfile('COPY --chown=app "my file.txt" /app/\n')[0]
    assert copy_operands(copy) == ([("chown", "app")], ["my file.txt", "/app/"])


def test_command_text_leaves_out_the_flags():
    run = parse_dockerfile("RUN --mount=type=cache,target=/root/.cache pip install x\n")[0]
    assert command_text(run) == "pip install x"
    assert command_text(parse_dockerfile("RUN --network=none\n")[0]) == ""


@pytest.mark.parametrize(
    "word, expected",
    [
        ('MSG="it\'s \\"ok\\""', 'MSG=it\'s "ok"'),  # backslashes escape inside double quotes
        ("'C:\\path'", "C:\\path"),  # and are kept inside single quotes
        ("\"hello \"'world'", "hello world"),
        ('"a"\\ b', "a b"),
        ('XDG_CACHE_HOME="/cache"', "XDG_CACHE_HOME=/cache"),
        ('\\"hi\\"', '"hi"'),
        ('"say \\"hi\\"', 'say "hi"'),  # still being typed: the closing quote is missing
        ('"abc\\', "abc\\"),
    ],
)
def test_unquote_follows_the_shell(word, expected):
    assert unquote(word) == expected


def test_escape_character_of_non_text_is_the_backslash():
    assert escape_character(None) == "\\"
    assert escape_character(b"# escape=`\n") == "\\"
