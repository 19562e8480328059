"""Dockerfile lint: Portside's own rules (rules) and hadolint's (hadolint), combined into one sorted list of
findings without repeats. No Qt.

The Finding type and quick fixes live in findings, the rules in rules (with rule_table, shell_commands and
copy_order), the hadolint runner in hadolint.
"""

from __future__ import annotations

from pathlib import Path

from gui.core.dockerfile.findings import Finding, finding_order
from gui.core.dockerfile.hadolint import run_hadolint
from gui.core.dockerfile.parser import instruction_at, parse_dockerfile
from gui.core.dockerfile.rules import portside_rules

# hadolint rules that say what a Portside rule already says (with a fix): shown once, as Portside's.
_SAME_AS = {"DL3006": "PS004", "DL3007": "PS004", "DL3042": "PS007", "DL3064": "PS003"}


def lint_dockerfile(text: str, context_dir: Path | None = None, timeout: float = 10) -> list[Finding]:
    """Portside's rules and hadolint's, sorted by line. A hadolint finding that says what a Portside
    finding on the same instruction already says (DL3006/DL3007 ~ PS004, DL3042 ~ PS007,
    DL3064 ~ PS003) is dropped. hadolint runs in context_dir, so a project's .hadolint.yaml applies."""
    own = portside_rules(text, context_dir)
    theirs = run_hadolint(text, timeout=timeout, cwd=context_dir)
    if own and theirs:
        instructions = parse_dockerfile(text)

        def place(line: int) -> int:
            found = instruction_at(instructions, line)
            return found.line if found else line

        covered = {(f.rule, place(f.line)) for f in own}
        theirs = [f for f in theirs if (_SAME_AS.get(f.rule), place(f.line)) not in covered]
    return sorted(own + theirs, key=finding_order)
