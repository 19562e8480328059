"""Image references, checked against the grammar Docker uses (distribution/reference), before any call.

Messages are written for a person filling in a form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
TAG_PATTERN = re.compile(r"[\w][\w.-]{0,127}")
DIGEST_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_PATH_PATTERN = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_DOMAIN_PATTERN = re.compile(_DOMAIN)
NAME_MAX_LENGTH = 255


@dataclass(frozen=True)
class Reference:
    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        text = self.repository
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def tag_or_latest(self) -> str:
        return self.tag or "latest"


def split_reference(text: str) -> tuple[str, str | None, str | None]:
    """'host:5000/repo:tag@sha256:...' -> ('host:5000/repo', 'tag', 'sha256:...'); no checking."""
    name, _, digest = text.partition("@")
    tag = None
    # A colon after the last slash is a tag; before it, it is a registry port.
    last_slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > last_slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag, (digest if "@" in text else None)


def _looks_like_domain(component: str) -> bool:
    # Like Docker: the first component is a registry if it has a dot or a port, or is "localhost".
    return "." in component or ":" in component or component == "localhost" or component != component.lower()


def name_problem(name: str) -> str | None:
    if not name:
        return "Enter an image name, for example my-ai-app or user/my-ai-app."
    if len(name) > NAME_MAX_LENGTH:
        return f"The image name is {len(name)} characters long; Docker allows at most {NAME_MAX_LENGTH}."
    first, slash, rest = name.partition("/")
    if slash and _looks_like_domain(first):
        if not _DOMAIN_PATTERN.fullmatch(first):
            return f'"{first}" is not a valid registry address (host or host:port).'
        path = rest
    else:
        path = name
    if path != path.lower():
        return 'Repository names must be lowercase: use "' + path.lower() + '".'
    if not path or not _PATH_PATTERN.fullmatch(path):
        return (
            "The repository name may use lowercase letters, digits and the separators . _ - between them, "
            "with / between parts (for example user/my-ai-app)."
        )
    return None


def tag_problem(tag: str) -> str | None:
    if not tag:
        return "Enter a tag, for example 1.0 (a version) or latest."
    if len(tag) > 128:
        return f"The tag is {len(tag)} characters long; Docker allows at most 128."
    if not TAG_PATTERN.fullmatch(tag):
        return (
            "A tag starts with a letter, digit or underscore and may then use letters, digits, _ . and -; "
            "for example 1.0 or 2024-06-01."
        )
    return None


def reference_problem(text: str) -> str | None:
    """Why `text` is not a valid image reference, or None when it is."""
    text = text.strip()
    if not text:
        return name_problem("")
    if any(ch.isspace() for ch in text):
        return "An image reference cannot contain spaces."
    name, tag, digest = split_reference(text)
    problem = name_problem(name)
    if problem:
        return problem
    if tag is not None:
        problem = tag_problem(tag)
        if problem:
            return problem
    if digest is not None and not DIGEST_PATTERN.fullmatch(digest):
        return "The digest after @ must look like sha256: followed by at least 32 hexadecimal digits."
    return None


def parse(text: str) -> Reference:
    """Parse a reference known to be valid (check reference_problem first)."""
    problem = reference_problem(text)
    if problem:
        raise ValueError(problem)
    name, tag, digest = split_reference(text.strip())
    return Reference(name, tag, digest)
