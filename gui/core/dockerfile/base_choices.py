"""Which base images the wizard offers, best first, and whether the build must download the chosen one. No Qt.

Python images already on the engine come first (a build on them works offline), then the slim Python
images of Docker Hub. Nothing here contacts a registry: "needs a download" means "not on this machine".
The image rows are the session's snapshot (gui.core.engine.rows.ImageRow); no I/O.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gui.core.dockerfile.recipe import DockerfileSpec, default_base_image
from gui.core.format import human_bytes
from gui.core.reference import parse, reference_problem

if TYPE_CHECKING:
    from gui.core.dockerfile.recipe import AppKind
    from gui.core.engine.rows import ImageRow

__all__ = [
    "PYTHON_VERSIONS",
    "BaseChoice",
    "base_choices",
    "best_base",
    "download_note",
    "image_here",
    "python_images_here",
    "python_version_of",
    "with_local_base",
]

PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13")
_VERSION_IN_TAG = re.compile(r"(3\.[0-9]{1,2})(?:$|[.-])")


@dataclass(frozen=True)
class BaseChoice:
    image: str
    on_this_machine: bool


def _familiar(reference: str) -> tuple[str, str] | None:
    """(repository, tag) as `docker images` shows them: docker.io/library/python:3.12 -> (python, 3.12)."""
    if reference_problem(reference):
        return None
    parsed = parse(reference)
    if parsed.digest:
        return None  # the rows do not carry digests: unknown, so treated as not here
    repository = parsed.repository.removeprefix("docker.io/").removeprefix("index.docker.io/")
    return repository.removeprefix("library/"), parsed.tag_or_latest


def image_here(reference: str, images: Iterable[ImageRow]) -> ImageRow | None:
    """The row of the image `reference` names, when it is on the engine."""
    wanted = _familiar(reference)
    if wanted is None:
        return None
    return next((row for row in images if not row.dangling and (row.repository, row.tag) == wanted), None)


def python_version_of(reference: str) -> str | None:
    """'3.11' for python:3.11-slim or portside-test/python:3.11.4-bookworm; None when the tag does not say."""
    familiar = _familiar(reference)
    match = _VERSION_IN_TAG.match(familiar[1]) if familiar else None
    return match.group(1) if match else None


def python_images_here(images: Iterable[ImageRow], python_version: str | None = None) -> list[ImageRow]:
    """The Python images on the engine (repository containing "python"), best first: the wanted version, a
    repository named python (not an app with python in its name), slim, not Alpine, the official image, the
    newest."""

    def rank(row: ImageRow):
        tag = row.tag
        return (
            python_version is not None and python_version_of(row.reference) != python_version,
            row.repository.rsplit("/", 1)[-1] != "python",
            "slim" not in tag,
            "alpine" in tag,  # musl: most AI wheels do not fit
            row.repository != "python",
            -row.created,
            row.reference,
        )

    found = [row for row in images if not row.dangling and "python" in row.repository.lower()]
    return sorted(found, key=rank)


def base_choices(kind: AppKind, python_version: str, images: Iterable[ImageRow]) -> list[BaseChoice]:
    """The base page's list: Python images on this machine first (CPU kinds), then Portside's defaults."""
    images = list(images)
    choices: list[BaseChoice] = []
    if not kind.uses_gpu:
        choices += [BaseChoice(row.reference, True) for row in python_images_here(images, python_version)]
    for version in (python_version, *PYTHON_VERSIONS):
        image = default_base_image(kind, version)
        if all(choice.image != image for choice in choices):
            choices.append(BaseChoice(image, image_here(image, images) is not None))
    return choices


def best_base(kind: AppKind, python_version: str, images: Sequence[ImageRow]) -> str:
    """For a Python version the user picked: a local Python image of that version, else Docker Hub's slim one."""
    if not kind.uses_gpu:
        for row in python_images_here(images, python_version):
            if python_version_of(row.reference) == python_version:
                return row.reference
    return default_base_image(kind, python_version)


def with_local_base(spec: DockerfileSpec, images: Iterable[ImageRow]) -> DockerfileSpec:
    """`spec` on the best Python image already on the engine, with that image's Python version, when there is
    one and the kind runs on plain Python (not the GPU framework images, not a conda environment)."""
    if spec.kind.uses_gpu or spec.base_image != default_base_image(spec.kind, spec.python_version):
        return spec
    local = python_images_here(images, spec.python_version)
    if not local:
        return spec
    chosen = local[0].reference
    return dataclasses.replace(spec, base_image=chosen, python_version=python_version_of(chosen) or spec.python_version)


def download_note(reference: str, images: Iterable[ImageRow]) -> tuple[bool, str] | None:
    """(on this machine, a sentence) for the base page; None for a reference that is not valid."""
    if reference_problem(reference):
        return None
    row = image_here(reference, images)
    if row is not None:
        return True, (
            f"On this machine ({human_bytes(row.size)}): the build starts from it without downloading anything."
        )
    return False, (
        f"Needs a download: {reference} is not on this machine, so the build downloads it from its registry "
        'first, and fails without an internet connection. Images marked "on this machine" build offline.'
    )
