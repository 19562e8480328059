"""Portside's own Dockerfile rules, PS001-PS007, from the seed tutorial's best practices. No Qt.

The rules are pure and fast (the editor runs them as you type) and carry the reason from the seed's best
practices; the mechanical ones come with a QuickFix whose edits replace whole lines. PS005 (copy the
requirements before the code) lives in copy_order, the rule table in rule_table.
"""

from __future__ import annotations

import re
from pathlib import Path

from gui.core.dockerfile.copy_order import copy_before_install_rule
from gui.core.dockerfile.findings import Finding, QuickFix, TextEdit, finding_order
from gui.core.dockerfile.parser import (
    Instruction,
    command_text,
    escape_character,
    exec_form,
    parse_dockerfile,
    split_flags,
    unquote,
    words,
)
from gui.core.dockerfile.rule_table import RULES, rule_finding, word_column
from gui.core.dockerfile.shell_commands import COMMAND_SPLIT_RE, PIP_INSTALL_RE, commands, installed_packages
from gui.core.reference import split_reference
from gui.core.secrets import is_secret_name

__all__ = ["RULES", "portside_rules"]

_PYTHON_REPOSITORIES = {"python", "library/python", "docker.io/library/python", "index.docker.io/library/python"}
_DEBIAN_RELEASES = {"bookworm", "bullseye", "buster", "trixie", "stretch", "forky"}
_BUILD_TOOLS_RE = re.compile(r"(?:gcc|g\+\+|gfortran|clang|cmake|make|build-essential|build-base)(?:-[0-9.]+)?")
_VARIABLE_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")


def portside_rules(text: str, context_dir: Path | None = None) -> list[Finding]:
    """Portside's own rules, PS001-PS007. Pure (one stat for PS006 when context_dir is given), fast."""
    instructions = parse_dockerfile(text)
    escape = escape_character(text) if instructions else "\\"
    findings: list[Finding] = []
    findings += _base_image_rules(instructions)
    findings += _build_tools_rule(instructions)
    findings += _secret_rule(instructions)
    findings += copy_before_install_rule(instructions, text)
    findings += _no_cache_dir_rule(instructions, escape)
    if context_dir is not None:
        findings += _dockerignore_rule(Path(context_dir))
    return sorted(findings, key=finding_order)


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
    column = word_column(instruction, image)
    if digest is not None:
        return []
    if tag is None or tag == "latest":
        what = (
            f"{resolved} has no version tag, so it means {name}:latest"
            if tag is None
            else f"{resolved} names no version"
        )
        return [
            rule_finding(
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
        rule_finding(
            "PS001",
            "warning",
            instruction.line,
            f"{resolved} is the full Python image (about 1 GB, with compilers and tools the app "
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
        for command in commands(command_text(instruction)):
            tools += [p for p in installed_packages(command) if _BUILD_TOOLS_RE.fullmatch(p) and p not in tools]
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
        return [rule_finding("PS002", "warning", instruction.line, message)]
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
        findings.append(
            rule_finding("PS003", "error", instruction.line, message, word_column(instruction, names[0]), fix)
        )
    return findings


def _rewritten(instruction: Instruction, kept_words: list[str]) -> str:
    """The instruction on one line, keyword as written, with only `kept_words` as its arguments."""
    first = instruction.original.split("\n", 1)[0]
    indent = first[: len(first) - len(first.lstrip())]
    keyword = first.lstrip()[: len(instruction.keyword)]
    return f"{indent}{keyword} {' '.join(kept_words)}"


# PS006 -----------------------------------------------------------------------------------------------


def _dockerignore_rule(context_dir: Path) -> list[Finding]:
    try:
        if not context_dir.is_dir() or (context_dir / ".dockerignore").exists():
            return []
    except OSError:
        return []
    return [
        rule_finding(
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
    for match in PIP_INSTALL_RE.finditer(flat):
        end = COMMAND_SPLIT_RE.search(flat, match.end())
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
            if PIP_INSTALL_RE.search(shell) and "--no-cache-dir" not in listed:
                findings.append(rule_finding("PS007", "warning", instruction.line, _NO_CACHE_MESSAGE))
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
        findings.append(rule_finding("PS007", "warning", line, _NO_CACHE_MESSAGE, max(column, 0), fix))
    return findings


_NO_CACHE_MESSAGE = (
    "pip install without --no-cache-dir keeps pip's download cache in the image, where it is never used again."
)
