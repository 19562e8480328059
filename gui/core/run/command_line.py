"""Run from a command: a pasted `docker run`, `docker container run` or `docker create` line read into the Run
form's values (a RunSpec). No Qt, no engine, no disk.

The words come from command_words (the shell's part), the options are read as the docker CLI reads them
(command_flags: every option, long and short, `--flag=value` and `--flag value`, grouped letters like `-dit`),
and each value is read the way the CLI reads it into the engine's settings, then goes through the form's own
checks. What the form has no field for is named as left out; a word docker itself would refuse, or a value the
checks refuse, is an error that says which word and where. The spec's own `docker run` line reads back to the
same spec (tests/unit/run/test_command_line.py); tests/engine/test_paste_agreement.py holds the pasted line run
by the docker CLI and the form's run to the same container.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from gui.core.reference import reference_problem, split_reference
from gui.core.run.checks import spec_problems
from gui.core.run.command_flags import (
    ADVICE,
    BY_NAME,
    BY_SHORT,
    GLOBAL_FLAGS,
    GLOBAL_SHORT,
    IMPLIED,
    DockerFlag,
    looks_like_option,
)
from gui.core.run.command_values import Read, Refused, gpus, mount, port_rows, restart, shown, volume
from gui.core.run.command_words import Remark, Word, position, read_command
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, RunSpec

_TRUE, _FALSE = ("1", "t", "T", "true", "TRUE", "True"), ("0", "f", "F", "false", "FALSE", "False")  # Go's ParseBool
_DOCKER_PROGRAMS = ("docker", "docker.exe", "nvidia-docker")


@dataclass(frozen=True)
class Finding:
    """A sentence about part of the pasted text (text[start:end]); errors say which word and where."""

    message: str
    start: int
    end: int


@dataclass(frozen=True)
class PastedCommand:
    text: str
    spec: RunSpec | None  # None when there are errors: nothing is filled then
    errors: tuple[Finding, ...] = ()
    dropped: tuple[Finding, ...] = ()  # what the form has no field for: left out of the run
    notes: tuple[Finding, ...] = ()  # what was read in a way worth knowing
    subcommand: str = ""  # "run" | "create"
    arguments: tuple[str, ...] = ()  # what docker gets after the subcommand: options, image, command
    image_index: int = -1  # where the image is in arguments

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.errors


class _Refused(Exception):
    """A word docker would refuse: the reading stops there."""

    def __init__(self, word: Word, message: str):
        self.word, self.message = word, message


@dataclass
class _Option:
    flag: DockerFlag
    spelled: str  # "-p", "--publish"
    value: str | bool
    word: Word  # the word that holds the value (the option's own word for --name=x, -p8080:80 and booleans)


@dataclass
class _Form:
    """The values read so far, and the word each came from (for sentences that point at it)."""

    values: dict = field(default_factory=dict)
    rows: dict[str, list] = field(default_factory=lambda: {"ports": [], "env": [], "mounts": [], "labels": []})
    sources: dict[tuple[str, int | None], Word] = field(default_factory=dict)
    switches: dict[str, tuple[bool, Word]] = field(default_factory=dict)  # interactive, tty
    gpus: tuple[GpuSpec, Word] | None = None
    nvidia_runtime: Word | None = None


def parse_command(
    text: str, environ: Mapping[str, str] | None = None, home: str | None = None, folder: str | None = None
) -> PastedCommand:
    """The Run form's values from a pasted command. Never raises: what cannot be read is an error sentence.

    environ, home, folder: what the command's variables, ~ and $(pwd) mean (see command_words.read_command)."""
    return _Reader(text, environ, home, folder).read()


class _Reader:
    def __init__(self, text: str, environ: Mapping[str, str] | None, home: str | None, folder: str | None):
        self.text, self.environ, self.home, self.folder = text, environ, home, folder
        self.dropped: list[Finding] = []
        self.notes: list[Finding] = []
        self.form = _Form()
        self.subcommand = ""
        self.program_environ: Mapping[str, str] = {}

    # --- where and what -----------------------------------------------------------------------------------

    def where(self, word: Word) -> str:
        line, column = position(self.text, word.start)
        place = f"line {line}, column {column}" if "\n" in self.text.strip() else f"column {column}"
        return f'Word {word.number}, "{shown(word.text)}" ({place})'

    def error(self, word: Word, message: str) -> Finding:
        unset = f" ({', '.join(word.unset)} is not set for Portside, so it read as empty.)" if word.unset else ""
        return Finding(f"{self.where(word)}: {message}{unset}", word.start, word.end)

    def refuse(self, word: Word, message: str) -> PastedCommand:
        return PastedCommand(self.text, None, errors=(self.error(word, message),))

    def drop(self, word: Word, message: str) -> None:
        self.dropped.append(Finding(message, word.start, word.end))

    def note(self, word: Word, message: str) -> None:
        self.notes.append(Finding(message, word.start, word.end))

    # --- the command ----------------------------------------------------------------------------------------

    def read(self) -> PastedCommand:
        shell = read_command(self.text, self.environ, self.home, self.folder)
        if shell.problem is not None:
            return self._shell_problem(shell.problem)
        self.program_environ = shell.environ
        self.notes += [Finding(remark.message, remark.start, remark.end) for remark in shell.notes]
        words = list(shell.words)
        if not words:
            return self._shell_problem(Remark("There is no docker command here. Paste a docker run line.", 0, 0))
        try:
            start = self._subcommand(words)
            image_at = self._options(words, start)
        except _Refused as refused:
            return self.refuse(refused.word, refused.message)
        if image_at >= len(words):
            message = "There is no image. Write the image after the options, like docker run -p 8000:80 nginx."
            return self.refuse(words[-1], message)
        image, command = words[image_at], words[image_at + 1 :]
        problem = self._image_problem(image, command)
        if problem:
            return self.refuse(*problem)
        spec = self._spec(image, command)
        errors = self._check(spec, image)
        return PastedCommand(
            self.text,
            None if errors else spec,
            errors=tuple(errors),
            dropped=tuple(self.dropped),
            notes=tuple(self.notes),
            subcommand=self.subcommand,
            arguments=tuple(word.text for word in words[start:]),
            image_index=image_at - start,
        )

    def _shell_problem(self, problem: Remark) -> PastedCommand:
        line, column = position(self.text, problem.start)
        place = f"line {line}, column {column}" if "\n" in self.text.strip() else f"column {column}"
        place = f"Word {problem.number} ({place})" if problem.number else place[0].upper() + place[1:]
        message = problem.message if not self.text.strip() else f"{place}: {problem.message}"
        return PastedCommand(self.text, None, errors=(Finding(message, problem.start, problem.end),))

    def _subcommand(self, words: list[Word]) -> int:
        """The index after `run`/`create`; docker's own options before them are left out."""
        program = words[0]
        name = posixpath.basename(program.text.replace("\\", "/")).lower()
        if name not in _DOCKER_PROGRAMS:
            raise _Refused(program, f"Portside reads docker commands; {program.text} is another program.")
        if name == "nvidia-docker":
            self.form.nvidia_runtime = program
        index = 1
        while index < len(words) and looks_like_option(words[index].text):
            index = self._global_option(words, index)
        rest = [word.text for word in words[index : index + 2]]
        if rest[:1] == ["container"]:
            index += 1
            rest = rest[1:]
        if rest[:1] in (["run"], ["create"]):
            self.subcommand = rest[0]
            return index + 1
        if not rest:
            raise _Refused(words[-1], "Add run and an image, like docker run -p 8000:80 nginx.")
        word = words[index]
        if word.text == "build" or rest[:2] in (["image", "build"], ["buildx", "build"], ["builder", "build"]):
            message = "This is a docker build command, not docker run. Build images on the Builds page."
        else:
            message = f"Portside reads docker run and docker create; docker {word.text} is another command."
        raise _Refused(word, message)

    def _global_option(self, words: list[Word], index: int) -> int:
        word = words[index]
        name, equals, _ = word.text.lstrip("-").partition("=")
        name = GLOBAL_SHORT.get(name, name) if not word.text.startswith("--") else name
        if name not in GLOBAL_FLAGS:
            raise _Refused(word, f"docker has no option {word.text.partition('=')[0]} before the command.")
        takes_value = GLOBAL_FLAGS[name][1] and not equals
        if takes_value and index + 1 >= len(words):
            raise _Refused(word, f"{word.text} needs a value.")
        spelled = " ".join(w.text for w in words[index : index + 1 + takes_value])
        if name in ("debug", "log-level"):
            self.drop(word, f"{spelled} is left out: it only changes what the docker command prints.")
        else:
            self.drop(word, f"{spelled} is left out: Portside runs the container on the engine it is connected to.")
        return index + 1 + takes_value

    # --- options --------------------------------------------------------------------------------------------

    def _options(self, words: list[Word], index: int) -> int:
        """Reads the options from words[index]; returns where the image is."""
        while index < len(words):
            word = words[index]
            if word.text == "--":
                return index + 1
            if not looks_like_option(word.text):
                return index
            options, index = self._option(words, index)
            for option in options:
                self._apply(option)
        return index

    def _option(self, words: list[Word], index: int) -> tuple[list[_Option], int]:
        word = words[index]
        if word.text.startswith("--"):
            name, equals, value = word.text[2:].partition("=")
            flag = BY_NAME.get(name)
            if flag is None:
                raise _Refused(word, _unknown_option(name))
            self._allowed(flag, word)
            if not flag.takes_value:
                return [
                    _Option(flag, f"--{name}", _bool(value, word, f"--{name}") if equals else True, word)
                ], index + 1
            if equals:
                return [_Option(flag, f"--{name}", value, word)], index + 1
            return [_Option(flag, f"--{name}", *self._next_value(words, index, f"--{name}"))], index + 2
        options, letters = [], word.text[1:]
        for at, letter in enumerate(letters):
            flag = BY_SHORT.get(letter)
            if flag is None:
                raise _Refused(word, _unknown_letter(letter, word.text))
            self._allowed(flag, word)
            rest = letters[at + 1 :]
            if not flag.takes_value:
                if rest.startswith("="):
                    return [*options, _Option(flag, f"-{letter}", _bool(rest[1:], word, f"-{letter}"), word)], index + 1
                options.append(_Option(flag, f"-{letter}", True, word))
                continue
            if rest:
                return [*options, _Option(flag, f"-{letter}", rest.removeprefix("="), word)], index + 1
            return [*options, _Option(flag, f"-{letter}", *self._next_value(words, index, f"-{letter}"))], index + 2
        return options, index + 1

    def _allowed(self, flag: DockerFlag, word: Word) -> None:
        if flag.name == "help":
            raise _Refused(word, "--help only prints docker's help and runs nothing. Remove it.")
        if flag.run_only and self.subcommand == "create":
            short = f" (-{flag.short})" if flag.short else ""
            raise _Refused(word, f"docker create has no option --{flag.name}{short}; it belongs to docker run.")

    @staticmethod
    def _next_value(words: list[Word], index: int, spelled: str) -> tuple[str, Word]:
        if index + 1 >= len(words):
            raise _Refused(words[index], f"{spelled} needs a value after it.")
        return words[index + 1].text, words[index + 1]

    # --- values into the form -------------------------------------------------------------------------------

    def _apply(self, option: _Option) -> None:
        name, value, word = option.flag.canonical, option.value, option.word
        form = self.form
        single = {
            "name": ("name", value),
            "workdir": ("workdir", value),
            "user": ("user", value),
            "memory": ("memory", str(value).replace(" ", "")),
            "shm-size": ("shm_size", str(value).replace(" ", "")),
            "cpus": ("cpus", str(value).strip()),
        }
        if name in single:
            self._set(*single[name], word, option.spelled)
        elif name in ("rm", "privileged", "publish-all"):
            self._set({"rm": "auto_remove", "publish-all": "publish_all"}.get(name, name), value, word, option.spelled)
        elif name in ("interactive", "tty"):
            form.switches[name] = (bool(value), word)
        elif name == "restart":
            policy, form.values["restart_max_retries"] = self._value(restart, str(value), word)
            self._set("restart", policy, word, option.spelled)
        elif name == "entrypoint":
            if value == "":
                self.drop(word, _ENTRYPOINT_CLEARED)
            else:
                self._set("entrypoint", shlex.quote(str(value)), word, option.spelled)
        elif name == "publish":
            for row in self._value(port_rows, str(value), word):
                self._row("ports", row, word)
        elif name == "env":
            self._row("env", self._env(str(value), word), word)
        elif name == "label":
            key, _, label_value = str(value).partition("=")
            self._row("labels", (key, label_value), word)
        elif name == "volume":
            self._row("mounts", self._read(self._value(volume, str(value), word, self.folder), word), word)
        elif name == "mount":
            mounted = self._read(self._value(mount, str(value), word), word)
            if mounted is not None:
                self._row("mounts", mounted, word)
        elif name == "gpus" and form.gpus is not None:
            self.drop(word, f"{option.spelled} {shown(str(value))} is left out: the form asks for GPUs once.")
        elif name == "gpus":
            form.gpus = (self._read(self._value(gpus, str(value), word, option.spelled), word), word)
        elif name == "runtime" and value == "nvidia":
            form.nvidia_runtime = word
        elif name not in IMPLIED:
            self._left_out(option)

    def _set(self, key: str, value, word: Word, spelled: str) -> None:
        if key in self.form.values and self.form.values[key] != value:
            self.note(word, f"{spelled} is given more than once: the last one counts, as in docker.")
        self.form.values[key] = value
        self.form.sources[(key, None)] = word

    def _row(self, key: str, row, word: Word) -> None:
        rows = self.form.rows[key]
        self.form.sources[(key, len(rows))] = word
        rows.append(row)

    def _left_out(self, option: _Option) -> None:
        written = {True: option.spelled, False: f"{option.spelled}=false"}.get(option.value)
        written = written or f"{option.spelled} {shown(str(option.value))}"
        advice = ADVICE.get(option.flag.canonical, "")
        self.drop(option.word, f"{written} is left out: Portside has no field for it. {advice}".strip())

    @staticmethod
    def _value(reader, value: str, word: Word, *more):
        try:
            return reader(value, *more)
        except Refused as refused:
            raise _Refused(word, str(refused)) from refused

    def _read(self, read: Read, word: Word):
        """A value reader's result: its sentences at the word, its value returned."""
        for message in read.dropped:
            self.drop(word, message)
        for message in read.notes:
            self.note(word, message)
        return read.value

    def _env(self, value: str, word: Word) -> EnvVar:
        name, equals, env_value = value.partition("=")
        if equals:
            return EnvVar(name, env_value)
        found = self.program_environ.get(name)
        if found is None:
            self.note(
                word,
                f"-e {name} takes its value from the environment docker runs in, where it is not set: the form "
                "sets it empty. Type the value on the Environment tab.",
            )
        return EnvVar(name, found or "")

    # --- the image, the spec and its checks -----------------------------------------------------------------

    def _image_problem(self, image: Word, command: list[Word]) -> tuple[Word, str] | None:
        if image.text[:1] in ("–", "—"):
            fixed = "--" + image.text[1:]
            return image, f"This starts with a long dash (–), which word processors make of --. Type {fixed}."
        if any(ch.isspace() for ch in image.text):
            return image, "An image name has no spaces. Write it like nvcr.io/nvidia/pytorch:24.01-py3."
        if image.text[:1] in ("[", "<", "{"):
            return image, "This looks like a placeholder from documentation. Write an image name, like nginx."
        if command and _second_image(command[0].text):
            return command[0], (
                f"This looks like a second image. Docker runs {image.text} and would start a program named "
                f"{command[0].text} in it. Keep one image."
            )
        if command and looks_like_option(command[0].text) and _docker_option(command[0].text):
            self.note(
                command[0],
                f"{command[0].text} comes after the image, so Docker passes it to the program in the container. "
                f"If it is meant for docker, move it before {image.text}.",
            )
        return None

    def _spec(self, image: Word, command: list[Word]) -> RunSpec:
        form = self.form
        switches = {name: on for name, (on, _) in form.switches.items()}
        interactive_tty = switches.get("interactive", False) and switches.get("tty", False)
        for name, (on, word) in form.switches.items():
            other = "tty" if name == "interactive" else "interactive"
            if on and not switches.get(other, False):
                self.drop(word, _HALF_TTY[name])
        gpus = form.gpus[0] if form.gpus else GpuSpec()
        if form.nvidia_runtime is not None:
            if form.gpus is None:
                gpus = GpuSpec(GpuMode.ALL)
                self.note(form.nvidia_runtime, _NVIDIA_RUNTIME)
            else:
                self.drop(form.nvidia_runtime, "The NVIDIA runtime is left out: --gpus asks for the GPUs.")
        form.sources[("gpus", None)] = form.gpus[1] if form.gpus else form.nvidia_runtime or image
        form.sources[("image", None)] = image
        return RunSpec(
            image=image.text,
            command=shlex.join(word.text for word in command),
            interactive_tty=interactive_tty,
            gpus=gpus,
            ports=tuple(form.rows["ports"]),
            env=tuple(form.rows["env"]),
            mounts=tuple(form.rows["mounts"]),
            labels=tuple(form.rows["labels"]),
            **form.values,
        )

    def _check(self, spec: RunSpec, image: Word) -> list[Finding]:
        """The form's own checks (no CPU-count limit: the engine may be another computer), at the word that set
        the value."""
        findings = []
        sources = self.form.sources
        for problem in spec_problems(spec, None):
            if problem.warning:
                continue
            word = sources.get((problem.field, problem.row)) or sources.get((problem.field, None))
            if problem.field == "restart" and spec.auto_remove and ("restart", None) not in sources:
                word = sources.get(("auto_remove", None))
            word = word or image
            findings.append(self.error(word, problem.message))
        return findings


# --- sentences and small readers --------------------------------------------------------------------------

_ENTRYPOINT_CLEARED = (
    '--entrypoint "" (no entrypoint at all) is left out: the form can only replace the entrypoint, so the '
    "image's own entrypoint runs before your command."
)
_HALF_TTY = {
    "interactive": "-i without -t is left out: the form keeps input open only together with a terminal (-i -t).",
    "tty": "-t without -i is left out: the form gives a terminal only together with open input (-i -t).",
}
_NVIDIA_RUNTIME = (
    "The NVIDIA runtime is the older way to ask for GPUs: the form asks for all GPUs (--gpus all) instead."
)


def _bool(value: str, word: Word, spelled: str) -> bool:
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise _Refused(word, f'{spelled} takes true or false after =, not "{value}".')


def _unknown_option(name: str) -> str:
    guess = difflib.get_close_matches(name, BY_NAME, n=1, cutoff=0.7)
    hint = f" Did you mean --{guess[0]}?" if guess else ""
    return f"docker run has no option --{name}.{hint}"


def _unknown_letter(letter: str, word: str) -> str:
    if word[1:].split("=")[0] in BY_NAME:
        long = word[1:].split("=")[0]
        return f"docker reads {word} as one-letter options, and has no -{letter}. Write --{long}, with two dashes."
    return f"docker run has no option -{letter}" + (f" (in {word})." if len(word) > 2 else ".")


def _second_image(text: str) -> bool:
    """Whether a word after the image looks like another image rather than a program: a valid reference with a
    digest, or with a tag and a registry or namespace (pytorch/pytorch:latest), or a tag with letters
    (ubuntu:latest). "localhost:8080" or "python:3.11" could be a program's argument, so they pass."""
    if text[:1] in ("-", "/", ".") or reference_problem(text):
        return False
    name, tag, digest = split_reference(text)
    return digest is not None or (tag is not None and ("/" in name or re.search(r"[A-Za-z]", tag) is not None))


def _docker_option(text: str) -> bool:
    if text.startswith("--"):
        return text[2:].partition("=")[0] in BY_NAME
    return len(text) == 2 and text[1] in BY_SHORT
