"""Command lines said for the engine they act on: `docker --context NAME …`, for pasting into a terminal."""

from __future__ import annotations

import pytest

from gui.core.engine.cli_context import with_context


def test_a_docker_line_names_the_context_after_docker():
    assert with_context("docker run --rm -it --gpus all trainer:2.1", "gpu-box") == (
        "docker --context gpu-box run --rm -it --gpus all trainer:2.1"
    )


def test_docker_compose_names_it_too():
    assert with_context("docker compose -f compose.yaml up -d", "gpu-box") == (
        "docker --context gpu-box compose -f compose.yaml up -d"
    )


@pytest.mark.parametrize("context", ["", "default"])
def test_the_cli_s_own_context_leaves_the_line_as_it_is(context):
    assert with_context("docker run busybox", context) == "docker run busybox"


@pytest.mark.parametrize(
    "command",
    [
        "kubectl apply -f app.yaml",
        "dockerd --debug",
        "docker-compose up",
        "docker --context other ps",
        "docker -H ssh://me@box ps",
        "docker --host=tcp://h:2376 ps",
        "docker",
    ],
)
def test_other_programs_and_lines_that_already_name_an_engine_are_left_alone(command):
    assert with_context(command, "gpu-box") == command


def test_each_line_of_a_several_line_command_gets_it_and_continuations_are_kept():
    command = "docker build -t app . \\\n  --no-cache\ndocker run app\necho done"
    assert with_context(command, "gpu-box") == (
        "docker --context gpu-box build -t app . \\\n  --no-cache\ndocker --context gpu-box run app\necho done"
    )


def test_a_name_the_shell_would_read_otherwise_is_quoted():
    assert with_context("docker ps", "box;rm") == "docker --context 'box;rm' ps"
