"""Syntax rules PS100-PS120 (gui.core.dockerfile.syntax), one or more cases per rule, and how they combine with
hadolint in lint_dockerfile. The engine agreement is checked in tests/engine/test_dockerfile_referee.py."""

import pytest

from gui.core.dockerfile import hadolint
from gui.core.dockerfile.findings import Finding
from gui.core.dockerfile.lint import combine_findings, lint_dockerfile, own_findings
from gui.core.dockerfile.syntax import engine_release, syntax_findings

needs_hadolint = pytest.mark.usefixtures("hadolint_installed")  # fails, never skips, without hadolint

HEREDOC = "FROM python:3.12-slim\nRUN <<EOF\necho hi\nEOF\nCOPY <<-END /x\n\thello\n\tEND\n"


def errors(text, engine_version=None):
    return [(f.rule, f.line) for f in syntax_findings(text, engine_version) if f.severity == "error"]


def rules(text, engine_version=None):
    return [(f.rule, f.severity, f.line) for f in syntax_findings(text, engine_version)]


@pytest.mark.parametrize(
    "text",
    [
        "FROM x\n",
        'from x\ncmd ["sh"]\n',
        "ARG V=1\nFROM x:$V\n",
        "# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN echo a `\n  b\n",
        "FROM x AS build\nFROM x\nCOPY --from=build /a /b\nCOPY --from=0 /a /b\nCOPY --from=nginx:1 /a /b\n",
        "FROM x\nEXPOSE 80 53/udp 8000-8010/TCP $PORT\n",
        "FROM x\nHEALTHCHECK --interval=1m30s --retries=3 CMD true\nSTOPSIGNAL SIGTERM\n",
        HEREDOC,
        "FROM x\nRUN --mount=type=cache,target=/root/.cache pip install a\n",
    ],
)
def test_valid_files_have_no_findings(text):
    assert syntax_findings(text) == []


def test_empty_file_and_only_comments_are_errors():
    assert errors("") == [("PS100", 1)]
    assert errors("# a comment\n\n# another\n") == [("PS100", 1)]
    assert errors("# syntax=docker/dockerfile:1\n") == [("PS100", 1)]


def test_no_from_and_only_arg_before_from():
    assert errors("RUN echo hi\n") == [("PS101", 1), ("PS102", 1)]
    assert errors("ARG A=1\nENV B=2\nLABEL c=d\nFROM x\n") == [("PS102", 2), ("PS102", 3)]


def test_every_unknown_instruction_has_its_own_finding_and_keywords_ignore_case():
    found = syntax_findings("FROM x\nFOO a\nrun echo\nBAR b\nCPY a b\n")
    assert [(f.rule, f.line) for f in found] == [("PS103", 2), ("PS103", 4), ("PS103", 5)]
    assert "Did you mean COPY?" in found[2].message


def test_exec_form_json():
    assert errors('FROM x\nRUN [1, 2]\nCMD ["sh", true]\n') == [("PS104", 2), ("PS104", 3)]
    assert errors("FROM x\nSHELL /bin/sh -c\n") == [("PS104", 2)]
    # not JSON at all: Docker runs it as a shell command, so it is a warning, not an error
    assert rules("FROM x\nCMD ['python', 'app.py']\n") == [("PS105", "warning", 2)]


@pytest.mark.parametrize("port", ["abc", "70000", "-1", "90-80", "80/xyz", "80/"])
def test_expose_bad_port_or_protocol(port):
    assert errors(f"FROM x\nEXPOSE 80 {port}\n") == [("PS106", 2)]


def test_copy_from_stages():
    assert errors("FROM x\nCOPY --from=0 /a /b\n") == [("PS107", 2)]
    assert errors("FROM x AS a\nCOPY --from=a /a /b\n") == [("PS107", 2)]
    assert errors("FROM x\nCOPY --from=later /a /b\nFROM x AS later\n") == [("PS107", 2)]
    assert rules("FROM x\nCOPY --from=builder /a /b\n") == [("PS107", "warning", 2)]
    assert syntax_findings("FROM x AS Build\nFROM x\nCOPY --from=build /a /b\n") == []


def test_onbuild_from_and_chained_onbuild():
    assert errors("FROM x\nONBUILD FROM y\nONBUILD ONBUILD RUN z\nONBUILD RUN ok\n") == [("PS108", 2), ("PS108", 3)]


def test_from_forms_and_stage_names():
    assert errors("FROM\n") == [("PS111", 1)]
    assert errors("FROM x AS\nFROM x as a b\nFROM x AS 1bad\n") == [("PS110", 1), ("PS110", 2), ("PS110", 3)]
    assert errors("FROM x AS a\nFROM x AS A\n") == [("PS109", 2)]


def test_missing_arguments_and_values():
    text = "FROM x\nENV\nENV a\nLABEL b\nUSER\nWORKDIR\nVOLUME\nCOPY a.txt\nEXPOSE\n"
    assert errors(text) == [(r, n) for r, n in zip(["PS111"] * 8, range(2, 10), strict=True)]
    assert errors("FROM x\nCMD\nENV a b\n") == []


def test_unknown_option():
    assert errors("FROM x\nCOPY --bogus=1 a /x\nADD --from=y a /x\n") == [("PS112", 2), ("PS112", 3)]


def test_escape_directive():
    assert errors("# escape=x\nFROM y\n") == [("PS113", 1)]
    # ` continues the line; a backslash at the end of a line is then plain text
    assert syntax_findings("# escape=`\nFROM y\nWORKDIR C:\\x\\\nRUN a `\n  b\n") == []
    # a directive after a comment is a comment: the backslash stays the escape character
    assert errors("# hello\n# escape=`\nFROM y\nRUN a `\n  b\n") == [("PS103", 5)]


def test_continuation_at_end_of_file_is_a_warning():
    assert rules("FROM x\nRUN echo \\") == [("PS114", "warning", 2)]
    assert rules("FROM x\nRUN echo \\\n\n# only a comment\n") == [("PS114", "warning", 2)]


def test_heredocs_are_understood_and_an_unterminated_one_is_an_error():
    assert syntax_findings(HEREDOC) == []
    assert errors("FROM x\nRUN <<EOF\necho hi\n") == [("PS115", 2)]
    assert errors("FROM x\nRUN <<A <<B\na\nA\nb\n") == [("PS115", 2)]
    assert errors("FROM x\nRUN <<A <<B\na\nA\nb\nB\nFOO\n") == [("PS103", 7)]


def test_healthcheck_and_stopsignal():
    assert errors("FROM x\nHEALTHCHECK --interval=abc CMD true\n") == [("PS116", 2)]
    assert errors("FROM x\nHEALTHCHECK --retries=x CMD true\nHEALTHCHECK echo\n") == [("PS116", 2), ("PS116", 3)]
    assert errors("FROM x\nHEALTHCHECK NONE\nSTOPSIGNAL 9\nSTOPSIGNAL int\n") == []
    assert errors("FROM x\nSTOPSIGNAL FOO\n") == [("PS117", 2)]


def test_newer_syntax_is_named_with_the_version_that_reads_it():
    assert engine_release("20.10.24+dfsg1") == (20, 10) and engine_release("?") is None
    found = syntax_findings(HEREDOC + "RUN --mount=type=cache,target=/x true\n", engine_version="20.10.24")
    assert [(f.rule, f.severity, f.line) for f in found] == [
        ("PS120", "warning", 2),
        ("PS120", "warning", 5),
        ("PS120", "warning", 8),
    ]
    assert "needs Docker 23 or newer (BuildKit); this engine is 20.10" in found[0].message
    newer = syntax_findings(HEREDOC, engine_version="27.1.0")  # the engine reads it; Portside's Build does not
    assert [(f.rule, f.line) for f in newer] == [("PS121", 2), ("PS121", 5)]


def test_own_findings_work_without_hadolint(monkeypatch):
    monkeypatch.setattr(hadolint, "hadolint_path", lambda: None)
    found = lint_dockerfile("FROM python:3.12-slim\nFOO x\nBAR y\n")
    assert [(f.rule, f.line) for f in found if f.severity == "error"] == [("PS103", 2), ("PS103", 3)]
    assert [f.rule for f in own_findings("")] == ["PS100"]


def test_hadolints_parse_failure_is_dropped_when_portside_finds_the_file_broken():
    text = "FROM python:3.12-slim\nFOO x\n"
    failure = hadolint._cannot_check(2, "DL1000", "unexpected 'F'")
    assert hadolint.is_parse_failure(failure)
    combined = combine_findings(text, own_findings(text), [failure])
    assert [f.rule for f in combined] == ["PS103"]
    fine = "FROM python:3.12-slim\nRUN <<EOF\necho hi\nEOF\n"
    assert combine_findings(fine, own_findings(fine), [failure]) == [failure]


@needs_hadolint
def test_a_heredoc_hadolint_cannot_parse_is_not_called_broken():
    found = lint_dockerfile(HEREDOC + "USER 10001\n")
    assert not [f for f in found if f.severity == "error"]
    notes = [f for f in found if f.rule == "DL1000"]
    assert notes and all(f.severity == "info" for f in notes)
    assert notes[0].message.startswith("hadolint could not check this file (from line")
    assert "Docker cannot read" not in " ".join(f.message for f in found)


def test_findings_are_findings():
    assert all(isinstance(f, Finding) and f.why for f in syntax_findings("FROM x\nFOO y\n"))
