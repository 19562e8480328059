"""Following `docker build`: BuildProgress folds what the engine says while it builds into log lines, steps
and a failure (BuildError, worded in failures), and failing_line maps a step to its Dockerfile line. No Qt.

The engine is dockerd's legacy builder (what POST /build runs without BuildKit). It streams one JSON message
per chunk of output:
    {"stream": "Step 2/7 : RUN pip install -r requirements.txt"}   the header, its newline comes next
    {"stream": "\\n"}
    {"stream": " ---> Running in 6ac3172ca3da\\n"}
    {"stream": "\\u001b[91moops\\n\\u001b[0m"}                        the step's stderr, in red
    {"aux": {"ID": "sha256:..."}}                                     after each stage's last step
    {"stream": "Successfully built dc3b1ca8ac9c\\n"}
and reports a failure inside the same 200 response as {"errorDetail": {"code": 1, "message": "..."}, "error": "..."}.
Chunks do not follow lines: a line can arrive in pieces, so lines are assembled before they are shown.

Steps are counted over the whole file: every instruction of every stage counts, the FROMs and an ARG before
the first FROM included. Build labels are applied as extra LABEL steps after the Dockerfile's own, so the
total the engine announces can be larger than the number of instructions in the file.
"""

from __future__ import annotations

import re
from typing import Any

from gui.core.build.failures import BuildError, parse_error_line, plain_build_error
from gui.core.dockerfile.parser import parse_dockerfile

__all__ = ["MAX_PENDING_CHARS", "BuildProgress", "failing_line"]

MAX_PENDING_CHARS = 64 * 1024  # a line longer than this is shown in pieces

_STEP_RE = re.compile(r"^Step (\d+)/(\d+) : ?(.*)$")
_BUILT_RE = re.compile(r"^Successfully built ([0-9a-f]{12,64})\s*$")
_TAGGED_RE = re.compile(r"^Successfully tagged (\S+)\s*$")
_LAYER_RE = re.compile(r"^ ---> ([0-9a-f]{12,64})\s*$")
# The step's container: created for a RUN (and the like), removed once the step is done (rm=True). A build the
# engine never finished (it was killed) leaves the last one behind.
_RUNNING_RE = re.compile(r" ---> Running in ([0-9a-f]{12,64})\s*$")
_REMOVED_RE = re.compile(r"(?:Removing|Removed) intermediate container ([0-9a-f]{12,64})\s*$")


class BuildProgress:
    """Folds the decoded messages of one build into log lines and the state of the build.

    feed() returns the complete lines to show (the engine's ANSI colours kept); a line that has not ended
    yet waits for its end, and flush() returns it when the stream ends early (cancelled)."""

    def __init__(self, dockerfile_text: str | None = None):
        self.dockerfile_text = dockerfile_text
        self.step = 0
        self.total_steps = 0
        self.current_instruction = ""
        self.image_id: str | None = None
        self.tagged: list[str] = []
        self.layer_ids: list[str] = []  # " ---> <id>": the image after each step (short ids)
        # The image the current step's container is made from: the last " ---> <id>" before the step's header.
        # None before the first step and once the step has its own image (its container is gone then).
        self.running_from: str | None = None
        self.step_containers: list[str] = []  # the steps' containers not yet removed (short ids)
        self.error: BuildError | None = None
        self.failed_step: int | None = None
        self.finished = False  # succeeded: "Successfully built" seen
        self._pending = ""
        self._last_aux_id: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def failed_line(self) -> int | None:
        return self.error.line if self.error else None

    def feed(self, message: Any) -> list[str]:
        """Takes one decoded message, returns the log lines it completes. Raises nothing: a failure
        reported by the engine lands in `error`."""
        if not isinstance(message, dict):
            return []
        if message.get("error") or message.get("errorDetail"):
            lines = self.flush()
            detail = _error_text(message)
            self._set_error(detail)
            return lines + detail.splitlines()
        aux = message.get("aux")
        if isinstance(aux, dict) and isinstance(aux.get("ID"), str):
            self._last_aux_id = aux["ID"]
        text = message.get("stream")
        if not isinstance(text, str):
            text = _status_line(message)
            if text is None:
                return []
        pieces = (self._pending + text).split("\n")
        self._pending = pieces.pop()
        if len(self._pending) > MAX_PENDING_CHARS:  # output with no newline at all (\r progress bars)
            pieces.append(self._pending)
            self._pending = ""
        for line in pieces:
            self._read_line(line)
        return [line.removesuffix("\r") for line in pieces]

    def flush(self) -> list[str]:
        """The unfinished last line, if any (when the stream ended without its newline)."""
        pending, self._pending = self._pending, ""
        if not pending:
            return []
        self._read_line(pending)
        return [pending]

    def _read_line(self, line: str) -> None:
        line = line.removesuffix("\r")
        if match := _STEP_RE.match(line):
            self.step, self.total_steps = int(match[1]), int(match[2])
            self.current_instruction = match[3].strip()
            self.running_from = self.layer_ids[-1] if self.layer_ids else None
        elif match := _LAYER_RE.match(line):
            self.layer_ids.append(match[1])
            self.running_from = None
        elif match := _RUNNING_RE.search(line):
            self.step_containers.append(match[1])
        elif match := _REMOVED_RE.search(line):
            if match[1] in self.step_containers:
                self.step_containers.remove(match[1])
        elif match := _BUILT_RE.match(line):
            short = match[1]
            full = self._last_aux_id
            self.image_id = full if full and full.removeprefix("sha256:").startswith(short) else short
            self.finished = True
        elif match := _TAGGED_RE.match(line):
            self.tagged.append(match[1])

    def _set_error(self, detail: str) -> None:
        step = self.step or None
        line = parse_error_line(detail)
        if line is None and step and self.dockerfile_text is not None:
            line = failing_line(self.dockerfile_text, step)
        self.failed_step = step
        self.error = BuildError(
            plain_build_error(detail, self.current_instruction if step else ""),
            detail,
            step=step,
            instruction=self.current_instruction if step else "",
            line=line,
        )

    @property
    def fraction(self) -> float | None:
        """0..1 by steps done (a step's own length is unknown), None before the first step."""
        if self.finished:
            return 1.0
        if not self.total_steps:
            return None
        return max(0.0, min(1.0, (self.step - 1) / self.total_steps))

    def summary(self) -> str:
        """One line, for example 'Step 3 of 7: RUN pip install -r requirements.txt'."""
        if self.finished:
            return f"Built {_short(self.image_id)}" + (f" and tagged {', '.join(self.tagged)}" if self.tagged else "")
        if self.error:
            return f"Failed at step {self.failed_step} of {self.total_steps}" if self.failed_step else "Failed"
        if not self.step:
            return "Sending the build folder to the engine…"
        return f"Step {self.step} of {self.total_steps}: {self.current_instruction}"


def _status_line(message: dict) -> str | None:
    """A FROM that pulls its base image reports like `docker pull`; keep its milestones ("Pull complete"),
    not the byte counts of every chunk."""
    status = message.get("status")
    if not isinstance(status, str):
        return None
    detail = message.get("progressDetail")
    if isinstance(detail, dict) and detail.get("current") is not None:
        return None
    layer = message.get("id")
    return (f"{layer}: {status}" if isinstance(layer, str) and layer else status) + "\n"


def _short(image_id: str | None) -> str:
    return (image_id or "").removeprefix("sha256:")[:12]


def _error_text(message: dict) -> str:
    detail = message.get("errorDetail")
    if isinstance(detail, dict) and detail.get("message"):
        return str(detail["message"])
    return str(message.get("error") or detail or "the build failed")


# Mapping a step to the Dockerfile ----------------------------------------------------------------------


def failing_line(dockerfile_text: str, step: int) -> int | None:
    """The first line of the instruction that was step `step` (1-based, counting every instruction of every
    stage, FROMs included), or None when the step is not in the file (the LABEL steps of build labels)."""
    if step < 1:
        return None
    instructions = parse_dockerfile(dockerfile_text)
    return instructions[step - 1].line if step <= len(instructions) else None
