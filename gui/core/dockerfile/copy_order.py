"""Portside's rule PS005: copy the requirements list, install, and only then copy the code, so Docker's layer
cache skips the slow install when only the code changed. Its quick fix moves the whole-folder COPY below the
install and copies the requirement files in its place. No Qt."""

from __future__ import annotations

import json
import posixpath
import re

from gui.core.dockerfile.findings import Finding, QuickFix, TextEdit
from gui.core.dockerfile.parser import Instruction, command_text, copy_operands, exec_form, split_flags, unquote
from gui.core.dockerfile.rule_table import rule_finding, word_column
from gui.core.dockerfile.shell_commands import (
    PIP_INSTALL_RE,
    commands,
    installed_packages,
    pip_requirement_files,
    pip_segments,
)

__all__ = ["copy_before_install_rule"]


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
    for command in commands(command_text(instruction)):
        if installed_packages(command) or re.match(r"(?:apt-get|apt|apk|yum|dnf)\s+(?:update|clean)\b", command):
            continue
        if re.fullmatch(r"rm\s+(?:-\w+\s+)*(?:/\S+\s*)+", command):
            continue
        pip = PIP_INSTALL_RE.match(command)
        if pip and pip_requirement_files(command[pip.end() :]) == ([], False):
            continue
        return False
    return True


def _resolve(path: str, workdir: str) -> str:
    return posixpath.normpath(posixpath.join(workdir, path))


def copy_before_install_rule(instructions: list[Instruction], text: str) -> list[Finding]:
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
                (command, *pip_requirement_files(args)) for command, args in pip_segments(command_text(instruction))
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
                    rule_finding(
                        "PS005",
                        "warning",
                        copy.line,
                        f"This copies all your files into {destination} before `pip install` runs (line "
                        f"{instruction.line}), so every code change re-runs the install. Copy "
                        f"{', '.join(requirement_files)} first, install, then copy the rest.",
                        word_column(copy, "."),
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
    if len(pip_installs) != len(commands(command_text(run))) or exec_form(run.arguments) is not None:
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
