"""What the user asks `docker build` to do: BuildSpec, with its checks (the ones Docker applies, as sentences
for the dialog), its tag hints, and both the docker-py call and the equivalent `docker build` command, so the
command shown is the one that ran. Also the tag a build folder suggests (folder-name:1.0) and the warning when a
tag already names another image on the engine. No Qt."""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gui.core.dockerfile.parser import parse_dockerfile, stages
from gui.core.format import relative_time
from gui.core.reference import parse, reference_problem
from gui.core.secrets import is_secret, is_secret_name, mask_text, masked_value

if TYPE_CHECKING:
    from gui.core.engine.rows import ImageRow

__all__ = [
    "ARG_NAME_PATTERN",
    "DEFAULT_DOCKERFILE",
    "FIRST_VERSION",
    "STAGE_NAME_PATTERN",
    "BuildSpec",
    "replaced_tag_warnings",
    "stage_names",
    "suggested_tag",
]

ARG_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
STAGE_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
DEFAULT_DOCKERFILE = "Dockerfile"
FIRST_VERSION = "1.0"
FALLBACK_NAME = "my-ai-app"  # the tutorial's name, for a folder whose name has no usable letters
SUGGESTED_NAME_LENGTH = 64  # room for a user/ or registry/ prefix later, within Docker's 255
_MIN_MASKED_LENGTH = 4


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
                    "history (docker history) by anyone who has the image: give secrets to the "
                    "container when it runs, as an environment variable, instead."
                )
            elif name in seen:
                sentences.append(f"The build argument {name} is given twice.")
            seen.add(name)
        return sentences

    def build_arg_warnings(self) -> list[str]:
        """A sentence for each build argument whose value looks like a secret (a token, a password in a URL) though
        its name does not say so (a secret's name is refused by problems()): the build may go on, but the value
        stays in the image."""
        return [
            f"{name} holds what looks like a secret. Build arguments stay readable in the image's history "
            "(docker history) by anyone who has the image: if the app needs it, give it to the container when it "
            "runs, as an environment variable; if only the build does, keep this image to yourself."
            for name, value in self.build_args
            if is_secret(name, value) and not is_secret_name(name)
        ]

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
                f"Add a version tag as well, for example {first} or {second}: the tag latest only means "
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

    def argv(self, reveal_secrets: bool = False) -> list[str]:
        """`docker build` with the same settings. -f is given as a path (the CLI reads it relative to where
        it runs, not to the build folder), and only when it is not the default Dockerfile. Secret build
        argument values (by name or shape) are masked unless asked: this is what the user sees and what the
        build history keeps."""
        argv = ["docker", "build"]
        for tag in self.tags:
            argv += ["-t", tag]
        if self.dockerfile != DEFAULT_DOCKERFILE:
            argv += ["-f", str(self.dockerfile_path)]
        for name, value in self.build_args:
            argv += ["--build-arg", f"{name}={value if reveal_secrets else masked_value(name, value)}"]
        if self.target:
            argv += ["--target", self.target]
        if self.no_cache:
            argv.append("--no-cache")
        if self.pull:
            argv.append("--pull")
        for key, value in self.labels:
            argv += ["--label", f"{key}={value if reveal_secrets else masked_value(key, value)}"]
        argv.append("--force-rm")
        argv.append(str(self.context))
        return argv

    @property
    def command(self) -> str:
        return shlex.join(self.argv())

    def mask_secrets(self, text: str) -> str:
        """`text` (a line of this build's log, its error) with the values of its secret build arguments masked,
        whole or in the parts that show them (a token printed on its own): what the build dialog shows and the
        history keeps. The text comes back as it is for a build without secrets."""
        if not self._secret_values:
            return text
        for value, shown in self._secret_values:
            text = text.replace(value, shown)
        return mask_text(text)

    @cached_property
    def _secret_values(self) -> tuple[tuple[str, str], ...]:
        """(value, how it is shown) of the secret build arguments; values too short to mask in free text left out
        (masking "ab" everywhere would garble the log and hide nothing)."""
        return tuple(
            (value, masked_value(name, value))
            for name, value in self.build_args
            if len(value) >= _MIN_MASKED_LENGTH and is_secret(name, value)
        )


def _canonical(tag: str) -> str:
    ref = parse(tag)
    return f"{ref.repository}:{ref.tag_or_latest}"


def stage_names(dockerfile_text: str) -> list[str]:
    """The names given to stages (FROM image AS name), in order."""
    return [stage.name for stage in stages(parse_dockerfile(dockerfile_text)) if stage.name]


# Suggestions ---------------------------------------------------------------------------------------------


def suggested_tag(context: Path | str) -> str | None:
    """'folder-name:1.0' for a build folder, made valid for Docker: ASCII, lowercase, letters and digits with
    single separators between them; my-ai-app:1.0 (the tutorial's name) when the folder's name has nothing
    usable. None when no folder is given."""
    text = str(context).strip()
    if not text:
        return None
    name = unicodedata.normalize("NFKD", Path(text).name).encode("ascii", "ignore").decode().lower()
    name = re.sub(r"[^a-z0-9._-]+", "-", name)
    # Separators Docker allows between letters and digits: one . or _, two _, or any number of -.
    name = re.sub(r"[._-]{2,}", lambda run: run.group() if re.fullmatch(r"__|-+", run.group()) else "-", name)
    name = name[:SUGGESTED_NAME_LENGTH].strip("._-")
    tag = f"{name}:{FIRST_VERSION}"
    return tag if name and reference_problem(tag) is None else f"{FALLBACK_NAME}:{FIRST_VERSION}"


def replaced_tag_warnings(tags: Iterable[str], images: Iterable[ImageRow], now: float | None = None) -> list[str]:
    """A sentence for each tag that already names an image on the engine: the build moves the name to the
    new image. Tags that are not valid are left to problems()."""
    images = [row for row in images if not row.dangling]
    taken = {(row.repository, row.tag) for row in images}
    warnings = []
    for tag in tags:
        if reference_problem(tag) or "@" in tag:
            continue
        repository, version = _familiar(tag)
        row = next((row for row in images if (row.repository, row.tag) == (repository, version)), None)
        if row is None:
            continue
        sentence = (
            f"{tag} is taken: this build replaces the tag on image {row.short_id}, built "
            f"{relative_time(row.created, now)}. That image stays, without this name."
        )
        other = _next_version(repository, version, taken)
        if other:
            sentence += f" To keep both, tag this build {other}."
        warnings.append(sentence)
    return warnings


def _familiar(tag: str) -> tuple[str, str]:
    """(repository, tag) as the engine lists them: docker.io/library/app:1 -> (app, 1); no tag means latest."""
    ref = parse(tag)
    repository = ref.repository.removeprefix("docker.io/").removeprefix("index.docker.io/")
    return repository.removeprefix("library/"), ref.tag_or_latest


def _next_version(repository: str, version: str, taken: set[tuple[str, str]]) -> str | None:
    """repository:1.1 after 1.0 (the next free one); None for a tag that is not a version number."""
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)*", version):
        return None
    parts = version.split(".")
    if len(parts) == 1:
        parts.append("0")
    for _ in range(100):
        parts[-1] = str(int(parts[-1]) + 1)
        candidate = ".".join(parts)
        if (repository, candidate) not in taken:
            return f"{repository}:{candidate}"
    return None
