"""What tests/conftest.py adds to every run: the count of test functions and cases, and, where nothing may be
skipped (PORTSIDE_NO_SKIPS=1, set by packaging/run-tests.sh), a failed run when a test was skipped all the same.
Checked on a small session of its own with the same conftest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SESSION = """
import pytest


@pytest.mark.parametrize("n", [1, 2])
def test_two_cases(n):
    assert n


def test_needs_a_tool_that_is_missing():
    pytest.skip("no such tool here")


@pytest.mark.xfail(strict=True, reason="an expected failure is not a skip")
def test_expected_failure():
    raise AssertionError
"""


def run_session(tmp_path: Path, *args: str, no_skips: bool) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["tests.conftest"]\n', encoding="utf-8")
    (tmp_path / "test_session.py").write_text(SESSION, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PORTSIDE_NO_SKIPS"}
    env["PYTHONPATH"] = str(ROOT)
    if no_skips:
        env["PORTSIDE_NO_SKIPS"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_summary_counts_functions_and_cases(tmp_path):
    run = run_session(tmp_path, no_skips=False)
    assert run.returncode == 0, run.stdout + run.stderr  # a skip is allowed on a developer's computer
    assert "3 test functions, 4 cases" in run.stdout


def test_a_skipped_test_fails_the_run_where_nothing_may_be_skipped(tmp_path):
    run = run_session(tmp_path, no_skips=True)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "skipped tests fail this run (PORTSIDE_NO_SKIPS=1)" in run.stdout
    assert "test_session.py::test_needs_a_tool_that_is_missing: Skipped: no such tool here" in run.stdout
    assert "test_expected_failure" not in run.stdout.split("skipped tests fail this run")[1]


def test_an_expected_failure_is_not_a_skip(tmp_path):
    run = run_session(tmp_path, "-k", "not missing", no_skips=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 test functions, 3 cases" in run.stdout
