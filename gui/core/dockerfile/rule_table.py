"""Portside's rules PS001-PS007 in one table (short title, and the reason quoted from the seed tutorial's best
practices), and how a rule's finding is made and where on its line it points. No Qt."""

from __future__ import annotations

from gui.core.dockerfile.findings import Finding, QuickFix
from gui.core.dockerfile.parser import Instruction

__all__ = ["RULES", "rule_finding", "word_column"]

# rule -> (short title, why). The why texts quote the seed's best practices.
RULES: dict[str, tuple[str, str]] = {
    "PS001": (
        "Use a slim Python base image",
        "Minimize image size: use lightweight base images (e.g. python:3.12-slim) to reduce the "
        "container's size and speed up deployments.",
    ),
    "PS002": (
        "Keep compilers out of the final image",
        "Use multi-stage builds: separate build and runtime stages to further reduce image size. "
        "Build in a builder stage and copy only the results into a slim runtime stage.",
    ),
    "PS003": (
        "No secrets in the Dockerfile",
        "Avoid hardcoding sensitive data: never put API keys in ENV or ARG, where anyone with the "
        "image can read them. Pass them when the container starts (docker run -e NAME) or use "
        "Docker secrets.",
    ),
    "PS004": (
        "Pin the base image's version",
        "Version control: a tag that names a version builds the same environment every time, so a "
        "model gives the same results next month. `latest` changes under you.",
    ),
    "PS005": (
        "Install requirements before copying the code",
        "Docker reuses a cached layer while the files copied before it are unchanged: copy the "
        "requirements list first and the slow install is skipped when only your code changes.",
    ),
    "PS006": (
        "Add a .dockerignore",
        "Minimize image size: without a .dockerignore, datasets, checkpoints, .git and virtual "
        "environments are sent to every build and can end up in the image, with secrets like .env.",
    ),
    "PS007": (
        "pip install --no-cache-dir",
        "Minimize image size: pip's download cache is never used again inside an image; "
        "--no-cache-dir keeps it out (hundreds of MB for torch or tensorflow).",
    ),
}


def rule_finding(
    rule: str, severity: str, line: int, message: str, column: int = 0, fix: QuickFix | None = None
) -> Finding:
    """A finding of Portside's rule `rule`, with the rule's reason as its why."""
    return Finding(line=line, rule=rule, severity=severity, message=message, why=RULES[rule][1], column=column, fix=fix)


def word_column(instruction: Instruction, word: str) -> int:
    """1-based column of `word` on the instruction's first line (after the keyword), 0 when it is not there."""
    first = instruction.original.split("\n", 1)[0]
    index = first.find(word, len(first) - len(first.lstrip()) + len(instruction.keyword))
    return index + 1 if index >= 0 else 0
