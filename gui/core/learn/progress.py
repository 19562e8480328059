"""Which Learn steps are done, from real state only: the engine's diagnosis, the lists of containers and images,
the user's project (from the build history or the wizard) and facts a worker gathered. Pure functions, no I/O,
no Qt.

A check mark never comes from a click. The two steps with nothing to check ("What Docker is", "Where next") are
done once read; every other step looks at the engine and the user's files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gui.core.build.history import BuildRecord
from gui.core.engine.rows import ContainerRow, ImageRow
from gui.core.learn.steps import PRACTICE_RULES, STEPS
from gui.core.reference import split_reference

__all__ = [
    "Facts",
    "LearnState",
    "Project",
    "done_steps",
    "first_not_done",
    "is_done",
    "named_references",
    "next_not_done",
    "probe_urls",
    "project_containers",
    "project_from",
    "project_images",
    "same_image",
]

_MIN_ID_LENGTH = 12  # the short id `docker images` shows: shorter prefixes could match another image


@dataclass(frozen=True)
class Project:
    """The user's project: the newest build's folder and image, or the folder the wizard last wrote in."""

    folder: str | None = None
    dockerfile: str = "Dockerfile"  # relative to folder
    image_id: str | None = None  # of the newest successful build of this folder
    tags: tuple[str, ...] = ()  # the names that build gave the image

    @property
    def dockerfile_path(self) -> Path | None:
        return Path(self.folder) / self.dockerfile if self.folder else None

    @property
    def image(self) -> str | None:
        """What to type to name the image: its first tag, else its short id."""
        if self.tags:
            return self.tags[0]
        return self.image_id.removeprefix("sha256:")[:_MIN_ID_LENGTH] if self.image_id else None


@dataclass(frozen=True)
class Facts:
    """What a worker found out (it takes a disk read, a lint or an HTTP request)."""

    dockerfile_found: bool = False
    answering: frozenset[str] = frozenset()  # published URLs (http://127.0.0.1:PORT) that answered HTTP
    lint_rules: frozenset[str] | None = None  # the rules the Dockerfile's findings name; None: not checked
    repo_digests: tuple[str, ...] = ()  # the project image's RepoDigests: a registry has it


@dataclass(frozen=True)
class LearnState:
    engine_usable: bool = False
    containers: Sequence[ContainerRow] = ()
    images: Sequence[ImageRow] = ()
    project: Project = field(default_factory=Project)
    facts: Facts = field(default_factory=Facts)
    sampled: frozenset[str] = frozenset()  # container ids the Monitor has measured
    read: frozenset[str] = frozenset()  # steps the user has read
    seen_running: frozenset[str] = frozenset()  # ids of the project's containers seen running
    pushed: frozenset[str] = frozenset()  # references pushed from Portside


# The project -------------------------------------------------------------------------------------------------


def project_from(records: Iterable[BuildRecord], wizard_folder: str | None = None, wizard_at: float = 0) -> Project:
    """The newest of: the newest build (with the newest successful build of the same folder as its image), and
    the folder the wizard last wrote a Dockerfile in (at `wizard_at`, seconds since the epoch)."""
    records = sorted(records, key=lambda record: record.started, reverse=True)
    newest = records[0] if records else None
    if wizard_folder and (newest is None or wizard_at > newest.started):
        folder, dockerfile = wizard_folder, "Dockerfile"
    elif newest is not None:
        folder, dockerfile = newest.context, newest.dockerfile
    else:
        return Project()
    built = next(
        (
            record
            for record in records
            if record.result == "succeeded" and record.image_id and _same_folder(record.context, folder)
        ),
        None,
    )
    if built is None:
        return Project(folder=folder, dockerfile=dockerfile)
    return Project(folder=folder, dockerfile=built.dockerfile, image_id=built.image_id, tags=built.tags)


def _same_folder(a: str, b: str) -> bool:
    return Path(a).expanduser() == Path(b).expanduser()


def same_image(a: str | None, b: str | None) -> bool:
    """Two image ids name the same image: full or short, with or without "sha256:"."""
    if not a or not b:
        return False
    a, b = a.removeprefix("sha256:"), b.removeprefix("sha256:")
    if min(len(a), len(b)) < _MIN_ID_LENGTH:
        return a == b
    return a.startswith(b) or b.startswith(a)


def _normal(reference: str) -> str:
    """repository:tag, with the implicit :latest and Docker Hub's prefixes written out the same way."""
    repository, tag, _digest = split_reference(reference.strip())
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"):
        if repository.startswith(prefix):
            repository = repository[len(prefix) :]
            break
    return f"{repository}:{tag or 'latest'}"


def project_images(state: LearnState) -> list[ImageRow]:
    """The rows of the image the project's newest successful build made (one per name it carries)."""
    image_id = state.project.image_id
    return [row for row in state.images if same_image(row.id, image_id)] if image_id else []


def project_containers(state: LearnState) -> list[ContainerRow]:
    """Containers of the project's image: by id, or by one of the build's names (an older build's containers
    name the image they started from)."""
    project = state.project
    if not project.image_id:
        return []
    names = {_normal(tag) for tag in project.tags}
    return [
        row
        for row in state.containers
        if same_image(row.image_id, project.image_id) or (row.image and _normal(row.image) in names)
    ]


def probe_urls(state: LearnState) -> list[str]:
    """The published TCP addresses of the project's running containers: the worker asks each for HTTP."""
    urls = []
    for row in project_containers(state):
        if row.running:
            urls += [port.url for port in row.ports if port.url and port.url not in urls]
    return urls


def named_references(state: LearnState) -> list[str]:
    """The project image's names that carry a registry or user name (yourname/my-ai-app:1.0)."""
    return [row.reference for row in project_images(state) if not row.dangling and "/" in row.repository]


# The checks --------------------------------------------------------------------------------------------------


def _pushed(state: LearnState) -> bool:
    named = {_normal(reference) for reference in named_references(state)}
    if not named:
        return False
    if named & {_normal(reference) for reference in state.pushed}:
        return True
    # A registry that has the image gave it a digest under that repository (a push from the terminal counts).
    repositories = {name.rsplit(":", 1)[0] for name in named}
    digests = {_normal(digest.split("@", 1)[0]).rsplit(":", 1)[0] for digest in state.facts.repo_digests}
    return bool(repositories & digests)


def _stopped_after_running(state: LearnState) -> bool:
    if not state.seen_running:
        return False
    return not any(row.running for row in state.containers if row.id in state.seen_running)


def _answering(state: LearnState) -> bool:
    return any(
        row.running and any(port.url in state.facts.answering for port in row.ports)
        for row in project_containers(state)
    )


def _follows_practices(state: LearnState) -> bool:
    rules = state.facts.lint_rules
    return state.facts.dockerfile_found and rules is not None and not (rules & PRACTICE_RULES)


_CHECKS = {
    "what-is-docker": lambda state: "what-is-docker" in state.read,
    "check-install": lambda state: state.engine_usable,
    "get-image": lambda state: any(not row.dangling for row in state.images),
    "write-dockerfile": lambda state: bool(state.project.folder) and state.facts.dockerfile_found,
    "build": lambda state: bool(project_images(state)),
    "run": _answering,
    "watch": lambda state: any(row.id in state.sampled for row in project_containers(state)),
    "stop-remove": _stopped_after_running,
    "tag-push": _pushed,
    "best-practices": _follows_practices,
    "where-next": lambda state: "where-next" in state.read,
}
assert set(_CHECKS) == {each.id for each in STEPS}, "every step has a check"


def is_done(step_id: str, state: LearnState) -> bool:
    return bool(_CHECKS[step_id](state))


def done_steps(state: LearnState) -> frozenset[str]:
    return frozenset(step_id for step_id, check in _CHECKS.items() if check(state))


def first_not_done(done: Iterable[str]) -> str | None:
    """The step to show: the first one not done, None when all are."""
    done = set(done)
    return next((each.id for each in STEPS if each.id not in done), None)


def next_not_done(step_id: str, done: Iterable[str]) -> str | None:
    """The first step after `step_id` that is not done; None when all after it are."""
    done = set(done)
    index = next(index for index, each in enumerate(STEPS) if each.id == step_id)
    return next((each.id for each in STEPS[index + 1 :] if each.id not in done), None)
