"""Portside's rules (PS001-PS007, and the syntax rules PS100-PS121) in one table (short title, and the reason quoted from the seed tutorial's best
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

_SYNTAX_WHY = (
    "Docker reads a Dockerfile before it builds anything: a line it cannot read stops the build at once, "
    "before any step runs."
)
# The syntax rules (gui.core.dockerfile.syntax): what Docker's builders refuse to read.
RULES.update(
    {
        "PS100": ("The Dockerfile is empty", _SYNTAX_WHY),
        "PS101": ("No FROM line", "Every image starts from another image: FROM names it, and comes first."),
        "PS102": ("Only ARG before FROM", "Before the first FROM there is no image yet; only ARG may come first."),
        "PS103": ("Unknown instruction", _SYNTAX_WHY),
        "PS104": ("JSON list with other things than strings", _SYNTAX_WHY),
        "PS105": (
            "Not a valid JSON list",
            "Docker falls back to the shell form when the list is not valid JSON: the command then runs as "
            "text through /bin/sh and usually fails when the container starts.",
        ),
        "PS106": ("Bad port or protocol in EXPOSE", _SYNTAX_WHY),
        "PS107": (
            "COPY --from names no earlier stage",
            "--from names a stage defined above (by its AS name or its number) or an image.",
        ),
        "PS108": ("ONBUILD cannot run this", _SYNTAX_WHY),
        "PS109": ("Two stages with one name", _SYNTAX_WHY),
        "PS110": ("FROM is not written right", _SYNTAX_WHY),
        "PS111": ("Missing arguments", _SYNTAX_WHY),
        "PS112": ("Unknown option", _SYNTAX_WHY),
        "PS113": ("Bad escape directive", _SYNTAX_WHY),
        "PS114": ("Continuation at the end of the file", "A line ending in \\ continues on the next line."),
        "PS115": ("Heredoc without its closing line", _SYNTAX_WHY),
        "PS116": ("HEALTHCHECK is not written right", _SYNTAX_WHY),
        "PS117": ("Not a signal", _SYNTAX_WHY),
        "PS120": (
            "Needs a newer Docker",
            "Heredocs and options like RUN --mount and COPY --chmod are read by BuildKit, Docker's builder "
            "from version 23 on; older engines' builder refuses them.",
        ),
        "PS121": (
            "Portside's Build cannot read this",
            "Portside builds with the engine's classic builder (the build API without BuildKit), which reads no "
            "heredocs and no BuildKit options on any Docker version; docker build in a terminal uses BuildKit.",
        ),
    }
)


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
