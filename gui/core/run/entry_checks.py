"""What is wrong with the Run dialog's name=value rows (environment variables, labels), by the docker CLI's rules.
Pure: no Qt, no engine.

Docker refuses only an empty name (and, for labels, a space inside one); names it takes but reads differently
from what the user likely meant (a second =, a name set twice) are warnings that say how Docker reads them.
"""

from __future__ import annotations

import re

from gui.core.run.spec import EnvVar, Problem

PORTABLE_ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# --- environment ----------------------------------------------------------------------------------------


def env_problems(env: tuple[EnvVar, ...]) -> list[Problem]:
    """Docker refuses only an empty name (the CLI: "invalid environment variable"); the rest are warnings."""
    problems = []
    first_row: dict[str, int] = {}
    for row_index, var in enumerate(env):
        name = var.name
        error, warning = None, None
        read_as, _, rest = name.partition("=")
        if not name:
            error = "Enter a name for this variable, or remove the row."
        elif not read_as:
            error = f"A variable name cannot start with =: Docker would read {name}={var.value} as no name at all."
        elif "=" in name:
            warning = (
                f"The name stops at the first =: Docker sets {read_as} to {rest}={var.value}. "
                f"Put {rest} in Value if that is what you mean."
            )
        elif any(ch.isspace() for ch in name):
            warning = (
                "A name with spaces is legal, but no program or script can read it. Use _ instead, like MY_SETTING."
            )
        elif name in first_row:
            warning = (
                f"{name} is set twice (also in row {first_row[name] + 1}): the later one wins. Remove one of them."
            )
        else:
            first_row[name] = row_index
            if not PORTABLE_ENV_NAME_RE.fullmatch(name):
                warning = (
                    f"{name} is a legal name, but shell scripts in the container cannot read it: a name they "
                    "can use starts with a letter or _ and has only letters, digits and _."
                )
        if error:
            problems.append(Problem("env", error, row_index))
        elif warning:
            problems.append(Problem("env", warning, row_index, warning=True))
    return problems


# --- labels ---------------------------------------------------------------------------------------------


def label_problems(labels: tuple[tuple[str, str], ...]) -> list[Problem]:
    """The CLI's rules for --label: a name, spaces around it trimmed, with no space or tab inside."""
    problems = []
    first: dict[str, int] = {}
    for row_index, (key, value) in enumerate(labels):
        name = key.strip()
        read_as, _, rest = name.partition("=")
        if not read_as:
            problems.append(Problem("labels", "Enter a name for this label, like com.example.role.", row_index))
        elif " " in read_as or "\t" in read_as:
            problems.append(
                Problem(
                    "labels", f'The label name "{read_as}" has a space. Use . or - instead, like my.label.', row_index
                )
            )
        elif "=" in name:
            problems.append(
                Problem(
                    "labels",
                    f"The name stops at the first =: Docker sets label {read_as} to {rest}={value}.",
                    row_index,
                    warning=True,
                )
            )
        elif name in first:
            problems.append(
                Problem(
                    "labels",
                    f"The label {name} is set twice (also in row {first[name] + 1}): the later one wins.",
                    row_index,
                    warning=True,
                )
            )
        else:
            first[name] = row_index
    return problems
