"""Docker command lines shown to the user, said for the engine they act on: `docker --context NAME run …`.

Portside talks to the engine it is connected to, not to the docker CLI's current context, so a command copied from
a preview or the Commands panel must name the context to do the same thing in a terminal."""

from __future__ import annotations

import shlex

DEFAULT_CONTEXTS = ("", "default")  # no context to name: the CLI's own choice is the engine used
# Options that already say which engine a line talks to: the line is left as it is.
ENGINE_OPTIONS = ("--context", "-c", "--host", "-H")


def with_context(command: str, context: str) -> str:
    """`command` with `--context NAME` after `docker` on each line that starts with `docker ` (`docker compose`
    too). Unchanged for the CLI's own context ("" or "default"), for other programs' lines, and for a line that
    already names an engine."""
    if context in DEFAULT_CONTEXTS:
        return command
    return "\n".join(_line_with_context(line, context) for line in command.split("\n"))


def _line_with_context(line: str, context: str) -> str:
    stripped = line.lstrip()
    if not stripped.startswith("docker "):
        return line
    indent = line[: len(line) - len(stripped)]
    rest = stripped[len("docker ") :].lstrip()
    first = rest.split(" ", 1)[0]
    if first in ENGINE_OPTIONS or any(first.startswith(f"{option}=") for option in ENGINE_OPTIONS):
        return line
    return f"{indent}docker --context {shlex.quote(context)} {rest}"
