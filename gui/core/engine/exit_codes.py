"""What a container's exit code means, in plain words, and why a stop can end in "Exited (137)". No Qt.

A process that ends on a signal exits with 128 + the signal's number: 137 is SIGKILL (9), 143 is SIGTERM (15),
139 is SIGSEGV (11). `docker stop` sends SIGTERM, waits (10 s by default), then sends SIGKILL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MEANINGS = {
    0: "It finished normally: exit code 0 means success.",
    1: "The program stopped with an error (exit code 1, a general failure). Its logs usually say why.",
    125: "docker run itself failed (exit code 125): the container could not be created or started, "
    "for example because of a wrong option.",
    126: "The command cannot be run (exit code 126): the file was found but is not a program it can start, "
    "for example it is not executable.",
    127: "Command not found (exit code 127): the program named in CMD or ENTRYPOINT does not exist in the image "
    "or is not on its PATH.",
    137: "Stopped by force (SIGKILL, exit code 137), often because it ignored the polite stop signal "
    "or ran out of memory.",
    139: "Crashed (segmentation fault, exit code 139): the program touched memory it must not.",
    143: "Stopped politely (SIGTERM, exit code 143): it ended when asked to, as docker stop asks.",
}

SIGKILL_EXIT = 137

_EXITED = re.compile(r"^Exited \((-?\d+)\)")


def meaning(code: int) -> str:
    """One or two sentences for a beginner about exit code `code`."""
    return MEANINGS.get(
        code, f"Exit code {code} is the program's own error code: its logs or its documentation say what it means."
    )


def exit_code_of_status(status: str) -> int | None:
    """The exit code in the engine's status words ("Exited (137) 5 seconds ago"), or None while it runs."""
    match = _EXITED.match(status.strip())
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class StopOutcome:
    """How a `docker stop` ended: the exit code, whether the kernel killed it for memory, and how long it took."""

    exit_code: int | None
    oom_killed: bool
    seconds: float
    timeout: int

    @property
    def ignored_sigterm(self) -> bool:
        """Killed after the whole wait: the main process did not end on SIGTERM (a program that does not handle
        it running as PID 1, such as a Python app or a shell-form CMD)."""
        return self.exit_code == SIGKILL_EXIT and not self.oom_killed and self.seconds >= self.timeout * 0.9


def ignored_sigterm_advice(name: str, timeout: int) -> tuple[str, str]:
    """(why, fix) for a container that had to be killed after `timeout` seconds of docker stop."""
    why = (
        f"{name} did not stop when asked, so Docker waited {timeout} seconds and then stopped it by force "
        "(exit code 137). Its main process ignored the polite stop signal (SIGTERM). This is typical of a "
        "program running as the container's first process (PID 1), such as a Python app, or of a shell-form "
        "CMD, where a shell receives the signal and does not pass it on."
    )
    fix = (
        "To make it stop at once, do one of these:\n"
        "- Run it with --init, which adds a tiny first process that passes the signal on:\n"
        "docker run --init …\n"
        "- Use the exec form of CMD in the Dockerfile, so the program itself gets the signal:\n"
        'CMD ["python", "app.py"] instead of CMD python app.py\n'
        "- If the program stops on another signal, name it in the Dockerfile:\n"
        "STOPSIGNAL SIGINT"
    )
    return why, fix
