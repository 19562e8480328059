"""Dockerfile lint: Portside's own rules (syntax and rules) and hadolint's (hadolint), combined into one sorted list of
findings without repeats. No Qt.

The Finding type and quick fixes live in findings, the rules in rules (with rule_table, shell_commands and
copy_order), the hadolint runner in hadolint.
"""

from __future__ import annotations

import bisect
from pathlib import Path

from gui.core.dockerfile.findings import Finding, finding_order
from gui.core.dockerfile.hadolint import is_parse_failure, run_hadolint
from gui.core.dockerfile.parser import parse_dockerfile
from gui.core.dockerfile.rules import portside_rules
from gui.core.dockerfile.syntax import syntax_findings

# hadolint rules that say what a Portside rule already says (with a fix): shown once, as Portside's.
_SAME_AS = {"DL3006": "PS004", "DL3007": "PS004", "DL3042": "PS007", "DL3064": "PS003", "DL3061": "PS102"}


def own_findings(text: str, context_dir: Path | None = None, engine_version: str | None = None) -> list[Finding]:
    """Portside's own findings: the syntax rules (what Docker refuses to read; `engine_version` adds the
    "needs a newer Docker" findings) and the best-practice rules PS001-PS007. Fast: no subprocess."""
    return syntax_findings(text, engine_version) + portside_rules(text, context_dir)


def lint_dockerfile(
    text: str, context_dir: Path | None = None, timeout: float = 10, engine_version: str | None = None
) -> list[Finding]:
    """Portside's rules (own_findings) and hadolint's, sorted by line. A hadolint finding that says what a Portside
    finding on the same instruction already says (DL3006/DL3007 ~ PS004, DL3042 ~ PS007,
    DL3064 ~ PS003) is dropped. hadolint runs in context_dir, so a project's .hadolint.yaml applies."""
    own = own_findings(text, context_dir, engine_version)
    theirs = run_hadolint(text, timeout=timeout, cwd=context_dir)
    return combine_findings(text, own, theirs)


def combine_findings(text: str, own: list[Finding], theirs: list[Finding]) -> list[Finding]:
    """Portside's findings and hadolint's for `text`, sorted, without hadolint's repeats of Portside's (the
    editor runs the two apart, so its own findings show before hadolint ends).

    When hadolint could not parse the file and Portside's parser finds it broken too, Portside's findings
    say what is wrong and hadolint's parse failure is dropped."""
    if any(is_parse_failure(f) for f in theirs) and any(f.severity == "error" for f in syntax_findings(text)):
        theirs = [f for f in theirs if not is_parse_failure(f)]
    if own and theirs:
        instructions = parse_dockerfile(text)
        starts = [instruction.line for instruction in instructions]  # once: not per finding (5,000 lines)

        def place(line: int) -> int:
            position = bisect.bisect_right(starts, line) - 1
            found = instructions[position] if position >= 0 else None
            return found.line if found is not None and found.line <= line <= found.end_line else line

        covered = {(f.rule, place(f.line)) for f in own}
        theirs = [f for f in theirs if (_SAME_AS.get(f.rule), place(f.line)) not in covered]
    return sorted(own + theirs, key=finding_order)
