"""The step container a build cut off by the engine's crash left behind, found even when its " ---> Running in <id>"
line never arrived. No Qt.

The legacy builder makes each step's container from the image of the step before (the last " ---> <id>" line
ahead of the step's header), gives it the step's command, and says "Running in <id>" only after it exists. An
engine that dies in between leaves a container nobody named. It is found again by everything the build knows
about it, all of which must hold, so that none of the user's own containers is ever taken for it:

- made from that image (Image or ImageID),
- created while the build ran (after it began, before its stream was cut),
- not running,
- with the step's command, as the engine spells it: `/bin/sh -c 'pip install …'` for RUN (the shell may be another
  one, set with SHELL), `python -c …` for RUN in exec form, and the builder's own mark for the steps that only
  change settings (`/bin/sh -c '#(nop) ' 'ENV A=1'`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gui.core.build.progress import BuildProgress
    from gui.core.engine.rows import ContainerRow

__all__ = ["StepTrace", "engine_command", "left_behind", "runs_step"]

# Steps that make no container: FROM only names the image (its ONBUILD triggers are not matched: a container
# of theirs is left alone), and this engine's COPY and ADD write the image without one.
_NO_CONTAINER = frozenset({"FROM", "COPY", "ADD"})


@dataclass(frozen=True)
class StepTrace:
    """What a cut-off build knows about the container its last step was running in."""

    image: str  # the image the step's container is made from (a short or full id)
    instruction: str  # the step as the log showed it: RUN pip install -r requirements.txt
    started: float  # when the build began, seconds since the epoch
    ended: float  # when its stream was cut

    @classmethod
    def of(cls, progress: BuildProgress, started: float, ended: float) -> StepTrace | None:
        """The trace of the step a build was on, None when that step has no container to leave (none begun yet,
        a FROM or COPY, or a step that had already made its image)."""
        keyword = progress.current_instruction.split(maxsplit=1)[0].upper() if progress.current_instruction else ""
        if progress.running_from is None or not keyword or keyword in _NO_CONTAINER:
            return None
        return cls(progress.running_from, progress.current_instruction, started, ended)


def left_behind(trace: StepTrace, containers: Iterable[ContainerRow]) -> list[str]:
    """The ids of the containers that are this step's container, by every mark of it (the module says which)."""
    return [container.id for container in containers if _is_step_container(trace, container)]


def _is_step_container(trace: StepTrace, container: ContainerRow) -> bool:
    return (
        _same_image(trace.image, container)
        and math.floor(trace.started) <= container.created <= trace.ended  # Created is whole seconds
        and container.state not in ("running", "restarting", "paused", "removing")
        and runs_step(trace.instruction, container.command)
    )


def _same_image(image: str, container: ContainerRow) -> bool:
    wanted = image.removeprefix("sha256:")
    if len(wanted) < 12:
        return False  # too short an id could name more than one image
    return any(
        candidate.removeprefix("sha256:").startswith(wanted) for candidate in (container.image_id, container.image)
    )


def runs_step(instruction: str, command: str) -> bool:
    """True when `command` (a container's Command, as the engine lists it) is the one the legacy builder gives the
    container of the step `instruction`."""
    keyword, _, rest = instruction.partition(" ")
    rest = rest.strip()
    if not rest:
        return False
    if keyword.upper() != "RUN":
        # The engine writes these steps its own way (ENTRYPOINT ["a" "b"], SHELL [/bin/sh -c]): their builder's
        # mark and the instruction's name are what can be matched. No command a person types has that mark.
        return f" '#(nop) ' '{keyword} ".upper() in command.upper()
    if rest.startswith("["):
        try:
            words = json.loads(rest)
        except ValueError:
            words = None
        if isinstance(words, list) and words and all(isinstance(word, str) for word in words):
            return command == engine_command(words)
    # The shell form: the shell (/bin/sh -c, or the one SHELL set) and then the command as one word.
    return command.endswith(f" {engine_command([rest])}")


def engine_command(words: list[str]) -> str:
    """Words joined as the engine's container list joins them: a word with a space in it is put in single quotes,
    nothing else is quoted or escaped."""
    return " ".join(f"'{word}'" if " " in word else word for word in words)
