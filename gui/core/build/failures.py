"""A failed build in plain words: BuildError, and the sentences that say what to do for the engine's
messages (a failing RUN, a missing COPY source, a base image that cannot be pulled, a Dockerfile the engine
cannot parse). No Qt."""

from __future__ import annotations

import difflib
import re

from gui.core.dockerfile.parser import KEYWORDS
from gui.core.errors import StreamError

__all__ = ["BuildError", "parse_error_line", "plain_build_error"]


class BuildError(StreamError):
    """A build that failed: `message` is the plain sentence, `detail` the engine's words. `step` is the
    failed step (1-based, over all stages) when the engine had started one, `line` the Dockerfile line when
    known (the engine names it for a file it cannot parse; BuildProgress works it out from the step when
    it was given the Dockerfile's text)."""

    def __init__(
        self, message: str, detail: str = "", step: int | None = None, instruction: str = "", line: int | None = None
    ):
        super().__init__(message, detail)
        self.step = step
        self.instruction = instruction
        self.line = line


_RUN_FAILED_RE = re.compile(r"The command '(.*)' returned a non-zero code: (\d+)", re.DOTALL)
_COPY_FAILED_RE = re.compile(r"^(COPY|ADD) failed: (.*)$", re.DOTALL)
_PARSE_LINE_RE = re.compile(r"(?:parse error|error parsing)\D*line (\d+)", re.IGNORECASE)
_UNKNOWN_RE = re.compile(r"unknown instruction: (\S+)", re.IGNORECASE)
_TARGET_RE = re.compile(r"failed to reach build target (\S+)")
_FROM_FLAG_RE = re.compile(r"invalid from flag value (\S+?):")
_NETWORK_MARKERS = (
    "dial tcp",
    "no such host",
    "connection refused",
    "i/o timeout",
    "network is unreachable",
    "tls handshake timeout",
    "timeout exceeded while awaiting headers",
)
_ACCESS_MARKERS = (
    "pull access denied",
    "no basic auth credentials",
    "unauthorized",
    "authentication required",
    "requested access to the resource is denied",
)
_MISSING_MARKERS = ("manifest unknown", "not found: manifest", "repository does not exist")
_EXIT_NOTES = {
    127: " (127 means the program was not found in the image: is it installed by an earlier step?)",
    126: " (126 means the file is there but cannot be run: check its permissions)",
    137: " (137 means it was killed, often because the build ran out of memory)",
}


def plain_build_error(detail: str, instruction: str = "") -> str:
    """The engine's words for a failed build as a sentence that says what to do. `instruction` is the
    failed step's instruction ("FROM python:3.12-slim") when known: it names the base image."""
    text = detail.strip()
    lowered = text.lower()
    if "no space left on device" in lowered:
        return "The disk is full. Remove unused images and build cache (docker system prune), then build again."
    if match := _RUN_FAILED_RE.search(text):
        code = int(match[2])
        step = instruction if instruction.upper().startswith("RUN") else "RUN " + _without_shell(match[1])
        step = _shortened(" ".join(step.split()))
        return (
            f"The step {step} failed with exit code {code}{_EXIT_NOTES.get(code, '')}. Scroll up in the "
            "log for the command's own error."
        )
    if match := _COPY_FAILED_RE.match(text):
        return _copy_failed(match[1], match[2])
    if match := _UNKNOWN_RE.search(text):
        return _unknown_instruction(match[1], parse_error_line(text))
    if match := _TARGET_RE.search(text):
        return (
            f"The Dockerfile has no stage named {match[1]} (the build target). Check the name after AS in "
            "the FROM lines, or leave the target empty."
        )
    if match := _FROM_FLAG_RE.search(text):
        return (
            f"The option --from={match[1]} names no stage before it, so Docker looked for an image called {match[1]} "
            "and could not get one. Check the stage name."
        )
    if "cannot locate specified dockerfile" in lowered:
        return (
            "Docker could not find the Dockerfile in the build folder. Check its name and that .dockerignore "
            "does not exclude it."
        )
    base = _base_image(text, instruction)
    if any(marker in lowered for marker in _ACCESS_MARKERS):
        return (
            f"The registry refused access to the base image {base}: it may be private (sign in with "
            "docker login) or not exist. Check the name in the FROM line."
        )
    if any(marker in lowered for marker in _MISSING_MARKERS) or ("manifest for" in lowered and "not found" in lowered):
        return f"The base image {base} does not exist on the registry. Check its name and tag in the FROM line."
    if any(marker in lowered for marker in _NETWORK_MARKERS):
        return (
            f"Could not reach the registry to download the base image {base}. Check your network "
            "connection, or build from an image that is already on this machine."
        )
    if match := _PARSE_LINE_RE.search(text):
        return f"The Dockerfile has a mistake on line {match[1]}: {text}"
    return text


def _shortened(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _without_shell(command: str) -> str:
    return command.removeprefix("/bin/sh -c ")


def _copy_failed(keyword: str, reason: str) -> str:
    lowered = reason.lower()
    if "forbidden path outside the build context" in lowered:
        source = reason.rsplit(":", 1)[-1].strip().split(" ")[0]
        return (
            f"{keyword} can only use files inside the build folder, and {source} is outside it. Move the "
            "file into the folder, or build from a folder higher up."
        )
    if "no source files were specified" in lowered:
        return f"{keyword} found nothing to copy: the pattern matches no file in the build context."
    if "file not found" in lowered or "no such file" in lowered or "does not exist" in lowered:
        match = re.search(r"stat (\S+?):", reason)
        source = match[1] if match else "a file"
        source = re.sub(r"^/var/lib/docker/tmp/[^/]+/", "", source)
        return (
            f"{keyword} could not find {source} in the build context: check the file exists next to the "
            "Dockerfile and is not excluded by .dockerignore."
        )
    return f"{keyword} failed: {reason}"


def _unknown_instruction(word: str, line: int | None) -> str:
    where = f"Line {line} of the Dockerfile" if line else "A line of the Dockerfile"
    close = difflib.get_close_matches(word.upper(), KEYWORDS, n=1, cutoff=0.6)
    suggestion = f" Did you mean {close[0]}?" if close else " Instructions are words like FROM, RUN and COPY."
    return f"{where} starts with {word}, which is not a Dockerfile instruction.{suggestion}"


def parse_error_line(detail: str) -> int | None:
    """The Dockerfile line the engine names when it cannot parse the file, else None."""
    match = _PARSE_LINE_RE.search(detail)
    return int(match[1]) if match else None


def _base_image(text: str, instruction: str) -> str:
    match = re.search(r"(?:manifest for|pull access denied for) (\S+?)[,:]?\s", text + " ")
    if match:
        return match[1]
    words = instruction.split()
    if words and words[0].upper() == "FROM":
        images = [word for word in words[1:] if not word.startswith("--")]
        if images:
            return images[0]
    return "(the image in the FROM line)"
