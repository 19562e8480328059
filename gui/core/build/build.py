"""`docker build`: what the user asks for (BuildSpec), what the engine says while it builds (BuildProgress),
and its failures as sentences that say what to do. No Qt.

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

import difflib
import json
import re
import shlex
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gui.core.dockerfile.parser import KEYWORDS, parse_dockerfile, stages
from gui.core.errors import StreamError
from gui.core.reference import parse, reference_problem
from gui.core.secrets import is_secret_name

if TYPE_CHECKING:
    import docker

    from gui.core.engine.client import Engine, Stream

ARG_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
STAGE_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
DEFAULT_DOCKERFILE = "Dockerfile"
MAX_PENDING_CHARS = 64 * 1024  # a line longer than this is shown in pieces


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


# The spec ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildSpec:
    """One build. From it come both the docker-py call (api_kwargs, and Engine.build) and the `docker build`
    command shown to the user, so the command shown is the one that ran.

    The API takes a single tag: the engine tags the image with the first one while it builds, and the
    caller applies `extra_tags` afterwards (apply_extra_tags), which is what `docker build -t a -t b` does.
    Intermediate containers are always removed, even after a failed or cancelled build (rm + forcerm,
    `--force-rm` on the command line)."""

    context: Path
    dockerfile: str = DEFAULT_DOCKERFILE  # relative to context
    tags: tuple[str, ...] = ()
    build_args: tuple[tuple[str, str], ...] = ()
    target: str | None = None
    no_cache: bool = False
    pull: bool = False
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def dockerfile_path(self) -> Path:
        return Path(self.context) / self.dockerfile

    @property
    def first_tag(self) -> str | None:
        return self.tags[0] if self.tags else None

    @property
    def extra_tags(self) -> tuple[str, ...]:
        """The tags after the first: the caller applies them with api.tag once the build succeeded."""
        return tuple(self.tags[1:])

    # Validation --------------------------------------------------------------------------------------

    def problems(self) -> dict[str, str]:
        """Field name -> plain sentence(s), {} when the build can start. Fields: context, dockerfile, tags,
        build_args, target, labels."""
        found: dict[str, list[str]] = {}

        def add(field: str, sentence: str) -> None:
            found.setdefault(field, []).append(sentence)

        dockerfile_text = None
        context = Path(self.context)
        if not str(self.context).strip() or not context.is_absolute():
            add(
                "context",
                "Choose the build folder (its full path): the folder that holds the Dockerfile and "
                "the files it copies.",
            )
        elif not context.exists():
            add("context", f"The folder {context} does not exist.")
        elif not context.is_dir():
            add("context", f"{context} is a file. Choose the folder that holds the Dockerfile and the files it copies.")
        else:
            dockerfile_text = self._check_dockerfile(context, lambda s: add("dockerfile", s))
        for sentence in self._tag_problems():
            add("tags", sentence)
        for sentence in self._build_arg_problems():
            add("build_args", sentence)
        if self.target is not None:
            problem = self._target_problem(dockerfile_text)
            if problem:
                add("target", problem)
        for sentence in self._label_problems():
            add("labels", sentence)
        return {field: " ".join(sentences) for field, sentences in found.items()}

    def _check_dockerfile(self, context: Path, add) -> str | None:
        name = self.dockerfile.strip()
        if not name:
            add(f"Enter the Dockerfile's name, for example {DEFAULT_DOCKERFILE}.")
            return None
        if Path(name).is_absolute() or ".." in Path(name).parts:
            add(
                "The Dockerfile must be inside the build folder: give its path relative to that folder, "
                f"for example {DEFAULT_DOCKERFILE} or docker/Dockerfile.dev."
            )
            return None
        path = context / name
        if not path.exists():
            add(
                f"There is no {name} in {context}. Create one (the Dockerfile wizard can write it) or choose "
                "the folder that holds it."
            )
            return None
        if not path.is_file():
            add(f"{name} in the build folder is a folder, not a file.")
            return None
        try:
            return path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            add(f"Could not read {name}: {exc.strerror or exc}.")
            return None

    def _tag_problems(self) -> list[str]:
        if not self.tags:
            return ["Give the image a name, for example my-ai-app:1.0, so you can run it and find it later."]
        sentences = []
        seen = set()
        for tag in self.tags:
            problem = reference_problem(tag)
            if problem:
                sentences.append(f"{tag or 'An empty name'}: {problem}" if tag.strip() else problem)
            elif "@" in tag:
                sentences.append(
                    f"{tag}: a build names its image with a name and tag, not a digest "
                    "(@sha256:…): for example my-ai-app:1.0."
                )
            elif _canonical(tag) in seen:
                sentences.append(f"{tag} is listed twice.")
            seen.add(_canonical(tag) if not problem else tag)
        return sentences

    def _build_arg_problems(self) -> list[str]:
        sentences = []
        seen = set()
        for name, _value in self.build_args:
            if not ARG_NAME_PATTERN.fullmatch(name):
                shown = f'"{name}"' if name else "An empty name"
                sentences.append(
                    f"{shown} is not a build-argument name: use letters, digits and _, "
                    "not starting with a digit (for example PYTHON_VERSION)."
                )
            elif is_secret_name(name):
                sentences.append(
                    f"{name} looks like a secret. Build arguments stay readable in the image's "
                    "history (`docker history`) by anyone who has the image: give secrets to the "
                    "container when it runs, as an environment variable, instead."
                )
            elif name in seen:
                sentences.append(f"The build argument {name} is given twice.")
            seen.add(name)
        return sentences

    def _target_problem(self, dockerfile_text: str | None) -> str | None:
        target = self.target or ""
        if not STAGE_NAME_PATTERN.fullmatch(target):
            return (
                "The target is the name of a stage (the word after AS in a FROM line), for example "
                "runtime; leave it empty to build the whole file."
            )
        if dockerfile_text is None:
            return None
        names = stage_names(dockerfile_text)
        if target.lower() in (name.lower() for name in names):
            return None
        if names:
            return f"The Dockerfile has no stage named {target}; its stages are named {', '.join(names)}."
        return (
            f"The Dockerfile has no stage named {target}: it names none of its stages (FROM image AS name). "
            "Leave the target empty to build the whole file."
        )

    def _label_problems(self) -> list[str]:
        return [
            "A label needs a name (its key), for example org.opencontainers.image.version."
            for key, _value in self.labels
            if not key.strip()
        ][:1]

    def suggested_tags(self, today: date | None = None) -> list[str]:
        """Version tags to offer when the only tags are :latest or none at all, for example
        ["my-ai-app:1.0", "my-ai-app:2024-06-01"]; [] otherwise."""
        valid = [tag for tag in self.tags if not reference_problem(tag) and "@" not in tag]
        if not valid or any(parse(tag).tag not in (None, "latest") for tag in valid):
            return []
        day = (today or date.today()).isoformat()
        suggestions: list[str] = []
        for tag in valid:
            name = parse(tag).repository
            for suggestion in (f"{name}:1.0", f"{name}:{day}"):
                if suggestion not in suggestions:
                    suggestions.append(suggestion)
        return suggestions

    def tag_hints(self, today: date | None = None) -> list[str]:
        """Sentences to show under the tags when the only tags are :latest or none at all: one per image
        name, suggesting NAME:1.0 and NAME:<today>. [] when a version tag is there."""
        suggestions = self.suggested_tags(today)
        hints = []
        for first, second in zip(suggestions[::2], suggestions[1::2]):
            hints.append(
                f"Add a version tag as well, for example {first} or {second}: `latest` only means "
                '"the last one built", and with versions you can run, compare or go back to an '
                "earlier build."
            )
        return hints

    # The call and the command ------------------------------------------------------------------------

    def api_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for docker.APIClient.build(**kwargs, decode=True, rm=True, forcerm=True).
        Engine.build sends the same request in a way it can cancel."""
        return {
            "path": str(self.context),
            "tag": self.first_tag,
            "dockerfile": self.dockerfile,
            "buildargs": dict(self.build_args),
            "target": self.target or None,
            "nocache": self.no_cache,
            "pull": self.pull,
            "labels": dict(self.labels) or None,
        }

    def argv(self) -> list[str]:
        """`docker build` with the same settings. -f is given as a path (the CLI reads it relative to where
        it runs, not to the build folder), and only when it is not the default Dockerfile."""
        argv = ["docker", "build"]
        for tag in self.tags:
            argv += ["-t", tag]
        if self.dockerfile != DEFAULT_DOCKERFILE:
            argv += ["-f", str(self.dockerfile_path)]
        for name, value in self.build_args:
            argv += ["--build-arg", f"{name}={value}"]
        if self.target:
            argv += ["--target", self.target]
        if self.no_cache:
            argv.append("--no-cache")
        if self.pull:
            argv.append("--pull")
        for key, value in self.labels:
            argv += ["--label", f"{key}={value}"]
        argv.append("--force-rm")
        argv.append(str(self.context))
        return argv

    @property
    def command(self) -> str:
        return shlex.join(self.argv())


def _canonical(tag: str) -> str:
    ref = parse(tag)
    return f"{ref.repository}:{ref.tag_or_latest}"


def apply_extra_tags(api: docker.APIClient, image_id: str, tags: tuple[str, ...] | list[str]) -> None:
    """Tags the built image with the tags after the first (the build API takes one): what
    `docker build -t a -t b` does after its build."""
    for tag in tags:
        ref = parse(tag)
        api.tag(image_id, ref.repository, ref.tag_or_latest)


# The request Engine.build sends -------------------------------------------------------------------------


def build_request(client: docker.APIClient, spec: BuildSpec) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """(context tar file, query parameters, headers) for POST /build, as docker-py's APIClient.build makes
    them from spec.api_kwargs() with rm=True, forcerm=True: the folder tarred without what .dockerignore
    excludes, the proxy settings of ~/.docker/config.json as build arguments, and the user's registry
    logins so a private base image can be pulled. The caller closes the file once the request is sent.
    Blocking: it reads the whole build folder."""
    from docker import utils
    from docker.api.build import process_dockerfile

    kwargs = spec.api_kwargs()
    path = kwargs["path"]
    dockerfile = process_dockerfile(kwargs["dockerfile"], path)
    context = utils.tar(path, exclude=dockerignore_patterns(Path(path)), dockerfile=dockerfile)
    params: dict[str, Any] = {
        "t": kwargs["tag"],
        "q": False,
        "nocache": kwargs["nocache"],
        "rm": True,
        "forcerm": True,
        "pull": kwargs["pull"],
        "dockerfile": dockerfile[0],
    }
    buildargs = dict(kwargs["buildargs"])
    for name, value in client._proxy_configs.get_environment().items():
        buildargs.setdefault(name, value)
    if buildargs:
        params["buildargs"] = json.dumps(buildargs)
    if kwargs["labels"]:
        params["labels"] = json.dumps(kwargs["labels"])
    if kwargs["target"]:
        params["target"] = kwargs["target"]
    headers = {"Content-Type": "application/tar"}
    client._set_auth_headers(headers)
    return context, params, headers


def dockerignore_patterns(context: Path) -> list[str] | None:
    """The patterns of the folder's .dockerignore, read the way docker-py reads them."""
    path = context / ".dockerignore"
    if not path.exists():
        return None
    lines = (line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def open_build(engine: Engine, spec: BuildSpec) -> Stream:
    """engine.build, with what fails before the stream starts (a Dockerfile the engine cannot parse, a
    missing target stage, an unreadable file in the folder) as a BuildError worded like the failures inside
    the stream. Runs in the stream's thread."""
    import docker.errors

    from gui.core.errors import explain

    try:
        return engine.build(spec)
    except docker.errors.APIError as exc:
        detail = str(exc.explanation or exc)
        raise BuildError(plain_build_error(detail), detail, line=_parse_error_line(detail)) from exc
    except OSError as exc:  # tarring the folder: a file vanished or cannot be read
        if exc.__class__.__module__.startswith(("requests", "urllib3")):
            raise explain(exc, "build the image") from exc
        where = f" {exc.filename}" if exc.filename else ""
        raise BuildError(
            f"Could not read{where} in the build folder: {exc.strerror or exc}. Check its "
            "permissions, or exclude it in .dockerignore.",
            str(exc),
        ) from exc


# Following a build --------------------------------------------------------------------------------------

_STEP_RE = re.compile(r"^Step (\d+)/(\d+) : ?(.*)$")
_BUILT_RE = re.compile(r"^Successfully built ([0-9a-f]{12,64})\s*$")
_TAGGED_RE = re.compile(r"^Successfully tagged (\S+)\s*$")
_LAYER_RE = re.compile(r"^ ---> ([0-9a-f]{12,64})\s*$")


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
        elif match := _LAYER_RE.match(line):
            self.layer_ids.append(match[1])
        elif match := _BUILT_RE.match(line):
            short = match[1]
            full = self._last_aux_id
            self.image_id = full if full and full.removeprefix("sha256:").startswith(short) else short
            self.finished = True
        elif match := _TAGGED_RE.match(line):
            self.tagged.append(match[1])

    def _set_error(self, detail: str) -> None:
        step = self.step or None
        line = _parse_error_line(detail)
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


def stage_names(dockerfile_text: str) -> list[str]:
    """The names given to stages (FROM image AS name), in order."""
    return [stage.name for stage in stages(parse_dockerfile(dockerfile_text)) if stage.name]


# Errors --------------------------------------------------------------------------------------------------

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
        return "The disk is full. Remove unused images and build cache (`docker system prune`), then build again."
    if match := _RUN_FAILED_RE.search(text):
        code = int(match[2])
        step = instruction if instruction.upper().startswith("RUN") else "RUN " + _without_shell(match[1])
        step = _shortened(" ".join(step.split()))
        return (
            f"The step `{step}` failed with exit code {code}{_EXIT_NOTES.get(code, '')}. Scroll up in the "
            "log for the command's own error."
        )
    if match := _COPY_FAILED_RE.match(text):
        return _copy_failed(match[1], match[2])
    if match := _UNKNOWN_RE.search(text):
        return _unknown_instruction(match[1], _parse_error_line(text))
    if match := _TARGET_RE.search(text):
        return (
            f"The Dockerfile has no stage named {match[1]} (the build target). Check the name after AS in "
            "the FROM lines, or leave the target empty."
        )
    if match := _FROM_FLAG_RE.search(text):
        return (
            f"`--from={match[1]}` names no stage before it, so Docker looked for an image called {match[1]} "
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
            "`docker login`) or not exist. Check the name in the FROM line."
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


def _parse_error_line(detail: str) -> int | None:
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
