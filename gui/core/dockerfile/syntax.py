"""Dockerfile syntax rules PS100-PS121 on Portside's own parser: what Docker's builders refuse to read. No Qt.

They follow what Docker's frontend does (checked against a real engine in tests/engine/test_dockerfile_referee.py):
a finding of severity "error" means the builder rejects the file; each broken line gets its own finding.
Syntax newer than the engine (heredocs, RUN --mount, COPY --chmod ...) gets a "needs a newer Docker" warning when
the engine's version is known, never a claim that the file is broken; on a newer engine it gets a warning that
Portside's own Build (the classic builder) cannot read it. Text Docker accepts but reads differently
than it looks (a JSON list that is not JSON runs as a shell command) gets a warning.
"""

from __future__ import annotations

import difflib
import json
import re

from gui.core.dockerfile.findings import Finding
from gui.core.dockerfile.parser import (
    HEREDOC_KEYWORDS,
    KEYWORDS,
    Instruction,
    escape_character,
    heredoc_markers,
    parse_dockerfile,
    split_flags,
    unquote,
    words,
)
from gui.core.dockerfile.rule_table import rule_finding

__all__ = ["BUILDKIT_DEFAULT_VERSION", "engine_release", "syntax_findings"]

BUILDKIT_DEFAULT_VERSION = (23, 0)  # Docker 23 builds with BuildKit and Dockerfile syntax 1.4+ (heredocs)

# Flags each builder knows. The legacy builder (POST /build without BuildKit) knows only the first set; the
# second needs BuildKit. Any other flag is refused by both ("Unknown flag").
_LEGACY_FLAGS = {
    "FROM": {"platform"},
    "COPY": {"from", "chown"},
    "ADD": {"chown"},
    "HEALTHCHECK": {"interval", "timeout", "start-period", "retries"},
}
_BUILDKIT_FLAGS = {
    "RUN": {"mount", "network", "security"},
    "COPY": {"chmod", "link", "parents", "exclude"},
    "ADD": {"chmod", "link", "checksum", "keep-git-dir", "exclude", "unpack"},
    "HEALTHCHECK": {"start-interval"},
}
# Keywords that must have arguments (Docker: "X requires at least one argument").
_NEEDS_ARGUMENTS = frozenset(
    {"FROM", "ARG", "ENV", "LABEL", "EXPOSE", "VOLUME", "USER", "WORKDIR", "STOPSIGNAL", "ONBUILD", "SHELL",
     "COPY", "ADD", "HEALTHCHECK", "MAINTAINER"}
)  # fmt: skip
_EXEC_KEYWORDS = frozenset({"RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "VOLUME", "SHELL"})
_STAGE_NAME_RE = re.compile(r"[a-z][a-z0-9_.-]*")
_PORT_RE = re.compile(r"(\d+)(?:-(\d+))?(?:/([^/]*))?")
_DURATION_RE = re.compile(
    r"0|(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))*"
)
_SIGNALS = frozenset(
    [
        "ABRT",
        "ALRM",
        "BUS",
        "CHLD",
        "CLD",
        "CONT",
        "FPE",
        "HUP",
        "ILL",
        "INT",
        "IO",
        "IOT",
        "KILL",
        "PIPE",
        "POLL",
        "PROF",
        "PWR",
        "QUIT",
        "SEGV",
        "STKFLT",
        "STOP",
        "SYS",
        "TERM",
        "TRAP",
        "TSTP",
        "TTIN",
        "TTOU",
        "URG",
        "USR1",
        "USR2",
        "VTALRM",
        "WINCH",
        "XCPU",
        "XFSZ",
    ]
)
_DIRECTIVE_RE = re.compile(r"\s*#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*")


def engine_release(version: str | None) -> tuple[int, int] | None:
    """(major, minor) of an engine version like "20.10.24+dfsg1", None when it cannot be read."""
    match = re.match(r"\s*v?(\d+)\.(\d+)", version or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def syntax_findings(text: str, engine_version: str | None = None) -> list[Finding]:
    """The syntax findings for `text`. `engine_version` (the engine's own, e.g. "20.10.24") enables the
    "needs a newer Docker" findings; without it, newer syntax is taken as readable."""
    if not isinstance(text, str):
        return []
    release = engine_release(engine_version)
    old_engine = release is not None and release < BUILDKIT_DEFAULT_VERSION
    found = _directive_findings(text)
    instructions = parse_dockerfile(text)
    if not instructions:
        return found + [
            rule_finding("PS100", "error", 1, "This Dockerfile has no instructions yet. Start it with a FROM line.")
        ]
    if not any(i.keyword == "FROM" for i in instructions):
        found.append(
            rule_finding(
                "PS101",
                "error",
                instructions[0].line,
                "This Dockerfile has no FROM line, so Docker has no image to start from. Add FROM and a base image.",
            )
        )
    stage_names: dict[str, int] = {}  # lower-case name -> stage index
    all_names = {}
    for instruction in instructions:
        if instruction.keyword == "FROM":
            name = _stage_name(instruction)
            if name:
                all_names.setdefault(name.lower(), instruction.line)
    for instruction in instructions:
        found.extend(_instruction_findings(instruction, stage_names, all_names, release, old_engine))
        if instruction.keyword == "FROM":
            name = _stage_name(instruction)
            if name and name.lower() not in stage_names:
                stage_names[name.lower()] = instruction.stage
    found.extend(_end_of_file_findings(instructions[-1], escape_character(text)))
    return found


def _directive_findings(text: str) -> list[Finding]:
    """An `# escape=` directive with a character other than \\ or ` (Docker refuses the file)."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _DIRECTIVE_RE.fullmatch(line.rstrip("\r"))
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) not in ("\\", "`"):
            found.append(
                rule_finding(
                    "PS113",
                    "error",
                    number,
                    f"The escape directive must be a backslash (\\) or a backtick (`), not {match.group(2)!r}.",
                )
            )
    return found


def _stage_name(instruction: Instruction) -> str | None:
    _, rest = split_flags(instruction.arguments)
    return unquote(rest[2]) if len(rest) == 3 and rest[1].upper() == "AS" else None


def _instruction_findings(instruction, stage_names, all_names, release, old_engine) -> list[Finding]:
    keyword, line = instruction.keyword, instruction.line
    if keyword not in KEYWORDS:
        close = difflib.get_close_matches(keyword, KEYWORDS, n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        return [rule_finding("PS103", "error", line, f"Docker does not know the instruction {keyword}.{hint}")]
    if instruction.stage < 0 and keyword != "ARG" and keyword != "FROM":
        return [
            rule_finding(
                "PS102",
                "error",
                line,
                f"Only ARG may come before the first FROM; move this {keyword} below the FROM line.",
            )
        ]
    first = instruction.arguments.split("\n", 1)[0].strip()
    if keyword in _NEEDS_ARGUMENTS and not first:
        return [rule_finding("PS111", "error", line, f"{keyword} needs something after it; Docker refuses it empty.")]
    found: list[Finding] = []
    found.extend(_flag_findings(instruction, release, old_engine))
    found.extend(_exec_form_findings(instruction, first))
    found.extend(_heredoc_findings(instruction, release, old_engine))
    check = _CHECKS.get(keyword)
    if check is not None:
        found.extend(check(instruction, first, stage_names, all_names))
    return found


def _flag_findings(instruction: Instruction, release, old_engine: bool) -> list[Finding]:
    keyword = instruction.keyword
    if not instruction.arguments.startswith("--"):
        return []
    found = []
    flags, _ = split_flags(instruction.arguments)
    for name, _value in flags:
        if name in _LEGACY_FLAGS.get(keyword, ()):
            continue
        if name in _BUILDKIT_FLAGS.get(keyword, ()):
            if old_engine:
                found.append(_version_finding(instruction.line, f"{keyword} --{name}", release))
            elif release is not None:
                found.append(
                    _classic_builder_finding(
                        instruction.line, f"does not know {keyword} --{name}", "Leave the option out"
                    )
                )
            continue
        found.append(rule_finding("PS112", "error", instruction.line, f"{keyword} has no --{name} option."))
    return found


def _version_finding(line: int, what: str, release: tuple[int, int]) -> Finding:
    return rule_finding(
        "PS120",
        "warning",
        line,
        f"{what} needs Docker 23 or newer (BuildKit); this engine is {release[0]}.{release[1]}, so its builder "
        "cannot read this line. Update Docker, or write it without this feature.",
    )


def _classic_builder_finding(line: int, what: str, instead: str) -> Finding:
    """Portside's Build sends POST /build without a BuildKit session: the engine's classic builder, which reads
    none of BuildKit's syntax on any Docker version (gui.core.engine.build_request)."""
    return rule_finding(
        "PS121",
        "warning",
        line,
        f"Portside's Build uses Docker's classic builder, which {what}, so building this file in Portside fails. "
        f"{instead}, or build it in a terminal with docker build, which uses BuildKit on Docker 23 and newer.",
    )


def _exec_form_findings(instruction: Instruction, first: str) -> list[Finding]:
    if instruction.keyword == "SHELL" and not first.startswith("["):
        return [rule_finding("PS104", "error", instruction.line, 'SHELL needs a JSON list, like ["/bin/sh", "-c"].')]
    if instruction.keyword not in _EXEC_KEYWORDS or not first.startswith("["):
        return []
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, list):
        if all(isinstance(item, str) for item in value):
            return []
        return [
            rule_finding(
                "PS104",
                "error",
                instruction.line,
                'Every item of a JSON list must be a string in double quotes, like ["python", "app.py"].',
            )
        ]
    if instruction.keyword == "SHELL":
        return [rule_finding("PS104", "error", instruction.line, 'SHELL needs a JSON list, like ["/bin/sh", "-c"].')]
    return [
        rule_finding(
            "PS105",
            "warning",
            instruction.line,
            "This looks like a JSON list but is not valid JSON (use double quotes and no trailing comma), so "
            "Docker reads it as one shell command.",
        )
    ]


def _heredoc_findings(instruction: Instruction, release, old_engine: bool) -> list[Finding]:
    if instruction.keyword not in HEREDOC_KEYWORDS or "<<" not in instruction.arguments:
        return []
    first, _, body = instruction.arguments.partition("\n")
    markers = heredoc_markers(first)
    if not markers:
        return []
    found = []
    if old_engine:
        # An older builder reads no heredocs at all (their body lines become instructions): say that alone.
        return [_version_finding(instruction.line, "A heredoc (<<" + markers[0][0] + ")", release)]
    if release is not None:  # the engine reads heredocs, but Portside's Build does not ask it to
        found.append(
            _classic_builder_finding(
                instruction.line,
                f"does not read heredocs (<<{markers[0][0]})",
                "Write it without one: join the commands in one RUN with &&, or write a file with printf",
            )
        )
    lines = iter(body.split("\n") if body else [])
    for terminator, strip_tabs in markers:
        if not any((text.lstrip("\t") if strip_tabs else text) == terminator for text in lines):
            found.append(
                rule_finding(
                    "PS115",
                    "error",
                    instruction.line,
                    f"The heredoc that starts here has no closing {terminator} line; add a line with only {terminator}.",
                )
            )
            break
    return found


def _end_of_file_findings(last: Instruction, escape: str) -> list[Finding]:
    if "\n" in last.arguments:  # a heredoc body ends the instruction, not a continuation
        return []
    final = last.original.split("\n")[-1].rstrip(" \t")
    if not final.endswith(escape):
        return []
    return [
        rule_finding(
            "PS114",
            "warning",
            last.end_line,
            f"This line ends with {escape} but nothing follows, so the instruction ends here.",
        )
    ]


# -- per-instruction checks ----------------------------------------------------------------------------------------


def _check_from(instruction, first, stage_names, all_names) -> list[Finding]:
    _, rest = split_flags(instruction.arguments)
    line = instruction.line
    if len(rest) not in (1, 3) or (len(rest) == 3 and rest[1].upper() != "AS"):
        return [rule_finding("PS110", "error", line, "FROM takes an image, optionally followed by AS and a name.")]
    if len(rest) == 3:
        name = unquote(rest[2])
        if not _STAGE_NAME_RE.fullmatch(name.lower()):
            return [
                rule_finding(
                    "PS110",
                    "error",
                    line,
                    f"{name!r} cannot name a stage: start with a letter, then letters, digits, - _ or .",
                )
            ]
        if name.lower() in stage_names:
            return [
                rule_finding("PS109", "error", line, f"An earlier stage is already called {name}; pick another name.")
            ]
    return []


def _check_copy(instruction, first, stage_names, all_names) -> list[Finding]:
    flags, rest = split_flags(instruction.arguments)
    found = []
    if not first.startswith("[") and len(rest) < 2:
        found.append(
            rule_finding("PS111", "error", instruction.line, f"{instruction.keyword} needs a source and a destination.")
        )
    for name, value in flags:
        if name != "from" or "$" in value or instruction.keyword != "COPY":
            continue
        if value.isdigit():
            if int(value) >= max(instruction.stage, 0):
                found.append(
                    rule_finding(
                        "PS107",
                        "error",
                        instruction.line,
                        f"--from={value} must name an earlier stage (stages count from 0; this is stage "
                        f"{instruction.stage}).",
                    )
                )
        elif value.lower() in stage_names:
            if stage_names[value.lower()] == instruction.stage:
                found.append(rule_finding("PS107", "error", instruction.line, f"--from={value} names this same stage."))
        elif value.lower() in all_names:
            found.append(
                rule_finding(
                    "PS107",
                    "error",
                    instruction.line,
                    f"The stage {value} is defined at line {all_names[value.lower()]}, after this line; "
                    "--from can only name an earlier stage.",
                )
            )
        elif not any(ch in value for ch in "/:@."):
            found.append(
                rule_finding(
                    "PS107",
                    "warning",
                    instruction.line,
                    f"No stage called {value} comes before this line, so Docker will look for an image called "
                    f"{value} on Docker Hub. Check the name if you meant a stage.",
                )
            )
    return found


def _check_expose(instruction, first, stage_names, all_names) -> list[Finding]:
    for word in words(first):
        port = unquote(word)
        if "$" in port or ":" in port:
            continue  # a variable is read at build time; ip:port forms are rare and left to Docker
        match = _PORT_RE.fullmatch(port)
        low = int(match.group(1)) if match else -1
        high = int(match.group(2)) if match and match.group(2) else low
        if not match or not (0 <= low <= high <= 65535):
            message = f"{port} is not a port: use a number from 1 to 65535 (or a range like 8000-8010)."
            return [rule_finding("PS106", "error", instruction.line, message)]
        protocol = match.group(3)
        if protocol is not None and protocol.lower() not in ("tcp", "udp", "sctp"):
            message = f"{protocol!r} is not a protocol: write /tcp, /udp or /sctp after the port."
            return [rule_finding("PS106", "error", instruction.line, message)]
    return []


def _check_name_value(instruction, first, stage_names, all_names) -> list[Finding]:
    items = words(first)
    if len(items) == 1 and "=" not in items[0]:
        return [
            rule_finding(
                "PS111",
                "error",
                instruction.line,
                f"{instruction.keyword} needs a value: write {instruction.keyword} {unquote(items[0])}=value.",
            )
        ]
    return []


def _check_onbuild(instruction, first, stage_names, all_names) -> list[Finding]:
    trigger = first.split(None, 1)[0].upper()
    if trigger in ("ONBUILD", "FROM", "MAINTAINER"):
        return [rule_finding("PS108", "error", instruction.line, f"ONBUILD cannot run {trigger}.")]
    return []


def _check_healthcheck(instruction, first, stage_names, all_names) -> list[Finding]:
    flags, rest = split_flags(instruction.arguments)
    line = instruction.line
    for name, value in flags:
        if name in ("interval", "timeout", "start-period", "start-interval") and not _DURATION_RE.fullmatch(value):
            return [
                rule_finding("PS116", "error", line, f"--{name}={value} is not a duration; write it like 30s or 1m.")
            ]
        if name == "retries" and not value.isdigit():
            return [rule_finding("PS116", "error", line, f"--retries={value} must be a whole number.")]
    kind = rest[0].upper() if rest else ""
    if kind not in ("CMD", "NONE"):
        return [rule_finding("PS116", "error", line, "HEALTHCHECK is followed by CMD and a command, or by NONE.")]
    return []


def _check_stopsignal(instruction, first, stage_names, all_names) -> list[Finding]:
    signal = unquote(first.split()[0])
    name = signal.upper().removeprefix("SIG")
    if signal.isdigit() or "$" in signal or name in _SIGNALS or re.fullmatch(r"RTMIN\+\d+|RTMAX-\d+", name):
        return []
    return [
        rule_finding("PS117", "error", instruction.line, f"{signal} is not a signal; use one like SIGTERM or SIGINT.")
    ]


_CHECKS = {
    "FROM": _check_from,
    "COPY": _check_copy,
    "ADD": _check_copy,
    "EXPOSE": _check_expose,
    "ENV": _check_name_value,
    "LABEL": _check_name_value,
    "ONBUILD": _check_onbuild,
    "HEALTHCHECK": _check_healthcheck,
    "STOPSIGNAL": _check_stopsignal,
}
