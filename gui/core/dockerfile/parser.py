"""A forgiving Dockerfile reader: instructions with their line numbers, and the build stages. No Qt.

It follows BuildKit's reading of a Dockerfile closely enough for an editor, a linter and the
explanations beside them:

- parser directives at the very top (``# syntax=...``, ``# escape=```), before any comment,
  blank line or instruction;
- comment lines (first non-blank character ``#``) are dropped, also between continuation lines;
- a line ending in the escape character (``\\`` or the one the directive chose), optionally
  followed by blanks, continues on the next line; blank lines inside a continuation are skipped;
- ``RUN``, ``COPY`` and ``ADD`` may carry heredocs (``<<EOF``, ``<<-EOF``, ``<<"EOF"``): the
  lines up to the terminator belong to the instruction;
- keywords are case-insensitive and come back upper-case.

It never raises: text Docker would refuse still comes back as instructions (an unknown keyword is
kept as written, upper-cased), so the editor can explain and lint a file while it is being typed.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

__all__ = [
    "HEREDOC_KEYWORDS",
    "KEYWORDS",
    "Instruction",
    "Stage",
    "command_text",
    "escape_character",
    "exec_form",
    "heredoc_markers",
    "instruction_at",
    "parse_dockerfile",
    "split_flags",
    "stages",
    "unquote",
    "words",
]

KEYWORDS: tuple[str, ...] = (
    "FROM",
    "ARG",
    "ENV",
    "LABEL",
    "WORKDIR",
    "COPY",
    "ADD",
    "RUN",
    "EXPOSE",
    "USER",
    "VOLUME",
    "HEALTHCHECK",
    "SHELL",
    "STOPSIGNAL",
    "CMD",
    "ENTRYPOINT",
    "ONBUILD",
    "MAINTAINER",
)

HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_DIRECTIVES = frozenset({"syntax", "escape", "check"})


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper-case: FROM, RUN, ... (an unknown word is kept, upper-cased)
    arguments: str  # text after the keyword; continuation lines joined with a space, comments
    # dropped. A heredoc body follows the first line after "\n", as written.
    line: int  # 1-based first line
    end_line: int  # 1-based last line (continuations, heredoc terminator)
    stage: int  # 0-based build stage; -1 for ARGs before the first FROM (they belong to none)
    original: str  # the raw text of lines line..end_line, joined with "\n"


@dataclass(frozen=True)
class Stage:
    index: int
    base: str  # the image (or earlier stage) named by FROM, "" when FROM has none
    name: str | None  # the name after AS, as written
    line: int


_DIRECTIVE_RE = re.compile(r"#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
# BuildKit: a heredoc word is [n]<<[-]WORD, WORD optionally quoted. Looked for in the joined line.
_HEREDOC_RE = re.compile(r"(?<![<\w\"'])\d*<<(-?)\s*([\"']?)([A-Za-z0-9_][A-Za-z0-9_.-]*)\2(?=$|[\s;|&><)])")
_KEYWORD_RE = re.compile(r"\s*(\S+)\s*(.*)", re.DOTALL)
_WORD_RE = re.compile(r"""(?:[^\s"'\\]|\\.?|"(?:[^"\\]|\\.?)*"?|'[^']*'?)+""", re.DOTALL)


def _split_lines(text: str) -> list[str]:
    # Docker splits on "\n" and drops a "\r" before it; a UTF-8 byte order mark is ignored.
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _continues(line: str, escape: str) -> tuple[str, bool]:
    """(line without the trailing escape character, whether the instruction continues)."""
    stripped = line.rstrip(" \t")
    if stripped.endswith(escape):
        return stripped[:-1], True
    return line, False


def _read_directives(lines: list[str]) -> tuple[str, int]:
    """(escape character, index of the first line after the directives)."""
    escape = "\\"
    seen: set[str] = set()
    index = 0
    for index, line in enumerate(lines):
        match = _DIRECTIVE_RE.fullmatch(line.strip())
        if not match or not line.lstrip().startswith("#"):
            return escape, index
        name = match.group(1).lower()
        if name in seen or name not in _DIRECTIVES:
            return escape, index  # an unknown directive is a comment, and comments end the directives
        seen.add(name)
        if name == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
    return escape, len(lines)


def heredoc_markers(line: str) -> list[tuple[str, bool]]:
    """(terminator, strip leading tabs) for each heredoc opened on the joined first line."""
    found = []
    for match in _HEREDOC_RE.finditer(line):
        # A heredoc inside quotes is text, not a heredoc: count the quotes before it.
        before = line[: match.start()]
        if before.count('"') % 2 or before.count("'") % 2:
            continue
        found.append((match.group(3), match.group(1) == "-"))
    return found


def escape_character(text: str) -> str:
    """The escape character of a Dockerfile: "\\" unless an `# escape=` directive chose "`"."""
    return _read_directives(_split_lines(text))[0] if isinstance(text, str) else "\\"


def parse_dockerfile(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, in order. Never raises."""
    if not isinstance(text, str):
        return []
    lines = _split_lines(text)
    escape, index = _read_directives(lines)
    instructions: list[Instruction] = []
    stage = -1
    count = len(lines)
    while index < count:
        first = lines[index]
        if not first.strip() or _is_comment(first):
            index += 1
            continue
        start = index
        end = index
        piece, more = _continues(first, escape)
        pieces = [piece.strip()]
        index += 1
        while more and index < count:
            line = lines[index]
            index += 1
            if not line.strip() or _is_comment(line):
                continue
            end = index - 1
            piece, more = _continues(line, escape)
            pieces.append(piece.strip())
        split = _KEYWORD_RE.match(" ".join(p for p in pieces if p))
        if split is None:
            continue
        keyword, arguments = split.group(1).upper(), split.group(2).strip()
        if keyword in HEREDOC_KEYWORDS and "<<" in arguments:
            body_start = index
            for terminator, strip_tabs in heredoc_markers(arguments):
                while index < count:
                    line = lines[index]
                    index += 1
                    if (line.lstrip("\t") if strip_tabs else line) == terminator:
                        break
            if index > body_start:
                end = index - 1
                arguments = arguments + "\n" + "\n".join(lines[body_start:index])
        if keyword == "FROM":
            stage += 1
        instructions.append(
            Instruction(
                keyword=keyword,
                arguments=arguments,
                line=start + 1,
                end_line=end + 1,
                stage=stage,
                original="\n".join(lines[start : end + 1]),
            )
        )
    return instructions


def stages(instructions: list[Instruction]) -> list[Stage]:
    """The build stages, one per FROM, in order."""
    result = []
    for instruction in instructions:
        if instruction.keyword != "FROM":
            continue
        _, rest = split_flags(instruction.arguments)
        base = unquote(rest[0]) if rest else ""
        name = unquote(rest[2]) if len(rest) >= 3 and rest[1].upper() == "AS" else None
        result.append(Stage(index=len(result), base=base, name=name, line=instruction.line))
    return result


def instruction_at(instructions: list[Instruction], line: int) -> Instruction | None:
    """The instruction that covers 1-based `line`, or None on a blank or comment line between them."""
    starts = [i.line for i in instructions]
    position = bisect.bisect_right(starts, line) - 1
    if position < 0:
        return None
    candidate = instructions[position]
    return candidate if candidate.line <= line <= candidate.end_line else None


# -- helpers for reading arguments ---------------------------------------------------------------


def words(arguments: str) -> list[str]:
    """The whitespace-separated words of the first line of `arguments`, quotes kept as written."""
    return _WORD_RE.findall(arguments.split("\n", 1)[0])


def split_flags(arguments: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Leading --flags (name, value) and the remaining words: `--from=builder /a /b` ->
    ([("from", "builder")], ["/a", "/b"]). A flag given twice (RUN --mount) appears twice."""
    flags: list[tuple[str, str]] = []
    rest = words(arguments)
    while rest and rest[0].startswith("--") and len(rest[0]) > 2:
        name, _, value = rest.pop(0)[2:].partition("=")
        flags.append((name.lower(), unquote(value)))
    return flags, rest


def copy_operands(instruction: Instruction) -> tuple[list[tuple[str, str]], list[str]]:
    """(flags, [sources..., destination]) of a COPY or ADD, in either the exec or the shell form."""
    listed = exec_form(instruction.arguments)
    if listed is not None:
        return [], listed
    flags, raw = split_flags(instruction.arguments)
    return flags, [unquote(path) for path in raw]


def command_text(instruction: Instruction) -> str:
    """The command of a RUN, CMD or ENTRYPOINT without its --flags; the exec form's words joined by
    spaces; a heredoc body keeps its lines."""
    listed = exec_form(instruction.arguments)
    if listed is not None:
        return " ".join(listed)
    first, newline, body = instruction.arguments.partition("\n")
    start = len(first)
    for match in _WORD_RE.finditer(first):
        if not match.group(0).startswith("--"):
            start = match.start()
            break
    return first[start:] + newline + body


def exec_form(arguments: str) -> list[str] | None:
    """The list of a JSON (exec) form like ["python", "app.py"], or None for the shell form."""
    text = arguments.split("\n", 1)[0].strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def unquote(word: str) -> str:
    """`"a b"` -> `a b`: shell quotes and backslash escapes removed from one word. Never raises."""
    if not any(ch in word for ch in "\"'\\"):
        return word
    out = []
    quote = ""
    i = 0
    while i < len(word):
        ch = word[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and i + 1 < len(word):
                i += 1
                out.append(word[i])
            else:
                out.append(ch)
        elif ch in "\"'":
            quote = ch
        elif ch == "\\" and i + 1 < len(word):
            i += 1
            out.append(word[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)
