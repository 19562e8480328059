"""gui.core.dockerfile.base_choices: Python images already on the engine are offered first and become the
default base, and a base that is not on this machine is flagged as needing a download (no registry asked)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gui.core.dockerfile.base_choices import (
    BaseChoice,
    base_choices,
    best_base,
    download_note,
    image_here,
    python_images_here,
    python_version_of,
    with_local_base,
)
from gui.core.dockerfile.project_scan import ProjectScan
from gui.core.dockerfile.recipe import CONDA_IMAGE, PYTORCH_IMAGE, AppKind, default_spec
from gui.core.engine.rows import NONE_TAG, ImageRow

NOW = time.time()


def row(repository: str, tag: str, age_s: float = 3600, size: int = 150 * 1024**2) -> ImageRow:
    return ImageRow(f"sha256:{repository}-{tag}".ljust(71, "0"), repository, tag, NOW - age_s, size)


ENGINE_IMAGES = [
    row("busybox", "latest"),
    row("python", "3.12-alpine"),
    row("my-python-app", "1.0", age_s=10),  # "python" in its name: listed, after the real bases
    row("portside-test/python", "3.11-slim"),
    row("python", "3.11", age_s=60),
    row("python", "3.11-slim", age_s=7200),
    row(NONE_TAG, NONE_TAG),
]


def test_python_images_are_ranked_version_slim_official_newest():
    assert [image.reference for image in python_images_here(ENGINE_IMAGES, "3.11")] == [
        "python:3.11-slim",
        "portside-test/python:3.11-slim",
        "python:3.11",
        "python:3.12-alpine",
        "my-python-app:1.0",
    ]
    # A wanted version that is not here: slim ones still come first.
    assert python_images_here(ENGINE_IMAGES, "3.13")[0].reference == "python:3.11-slim"


def test_the_list_has_local_python_images_first_marked_then_docker_hub():
    choices = base_choices(
        AppKind.HTTP_API, "3.12", [row("portside-test/python", "3.11-slim"), row("python", "3.12-slim")]
    )
    assert choices == [
        BaseChoice("python:3.12-slim", True),
        BaseChoice("portside-test/python:3.11-slim", True),
        BaseChoice("python:3.10-slim", False),
        BaseChoice("python:3.11-slim", False),
        BaseChoice("python:3.13-slim", False),
    ]
    assert base_choices(AppKind.SCRIPT, "3.12", [])[0] == BaseChoice("python:3.12-slim", False)


def test_gpu_kinds_keep_their_framework_image():
    choices = base_choices(AppKind.PYTORCH_CUDA, "3.11", ENGINE_IMAGES)
    assert [choice.image for choice in choices] == [PYTORCH_IMAGE]
    spec = default_spec(AppKind.PYTORCH_CUDA)
    assert with_local_base(spec, ENGINE_IMAGES) == spec


def test_the_default_becomes_a_local_python_image_with_its_version():
    spec = with_local_base(default_spec(AppKind.SCRIPT), [row("portside-test/python", "3.11-slim")])
    assert (spec.base_image, spec.python_version) == ("portside-test/python:3.11-slim", "3.11")
    assert spec.problems() == {}
    assert with_local_base(default_spec(AppKind.SCRIPT), [row("busybox", "latest")]) == default_spec(AppKind.SCRIPT)


def test_a_conda_project_keeps_its_conda_base():
    scan = ProjectScan(
        folder=Path("/p"),
        dependency_file="environment.yml",
        entry_script="app.py",
        notebooks=(),
        model_files=(),
        model_bytes=0,
        existing_dockerfile=None,
        has_dockerignore=False,
        frameworks=frozenset(),
        requirements=(),
        unpinned=(),
        suggested_kind=AppKind.SCRIPT,
    )
    assert with_local_base(default_spec(AppKind.SCRIPT, scan), ENGINE_IMAGES).base_image == CONDA_IMAGE


def test_a_chosen_python_version_gets_a_local_image_of_that_version_or_docker_hubs():
    assert best_base(AppKind.SCRIPT, "3.11", ENGINE_IMAGES) == "python:3.11-slim"
    assert best_base(AppKind.SCRIPT, "3.13", ENGINE_IMAGES) == "python:3.13-slim"


@pytest.mark.parametrize(
    ("reference", "version"),
    [("python:3.11-slim", "3.11"), ("x/python:3.12.4-bookworm", "3.12"), ("python:3.10", "3.10"), ("python", None)],
)
def test_python_version_from_the_tag(reference, version):
    assert python_version_of(reference) == version


def test_references_match_rows_as_docker_images_shows_them():
    local = [row("python", "3.12-slim"), row("busybox", "latest")]
    assert image_here("docker.io/library/python:3.12-slim", local) is local[0]
    assert image_here("busybox", local) is local[1]  # no tag: latest
    assert image_here("python:3.13-slim", local) is None
    assert image_here("python@sha256:" + "a" * 64, local) is None  # digests are not in the rows


def test_a_base_not_here_needs_a_download_and_says_it_fails_offline():
    local = [row("python", "3.12-slim", size=130 * 1024**2)]
    on_machine, sentence = download_note("python:3.12-slim", local)
    assert on_machine and sentence.startswith("On this machine (130.0 MiB)") and "without downloading" in sentence
    on_machine, sentence = download_note("python:3.13-slim", local)
    assert not on_machine
    assert sentence.startswith("Needs a download: python:3.13-slim is not on this machine")
    assert "fails without an internet connection" in sentence
    assert download_note("Not A Reference", local) is None


def test_an_image_on_this_machine_gets_no_download_size_warning():
    spec = default_spec(AppKind.SCRIPT)
    assert any("to download" in warning for warning in spec.base_image_warnings())
    assert not any("to download" in warning for warning in spec.base_image_warnings(on_this_machine=True))
