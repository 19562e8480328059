"""Reading the shell text of a RUN the way Portside's rules need it: the commands joined by && ; | and
newlines, the packages a package manager installs, the pip installs and the requirement files they read. No Qt."""

from __future__ import annotations

import re

from gui.core.dockerfile.parser import unquote, words

__all__ = [
    "COMMAND_SPLIT_RE",
    "PIP_INSTALL_RE",
    "PIP_VALUE_OPTIONS",
    "commands",
    "installed_packages",
    "pip_requirement_files",
    "pip_segments",
]

_PACKAGE_MANAGERS = {"apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper"}
PIP_INSTALL_RE = re.compile(
    r"(?<![\w.-])(?<!uv )(?:[\w./-]*/)?(?:pip[0-9.]*|python[0-9.]*\s+-m\s+pip)\s+install(?![\w-])"
)
COMMAND_SPLIT_RE = re.compile(r"&&|\|\||[;|\n]")
# pip options that take a value: the word after them is not a package (explain reads pip installs with it too).
PIP_VALUE_OPTIONS = frozenset(
    {
        "-r",
        "--requirement",
        "-c",
        "--constraint",
        "-e",
        "--editable",
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--trusted-host",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--cache-dir",
        "--log",
        "--proxy",
        "--retries",
        "--timeout",
        "--exists-action",
        "--cert",
        "--client-cert",
        "--only-binary",
        "--no-binary",
        "--config-settings",
        "-C",
        "--global-option",
        "--report",
    }
)


def commands(shell: str) -> list[str]:
    """The commands of a shell text, split at && || ; | and newlines."""
    return [part.strip() for part in COMMAND_SPLIT_RE.split(shell) if part.strip()]


def installed_packages(command: str) -> list[str]:
    """The packages one command installs with a system package manager (apt-get, apk, dnf...), versions cut off."""
    tokens = command.split()
    # skip leading "sudo", "DEBIAN_FRONTEND=noninteractive" and the like
    while tokens and (tokens[0] == "sudo" or "=" in tokens[0]):
        tokens.pop(0)
    if not tokens or tokens[0].rsplit("/", 1)[-1] not in _PACKAGE_MANAGERS:
        return []
    verbs = [i for i, token in enumerate(tokens) if token in ("install", "add")]
    if not verbs:
        return []
    packages = []
    for token in tokens[verbs[0] + 1 :]:
        if token.startswith("-"):
            continue
        packages.append(re.split(r"[=~<>]", unquote(token), maxsplit=1)[0])
    return packages


def pip_segments(shell: str) -> list[tuple[str, str]]:
    """(pip install command, its arguments) for each pip install in a shell text."""
    found = []
    for command in commands(shell):
        match = PIP_INSTALL_RE.search(command)
        if match:
            found.append((command, command[match.end() :]))
    return found


def pip_requirement_files(pip_arguments: str) -> tuple[list[str], bool]:
    """(files given with -r/-c, whether the install also needs local files such as `.` or -e .)."""
    files: list[str] = []
    local = False
    tokens = [unquote(t) for t in words(pip_arguments)]
    index = 0
    while index < len(tokens):
        token = tokens[index]
        option, eq, value = token.partition("=")
        if (token.startswith("-r") and len(token) > 2 and not token.startswith("--")) or (
            token.startswith("-c") and len(token) > 2 and not token.startswith("--")
        ):
            files.append(token[2:])
        elif option in ("-r", "--requirement", "-c", "--constraint"):
            if eq:
                files.append(value)
            elif index + 1 < len(tokens):
                index += 1
                files.append(tokens[index])
        elif option in ("-e", "--editable"):
            local = True
            index += 0 if eq else 1
        elif option in PIP_VALUE_OPTIONS:
            index += 0 if eq else 1
        elif not token.startswith("-") and (token.startswith((".", "/", "~")) or token.endswith((".whl", ".tar.gz"))):
            local = True
        index += 1
    return files, local
