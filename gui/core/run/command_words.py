"""The words of a pasted command, as a shell would hand them to docker. No Qt, no engine, no disk.

A line copied from documentation is read the way bash, PowerShell or cmd would read it: quotes and escapes,
continuation lines (`\\`, PowerShell's backtick, cmd's `^`), comments, `sudo`, `VAR=value` words in front,
`export`/`set`/`$env:` lines before it, and the variables such lines use ($HOME, ~, ${PWD}, $(pwd),
$env:NAME, %CD%). Portside runs no shell, so pipes, redirections, a second command and other command
substitutions are refused with a sentence that points at them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType


class Dialect(enum.StrEnum):
    BASH = "bash"
    POWERSHELL = "PowerShell"
    CMD = "cmd"


@dataclass(frozen=True)
class Remark:
    """A sentence about a stretch of the pasted text: text[start:end]."""

    message: str
    start: int
    end: int
    number: int = 0  # the word it is about (from 1), when it is about one


@dataclass(frozen=True)
class Word:
    text: str  # after quotes, escapes and variables: what docker receives
    start: int  # where it is in the pasted text
    end: int
    number: int = 0  # the how-manieth word of the pasted command (from 1)
    unset: tuple[str, ...] = ()  # the variables in it that are not set, read as empty, as written ("$HF_TOKEN")


@dataclass(frozen=True)
class ShellCommand:
    words: tuple[Word, ...]  # the program and its arguments, after VAR=value words and sudo
    environ: Mapping[str, str]  # the environment the program gets (for `-e NAME` without a value)
    dialect: Dialect
    notes: tuple[Remark, ...] = ()
    problem: Remark | None = None


# --- reading the characters -------------------------------------------------------------------------------

# A part of a word: literal text, or something to look up once the environment is known.
_LITERAL, _VARIABLE, _HOME, _FOLDER, _SUBSTITUTION = "literal", "variable", "home", "folder", "substitution"


@dataclass
class _Token:
    start: int
    end: int = 0
    parts: list[tuple] = field(default_factory=list)  # (kind, value, start, end, default, as written)
    operator: str = ""  # "\n", ";", "|", ... for a shell operator, "" for a word
    assignment: str = ""  # NAME when the word starts with an unquoted NAME=
    quoted: bool = False  # it has quotes: an empty one is still a word

    def add(self, kind: str, value: str, start: int, end: int, default: str | None = None, raw: str = "") -> None:
        self.parts.append((kind, value, start, end, default, raw))


_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = {Dialect.BASH: "|&;<>()", Dialect.POWERSHELL: "|&;<>", Dialect.CMD: "|&<>"}
_ESCAPES = {Dialect.BASH: "\\", Dialect.POWERSHELL: "`", Dialect.CMD: "^"}
_FOLDER_COMMANDS = ("pwd", "get-location", "(get-location).path", "pwd.path")
_POWERSHELL_ESCAPES = {"n": "\n", "t": "\t", "0": "\0"}
_PERCENT_RE = re.compile(r"%([A-Za-z_][A-Za-z0-9_]*)%")
_AFTER_TILDE = ("/", "", " ", "\t", "\r", "\n")


class _Unclosed(Exception):
    def __init__(self, what: str, start: int):
        self.what, self.start = what, start


def detect_dialect(text: str) -> Dialect:
    """PowerShell when a line goes on with a backtick or $env: is used; cmd when a line goes on with ^, or a volume
    is a Windows folder (-v C:\\… or -v %cd%…); bash otherwise. What is inside '…' counts for none of them."""
    lines, bare = text.splitlines(), re.sub(r"'[^'\n]*'", "''", text)
    if any(re.search(r"(^|\s)`\s*$", line) for line in lines) or "$env:" in bare.lower():
        return Dialect.POWERSHELL
    windows_folder = re.search(r"(-v|--volume|source|src)[\s=]+\"?([A-Za-z]:\\|%cd%)", bare, re.IGNORECASE)
    if any(re.search(r"(^|\s)\^\s*$", line) for line in lines) or windows_folder:
        return Dialect.CMD
    return Dialect.BASH


class _Scanner:
    """Splits the text into words and operators, keeping where each came from."""

    def __init__(self, text: str, dialect: Dialect):
        self.text, self.dialect = text, dialect
        self.escape = _ESCAPES[dialect]
        self.tokens: list[_Token] = []
        self.word: _Token | None = None
        self.literal_start = -1
        self.literal: list[str] = []

    # building words

    def _open(self, at: int) -> _Token:
        if self.word is None:
            self.word = _Token(at)
        return self.word

    def _char(self, ch: str, at: int) -> None:
        self._open(at)
        if not self.literal:
            self.literal_start = at
        self.literal.append(ch)

    def _flush(self, at: int) -> None:
        if self.literal:
            self.word.add(_LITERAL, "".join(self.literal), self.literal_start, at)
            self.literal = []

    def _part(self, kind: str, value: str, start: int, end: int, default: str | None = None) -> None:
        self._open(start)
        self._flush(start)
        self.word.add(kind, value, start, end, default, self.text[start:end])

    def _end_word(self, at: int) -> None:
        if self.word is not None:
            self._flush(at)
            self.word.end = at
            first = self.word.parts[0] if self.word.parts else None
            if first and first[0] == _LITERAL and first[2] == self.word.start:
                match = re.match(r"([A-Za-z_][A-Za-z0-9_]*)=", first[1])
                if match and self.text[self.word.start : self.word.start + match.end()] == match.group(0):
                    self.word.assignment = match.group(1)
            self.tokens.append(self.word)
            self.word = None

    # the scan

    def scan(self) -> list[_Token]:
        text, i = self.text, 0
        while i < len(text):
            ch = text[i]
            if ch in " \t\r\u00a0":  # a no-break space, as web pages copy it, parts words too
                self._end_word(i)
                i += 1
            elif ch == "\n":
                self._end_word(i)
                self.tokens.append(_Token(i, i + 1, operator="\n"))
                i += 1
            elif ch == self.escape:
                i = self._escaped(i)
            elif ch in "“”" or (ch in "‘’" and self.word is None):
                raise _Unreadable(
                    f"This is a typographic quote ({ch}), which word processors make of quotes: type a "
                    "plain \" or ' instead.",
                    i,
                    i + 1,
                )
            elif ch == "#" and self.word is None and self.dialect is not Dialect.CMD:
                newline = text.find("\n", i)
                i = len(text) if newline < 0 else newline  # a comment runs to the end of its line
            elif ch in _OPERATORS[self.dialect]:
                self._end_word(i)
                length = 2 if text[i : i + 2] in ("&&", "||", ">>") else 1
                self.tokens.append(_Token(i, i + length, operator=text[i : i + length]))
                i += length
            elif ch == "'" and self.dialect is not Dialect.CMD:
                i = self._single_quoted(i)
            elif ch == '"':
                i = self._double_quoted(i)
            elif ch == "$" and self.dialect is not Dialect.CMD:
                i = self._dollar(i)
            elif ch == "%" and self.dialect is Dialect.CMD:
                i = self._percent(i)
            elif ch == "`" and self.dialect is Dialect.BASH:
                i = self._backquote(i)
            elif (
                ch == "~" and self.word is None and self.dialect is Dialect.BASH and text[i + 1 : i + 2] in _AFTER_TILDE
            ):
                self._part(_HOME, "~", i, i + 1)  # ~ alone or ~/…: the home folder
                i += 1
            else:
                self._char(ch, i)
                i += 1
        self._end_word(len(text))
        return self.tokens

    def _escaped(self, i: int) -> int:
        """An escape character: before the end of a line it continues the line (spaces after it are forgiven, a
        common slip when copying); before anything else it takes that character as it is."""
        text = self.text
        j = i + 1
        while j < len(text) and text[j] in " \t\r":
            j += 1
        if j >= len(text) or text[j] == "\n":
            if j > i + 1:
                self._end_word(i)  # `\ ` then the line's end: the user meant a break between words
            return j + 1
        if self.dialect is Dialect.POWERSHELL:
            self._char(_POWERSHELL_ESCAPES.get(text[i + 1], text[i + 1]), i)
        else:
            self._char(text[i + 1], i)
        return i + 2

    def _single_quoted(self, i: int) -> int:
        self._open(i).quoted = True
        text, j = self.text, i + 1
        while True:
            close = text.find("'", j)
            if close < 0:
                raise _Unclosed("quote '", i)
            for ch in text[j:close]:
                self._char(ch, i)
            if self.dialect is not Dialect.POWERSHELL or text[close + 1 : close + 2] != "'":
                return close + 1
            self._char("'", close)  # '' is one quote inside PowerShell's single quotes
            j = close + 2

    def _double_quoted(self, i: int) -> int:
        text, j = self.text, i + 1
        self._open(i).quoted = True
        while j < len(text):
            ch = text[j]
            if ch == '"':
                if self.dialect is Dialect.POWERSHELL and text[j + 1 : j + 2] == '"':
                    self._char('"', j)
                    j += 2
                    continue
                return j + 1
            if self.dialect is Dialect.BASH and ch == "\\" and text[j + 1 : j + 2] in ("$", "`", '"', "\\", "\n"):
                if text[j + 1] != "\n":
                    self._char(text[j + 1], j)
                j += 2
            elif self.dialect is Dialect.POWERSHELL and ch == "`" and j + 1 < len(text):
                if text[j + 1] != "\n":
                    self._char(_POWERSHELL_ESCAPES.get(text[j + 1], text[j + 1]), j)
                j += 2
            elif self.dialect is Dialect.CMD and ch == "\\" and text[j + 1 : j + 2] == '"':
                self._char('"', j)
                j += 2
            elif ch == "$" and self.dialect is not Dialect.CMD:
                j = self._dollar(j)
            elif ch == "%" and self.dialect is Dialect.CMD:
                j = self._percent(j)
            elif ch == "`" and self.dialect is Dialect.BASH:
                j = self._backquote(j)
            else:
                self._char(ch, j)
                j += 1
        raise _Unclosed('quote "', i)

    def _backquote(self, i: int) -> int:
        close = self.text.find("`", i + 1)
        if close < 0:
            raise _Unclosed("backquote `", i)
        self._substitution(self.text[i + 1 : close], i, close + 1)
        return close + 1

    def _substitution(self, inner: str, start: int, end: int) -> None:
        if inner.strip().lower() in _FOLDER_COMMANDS:
            self._part(_FOLDER, self.text[start:end], start, end)
        else:
            self._part(_SUBSTITUTION, self.text[start:end], start, end)

    def _dollar(self, i: int) -> int:
        """$NAME, ${NAME}, ${NAME:-default}, $(command); in PowerShell also $env:NAME and ${env:NAME}."""
        text = self.text
        if text.startswith("$(", i):
            depth, j = 0, i + 1
            while j < len(text):
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            if j >= len(text):
                raise _Unclosed("bracket $(", i)
            self._substitution(text[i + 2 : j], i, j + 1)
            return j + 1
        if text.startswith("${", i):
            close = text.find("}", i)
            if close < 0:
                raise _Unclosed("brace ${", i)
            inner = text[i + 2 : close]
            name, default = re.sub(r"^env:", "", inner, flags=re.IGNORECASE), None
            if self.dialect is Dialect.BASH and re.fullmatch(r"[A-Za-z_]\w*:?-.*", inner, re.DOTALL):
                name, _, default = re.sub(r":?-", "\0", inner, count=1).partition("\0")
            self._variable(name, i, close + 1, default, environment=inner.lower().startswith("env:"))
            return close + 1
        if self.dialect is Dialect.POWERSHELL and text[i + 1 : i + 5].lower() == "env:":
            match = _NAME_RE.match(text, i + 5)
            if match:
                self._variable(match.group(0), i, match.end(), environment=True)
                return match.end()
        match = _NAME_RE.match(text, i + 1)
        if not match:
            self._char("$", i)
            return i + 1
        self._variable(match.group(0), i, match.end())
        return match.end()

    def _percent(self, i: int) -> int:
        match = _PERCENT_RE.match(self.text, i)
        if not match:
            self._char("%", i)
            return i + 1
        self._variable(match.group(1), i, match.end())
        return match.end()

    def _variable(self, name: str, start: int, end: int, default: str | None = None, environment=False) -> None:
        lowered, dialect = name.lower(), self.dialect
        folder = (
            (dialect is Dialect.BASH and name == "PWD")
            or (dialect is Dialect.POWERSHELL and lowered == "pwd")
            or (dialect is Dialect.CMD and lowered == "cd")
        )
        if folder and not environment:
            self._part(_FOLDER, self.text[start:end], start, end)
        elif dialect is Dialect.POWERSHELL and lowered == "home" and not environment:
            self._part(_HOME, self.text[start:end], start, end)
        else:
            self._part(_VARIABLE, name, start, end, default)


# --- from words to one command ----------------------------------------------------------------------------

_SUDO_VALUE_OPTIONS = frozenset("ugphCDrtUT")
_PROMPTS = ("$", "%")  # a prompt copied with the line


@dataclass
class _Environment:
    """What the words are read with: the variables a shell would see, and those the program would get."""

    shell: dict[str, str]
    exported: dict[str, str]
    home: str | None
    folder: str | None
    case_blind: bool = False
    keeps_unset: bool = False
    remarks: list[Remark] = field(default_factory=list)

    def lookup(self, name: str) -> str | None:
        if self.case_blind:
            folded = {key.lower(): value for key, value in self.shell.items()}
            return folded.get(name.lower())
        return self.shell.get(name)


def read_command(
    text: str,
    environ: Mapping[str, str] | None = None,
    home: str | None = None,
    folder: str | None = None,
) -> ShellCommand:
    """The one command in `text`, with its words as the program would receive them.

    environ: the variables a shell would have (Portside passes its own environment); home: what ~ and $HOME
    mean; folder: what $(pwd) means (None: a sentence asks the user to write the folder)."""
    dialect = detect_dialect(text)
    scanner = _Scanner(text, dialect)
    try:
        tokens = scanner.scan()
    except (_Unreadable, _Unclosed) as failed:
        number = sum(1 for token in scanner.tokens if not token.operator) + 1  # the word it is in
        if isinstance(failed, _Unreadable):
            return ShellCommand((), {}, dialect, problem=replace(failed.remark, number=number))
        message = (
            f"The {failed.what} is never closed. Close it, or put a {_ESCAPES[dialect]} in front of it "
            "if it is part of a value."
        )
        return ShellCommand((), {}, dialect, problem=Remark(message, failed.start, failed.start + 1, number))
    numbers = {id(token): number for number, token in enumerate((t for t in tokens if not t.operator), 1)}
    environment = _Environment(
        dict(environ or {}),
        dict(environ or {}),
        home,
        folder,
        case_blind=dialect is not Dialect.BASH,
        keeps_unset=dialect is Dialect.CMD,
    )
    if home is not None:
        environment.shell.setdefault("HOME", home)
    chosen: ShellCommand | None = None
    try:
        for command in _commands(tokens):
            operator = next((token for token in command if token.operator and token.operator not in "\n;"), None)
            if operator is not None and operator.operator != "&&":
                return ShellCommand((), {}, dialect, problem=_operator_problem(operator, text))
            words = [token for token in command if not token.operator]
            if not words or _is_comment(words, text, dialect) or _assigns(words, text, dialect, environment):
                continue
            if chosen is not None:
                message = (
                    "This starts a second command. Portside reads one docker run command at a time: paste only "
                    "that line (lines that set variables, like export NAME=value, may come before it)."
                )
                return ShellCommand((), {}, dialect, problem=Remark(message, words[0].start, words[-1].end))
            chosen = _program(words, numbers, environment, dialect, text)
    except _Unreadable as failed:
        return ShellCommand((), {}, dialect, problem=failed.remark)
    if chosen is None:
        return ShellCommand((), {}, dialect, problem=Remark("There is no command here. Paste a docker run line.", 0, 0))
    return chosen


def _commands(tokens: list[_Token]) -> list[list[_Token]]:
    """Tokens split at line ends, `;` and `&&` (the operator stays with the command before it)."""
    commands, current = [], []
    for token in tokens:
        current.append(token)
        if token.operator in ("\n", ";", "&&"):
            commands.append(current)
            current = []
    return [*commands, current]


def _operator_problem(token: _Token, text: str) -> Remark:
    what = {"|": "a pipe (|)", ">": "a redirection (>)", ">>": "a redirection (>>)", "<": "a redirection (<)"}
    named = what.get(token.operator, f"the shell's {token.operator}")
    rest = text[token.start :].split("\n", 1)[0].strip()
    return Remark(
        f"{named[0].upper()}{named[1:]} is for the shell, and Portside runs no shell. Remove {rest} from the line.",
        token.start,
        token.end,
    )


def _raw(token: _Token, text: str) -> str:
    return text[token.start : token.end]


def _is_comment(words: list[_Token], text: str, dialect: Dialect) -> bool:
    first = _raw(words[0], text)
    return dialect is Dialect.CMD and (first.lower() == "rem" or first.startswith("::"))


def _assigns(words: list[_Token], text: str, dialect: Dialect, environment: _Environment) -> bool:
    """Reads a line that only sets variables (NAME=value, export NAME=value, set NAME=value,
    $env:NAME = "value") into the environment; False when the line does something else."""
    raw = [_raw(word, text) for word in words]
    if dialect is Dialect.POWERSHELL:
        return _powershell_assigns(words, raw, environment)
    if dialect is Dialect.CMD:
        if raw[0].lower() != "set" or len(words) != 2:
            return False
        name, equals, value = _expand(words[1], environment)[0].partition("=")
        if not equals or not _NAME_RE.fullmatch(name):
            return False
        environment.shell[name] = environment.exported[name] = value
        return True
    exported = raw[0] == "export"
    targets = words[1:] if exported else words
    if not targets or not all(word.assignment for word in targets):
        return False
    for word in targets:
        value = _expand(word, environment)[0].partition("=")[2]
        environment.shell[word.assignment] = value
        if exported or word.assignment in environment.exported:
            environment.exported[word.assignment] = value
    return True


def _powershell_assigns(words: list[_Token], raw: list[str], environment: _Environment) -> bool:
    """$env:NAME = "value" (or $env:NAME="value")."""
    match = re.match(r"\$env:([A-Za-z_]\w*)(=?)", raw[0], re.IGNORECASE)
    if not match:
        return False
    if len(words) == 1 and match.group(2):
        first, *rest = words[0].parts[1:]  # the parts after $env:NAME: "=…" and what follows
        value = _Token(words[0].start, parts=[(first[0], first[1][1:], *first[2:]), *rest])
    elif len(words) == 3 and len(raw[0]) == match.end() and raw[1] == "=":
        value = words[2]
    else:
        return False
    environment.shell[match.group(1)] = environment.exported[match.group(1)] = _expand(value, environment)[0]
    return True


def _expand(token: _Token, environment: _Environment) -> tuple[str, tuple[str, ...]]:
    """The word's text with its variables read, and the variables that are not set. Remarks on what was read go
    to the environment's."""
    pieces, unset, remarks = [], [], environment.remarks
    for kind, value, start, end, default, raw in token.parts:
        if kind == _LITERAL:
            pieces.append(value)
        elif kind == _VARIABLE:
            found = environment.lookup(value)
            if found is None and environment.keeps_unset:
                found = raw  # cmd leaves %NAME% as it is when NAME is not set
                unset.append(raw)
            elif found is None or (found == "" and default is not None):
                found = default if default is not None else ""
                if default is None:
                    unset.append(raw)
            pieces.append(found)
        elif kind == _HOME:
            pieces.append(environment.home if environment.home is not None else value)
        elif kind == _FOLDER:
            if environment.folder is None:
                message = f"{value} is the folder the command is run in, which Portside cannot know. Write the folder."
                raise _Unreadable(message, start, end)
            pieces.append(environment.folder)
            remarks.append(
                Remark(
                    f"{value} is the folder the command is run in; Portside read it as {environment.folder}. "
                    "Change the host folder in Volumes if you meant another.",
                    start,
                    end,
                )
            )
        else:
            message = f"{value} runs a command to make this value, and Portside runs no shell. Write the value itself."
            raise _Unreadable(message, start, end)
    return "".join(pieces), tuple(unset)


class _Unreadable(Exception):
    """A word Portside cannot read without a shell."""

    def __init__(self, message: str, start: int, end: int):
        self.remark = Remark(message, start, end)


def _program(
    words: list[_Token], numbers: dict, environment: _Environment, dialect: Dialect, text: str
) -> ShellCommand:
    """The program's words: a copied prompt, VAR=value words in front and sudo (with its options) are read and left
    out. Unquoted words that come to nothing (an unset $NAME) are dropped, as the shell drops them."""
    program_env = dict(environment.exported)
    index = 0
    while index < len(words) - 1 and _raw(words[index], text) in _PROMPTS and dialect is not Dialect.CMD:
        index += 1  # "$ docker run …"
    expanded: list[Word] = []
    vanished: list[Word] = []
    for token in words[index:]:
        value, unset = _expand(token, environment)
        word = Word(value, token.start, token.end, numbers[id(token)], unset)
        if token.assignment and not expanded:  # NAME=value docker run …: for docker only
            program_env[token.assignment] = value.partition("=")[2]
            continue
        empty = not value and not token.quoted and dialect is not Dialect.CMD
        (vanished if empty else expanded).append(word)
    index = 0
    if expanded and expanded[0].text == "sudo":
        index, program_env = _after_sudo(expanded, 1, program_env)
    unset_notes = _unset_notes(sorted([*expanded[index:], *vanished], key=lambda word: word.start))
    return ShellCommand(
        tuple(expanded[index:]), MappingProxyType(program_env), dialect, notes=tuple(environment.remarks + unset_notes)
    )


def _after_sudo(words: list[Word], index: int, environ: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Skips sudo's options; sudo gives the program a fresh environment unless -E (or --preserve-env) keeps it."""
    keep = False
    while index < len(words) and words[index].text.startswith("-") and words[index].text != "--":
        option = words[index].text
        keep |= option in ("-E", "--preserve-env") or (not option.startswith("--") and "E" in option)
        takes_value = not option.startswith("--") and option[-1] in _SUDO_VALUE_OPTIONS
        index += 2 if takes_value else 1
    if index < len(words) and words[index].text == "--":
        index += 1
    fresh: dict[str, str] = dict(environ) if keep else {}
    while index < len(words) and re.match(r"[A-Za-z_]\w*=", words[index].text):
        name, _, value = words[index].text.partition("=")
        fresh[name] = value
        index += 1
    return index, fresh


def _unset_notes(words: list[Word]) -> list[Remark]:
    notes, seen = [], set()
    for word in words:
        for name in word.unset:
            if name not in seen:
                seen.add(name)
                notes.append(
                    Remark(
                        f"{name} is not set for Portside, so it reads as empty here. Type the value in the form, "
                        "or write it in the command.",
                        word.start,
                        word.end,
                    )
                )
    return notes


def position(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of an offset in the text, both from 1."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
