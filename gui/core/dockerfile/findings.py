"""What a Dockerfile check reports, whoever made it (Portside's rules or hadolint): a Finding, the QuickFix
that some findings carry, and apply_fix, which makes a fix's edits. No Qt."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SEVERITIES", "Finding", "QuickFix", "TextEdit", "apply_fix", "finding_order"]

SEVERITIES = ("error", "warning", "info", "style")  # most serious first


@dataclass(frozen=True)
class TextEdit:
    """Replaces whole lines line..end_line (1-based, inclusive) with `replacement`.

    `replacement` is the new lines joined with "\\n", without a final newline; "" deletes the
    lines. end_line == line - 1 replaces nothing: the replacement is inserted before `line`.
    """

    line: int
    end_line: int
    replacement: str


@dataclass(frozen=True)
class QuickFix:
    title: str
    edits: tuple[TextEdit, ...]  # line numbers refer to the text before any edit; no overlaps


@dataclass(frozen=True)
class Finding:
    line: int
    rule: str
    severity: str  # "error" | "warning" | "info" | "style"
    message: str  # plain sentence
    why: str = ""  # short reason, from the seed's best practices
    column: int = 0  # 1-based; 0 when the whole line is meant
    fix: QuickFix | None = None


def finding_order(finding: Finding) -> tuple:
    """Sort key: by line, the most serious first on a line."""
    severity = SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else len(SEVERITIES)
    return finding.line, severity, finding.column, finding.rule


def apply_fix(text: str, fix: QuickFix) -> str:
    """`text` with the fix's edits made. Raises ValueError when an edit does not fit the text (a stale
    fix: lint again and use the new one)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    ends_with_newline = len(lines) > 1 and lines[-1] == ""
    if ends_with_newline:
        lines.pop()
    edits = sorted(fix.edits, key=lambda e: (e.line, e.end_line), reverse=True)
    last_start = len(lines) + 2
    for edit in edits:
        if edit.line < 1 or edit.end_line < edit.line - 1 or edit.end_line > len(lines) or edit.end_line >= last_start:
            raise ValueError(
                f"the fix {fix.title!r} does not match the text any more (lines {edit.line}-"
                f"{edit.end_line} of {len(lines)})"
            )
        replacement = edit.replacement.replace("\r\n", "\n").split("\n") if edit.replacement else []
        lines[edit.line - 1 : edit.end_line] = replacement
        last_start = edit.line
    result = newline.join(lines)
    if ends_with_newline and lines:
        result += newline
    return result
