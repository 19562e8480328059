"""Environment variables from a .env file's text, read by python-dotenv (the syntax people's .env files use).
No Qt, no disk: the view reads the file in a worker and passes the text."""

from __future__ import annotations

import io

from dotenv import dotenv_values
from dotenv.parser import parse_stream

from gui.core.run.spec import EnvVar


def read_env_file(text: str) -> tuple[list[EnvVar], list[str]]:
    """The variables in file order (a name given twice keeps its last value, as python-dotenv does), and
    plain sentences about what needs the user's attention.

    A bare `NAME` line (no `=`) would make `docker run --env-file` copy the value from the environment of
    whoever runs it; Portside never copies the user's environment silently: the variable comes with an
    empty value and a sentence asking for one. Lines python-dotenv cannot read are named by number only,
    since they may hold a secret."""
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    variables = [EnvVar(name, value if value is not None else "") for name, value in values.items()]
    notes = [
        f"{name} has no value in the file; give it one in the table." for name, value in values.items() if value is None
    ]
    unreadable = [binding.original.line for binding in parse_stream(io.StringIO(text)) if binding.error]
    if unreadable:
        lines = ", ".join(str(line) for line in unreadable)
        which = "Line" if len(unreadable) == 1 else "Lines"
        notes.append(
            f"{which} {lines} of the file could not be read and {'was' if len(unreadable) == 1 else 'were'}"
            " skipped. Write each variable as NAME=value, one per line."
        )
    return variables, notes
