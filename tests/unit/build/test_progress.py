"""BuildProgress against recorded legacy-builder streams (dockerd 20.10), and the step to Dockerfile line
mapping."""

import json
from pathlib import Path

import pytest

from gui.core.build.failures import BuildError
from gui.core.build.progress import MAX_PENDING_CHARS, BuildProgress, failing_line
from gui.core.errors import StreamError

FAKES = Path(__file__).parents[2] / "fakes"


def recording(name: str) -> dict:
    return json.loads((FAKES / f"build_{name}.json").read_text())


def replay(name: str) -> tuple[BuildProgress, list[str], dict]:
    data = recording(name)
    progress = BuildProgress(data["dockerfile"])
    lines = []
    for message in data["messages"]:
        lines += progress.feed(message)
    return progress, lines + progress.flush(), data


# Recorded streams ----------------------------------------------------------------------------------------


def test_a_successful_multi_stage_build():
    progress, lines, _ = replay("success")
    assert progress.finished and not progress.failed and progress.error is None
    assert progress.image_id == "sha256:dc3b1ca8ac9ced843715f41d5d865712b9b7c6bbe63262d073a8bb5af7f92e8e"
    assert progress.tagged == ["portside-fixture/ok:1"]
    # 7 instructions in the file, then one LABEL step per build label.
    assert (progress.step, progress.total_steps) == (10, 10)
    assert progress.current_instruction == "LABEL io.portside.test.shared=0"
    assert lines[:3] == [
        "Step 1/10 : FROM portside-test/busybox:1 AS base",
        " ---> 1d47e15529e1",
        "Step 2/10 : RUN echo hello > /hello",
    ]
    assert "one" in lines and "app" in lines  # a RUN's output, two lines in one message
    assert lines[-2:] == ["Successfully built dc3b1ca8ac9c", "Successfully tagged portside-fixture/ok:1"]
    assert "" not in lines  # the step headers' newlines come as messages of their own
    assert progress.fraction == 1.0
    assert progress.summary() == "Built dc3b1ca8ac9c and tagged portside-fixture/ok:1"


def test_the_image_id_of_a_finished_stage_is_not_the_image():
    """Each stage ends with an aux ID; only the last, confirmed by "Successfully built", is the image."""
    data = recording("success")
    progress = BuildProgress()
    for message in data["messages"]:
        progress.feed(message)
        if "aux" in message:
            break
    assert progress.image_id is None and not progress.finished


def test_progress_while_building():
    data = recording("success")
    progress = BuildProgress()
    assert progress.fraction is None and progress.summary() == "Sending the build folder to the engine…"
    for message in data["messages"][:5]:
        progress.feed(message)
    assert (progress.step, progress.total_steps) == (2, 10)
    assert progress.fraction == pytest.approx(0.1)
    assert progress.summary() == "Step 2 of 10: RUN echo hello > /hello"


def test_a_failing_run_step():
    progress, lines, data = replay("run_fails")
    assert not progress.finished and progress.failed and progress.image_id is None
    assert isinstance(progress.error, StreamError) and isinstance(progress.error, BuildError)
    assert progress.error.message == (
        "The step RUN echo oops >&2 && exit 3 failed with exit code 3. "
        "Scroll up in the log for the command's own error."
    )
    assert progress.error.detail == "The command '/bin/sh -c echo oops >&2 && exit 3' returned a non-zero code: 3"
    assert progress.failed_step == progress.error.step == 4
    assert progress.failed_line == progress.error.line == 4
    assert failing_line(data["dockerfile"], progress.failed_step) == 4
    # The command's stderr, in the engine's red, then the engine's own words as the last line.
    assert "\x1b[91moops" in lines
    assert lines[-1] == progress.error.detail
    assert progress.summary() == "Failed at step 4 of 8"


def test_a_missing_copy_source():
    progress, _lines, _ = replay("missing_copy")
    assert progress.error.message == (
        "COPY could not find requirements.txt in the build context: check the file exists next to the "
        "Dockerfile and is not excluded by .dockerignore."
    )
    assert (progress.failed_step, progress.failed_line) == (3, 3)
    assert progress.layer_ids == ["1d47e15529e1", "4471f5e0bef1"]


@pytest.mark.parametrize(
    "name, sentence",
    [
        (
            "base_unreachable",
            "Could not reach the registry to download the base image "
            "portside-nonexistent-base-image-xyz:1.0. Check your network connection, or build from "
            "an image that is already on this machine.",
        ),
        (
            "base_unauthorized",
            "The registry refused access to the base image 127.0.0.1:5000/portside/missing-base:1.0: "
            "it may be private (sign in with docker login) or not exist. Check the name in the "
            "FROM line.",
        ),
        (
            "base_manifest_unknown",
            "The base image 127.0.0.1:5000/portside/missing-base:1.0 does not exist on the "
            "registry. Check its name and tag in the FROM line.",
        ),
    ],
)
def test_a_base_image_that_cannot_be_pulled(name, sentence):
    progress, _, _ = replay(name)
    assert progress.error.message == sentence
    assert (progress.failed_step, progress.failed_line) == (1, 1)


# Lines ---------------------------------------------------------------------------------------------------


def test_a_line_sent_in_pieces_is_shown_whole():
    progress = BuildProgress()
    # As recorded for `RUN nosuchprogram`: the shell's message comes in two chunks, each coloured.
    assert progress.feed({"stream": "\x1b[91m/bin/sh: \x1b[0m"}) == []
    assert progress.feed({"stream": "\x1b[91mnosuchprogram: not found\n\x1b[0m"}) == [
        "\x1b[91m/bin/sh: \x1b[0m\x1b[91mnosuchprogram: not found"
    ]
    assert progress.feed({"stream": "Removing intermediate container 2d013cb82399\n"}) == [
        "\x1b[0mRemoving intermediate container 2d013cb82399"
    ]


def test_blank_lines_inside_output_are_kept_and_crlf_is_a_newline():
    progress = BuildProgress()
    assert progress.feed({"stream": "a\n\nb\r\nc"}) == ["a", "", "b"]
    assert progress.flush() == ["c"]
    assert progress.flush() == []


def test_output_without_newlines_is_not_held_back_forever():

    progress = BuildProgress()
    chunk = "\r42%" * 1000
    shown = []
    for _ in range(MAX_PENDING_CHARS // len(chunk) + 2):
        shown += progress.feed({"stream": chunk})
    assert len(shown) == 1 and len(shown[0]) > MAX_PENDING_CHARS


def test_a_step_header_is_read_even_when_the_stream_ends_on_it():
    progress = BuildProgress("FROM scratch\nRUN sleep 60\n")
    progress.feed({"stream": "Step 2/2 : RUN sleep 60"})
    assert progress.step == 0  # its newline has not come yet
    assert progress.flush() == ["Step 2/2 : RUN sleep 60"]
    assert (progress.step, progress.current_instruction) == (2, "RUN sleep 60")


def test_an_error_ends_a_pending_line_first():
    progress = BuildProgress()
    progress.feed({"stream": "partial"})
    lines = progress.feed({"error": "boom", "errorDetail": {"message": "boom"}})
    assert lines == ["partial", "boom"]
    assert progress.error.message == "boom" and progress.failed_step is None and progress.error.line is None


def test_pulling_the_base_image_shows_milestones_not_byte_counts():
    progress = BuildProgress()
    assert progress.feed({"status": "Pulling from library/python", "id": "3.12-slim"}) == [
        "3.12-slim: Pulling from library/python"
    ]
    assert (
        progress.feed(
            {"status": "Downloading", "id": "a5d4e2c6e0b1", "progressDetail": {"current": 32768, "total": 2152262}}
        )
        == []
    )
    assert progress.feed({"status": "Pull complete", "id": "a5d4e2c6e0b1", "progressDetail": {}}) == [
        "a5d4e2c6e0b1: Pull complete"
    ]
    assert progress.feed({"status": "Digest: sha256:abc"}) == ["Digest: sha256:abc"]


@pytest.mark.parametrize(
    "message",
    [
        None,
        "text",
        3,
        [],
        {},
        {"stream": 5},
        {"aux": "x"},
        {"aux": {"ID": 3}},
        {"status": None},
        {"progressDetail": {}},
    ],
)
def test_odd_messages_are_ignored(message):
    progress = BuildProgress()
    assert progress.feed(message) == []
    assert not progress.failed and not progress.finished


def test_an_error_without_errordetail_and_one_with_only_errordetail():
    progress = BuildProgress()
    progress.feed({"error": "plain"})
    assert progress.error.detail == "plain"
    other = BuildProgress()
    other.feed({"errorDetail": {"message": "detailed"}})
    assert other.error.detail == "detailed"


# Steps to lines ------------------------------------------------------------------------------------------

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG PYTHON=3.12

# The builder stage
FROM python:${PYTHON}-slim AS builder
RUN apt-get update && \\
    # a comment inside the continuation
    apt-get install -y gcc \\

    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .

FROM python:${PYTHON}-slim
  COPY --from=builder /wheels /wheels
CMD ["python", "app.py"]
"""


@pytest.mark.parametrize(
    "step, line", [(1, 2), (2, 5), (3, 6), (4, 11), (5, 13), (6, 14), (7, 15), (8, None), (0, None), (-1, None)]
)
def test_failing_line_counts_every_instruction(step, line):
    assert failing_line(DOCKERFILE, step) == line


def test_failing_line_with_another_escape_character():
    text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n    c:\\\nCOPY a b\n"
    assert [failing_line(text, step) for step in (1, 2, 3)] == [2, 3, 5]


def test_failing_line_of_an_empty_file():
    assert failing_line("", 1) is None
    assert failing_line("# only a comment\n", 1) is None


def test_step_containers_are_known_until_the_engine_removes_them():
    """A build the engine never finished leaves its running step's container: the one not yet removed."""
    progress = BuildProgress()
    for text in (
        "Step 1/3 : RUN true\n",
        " ---> Running in 2d013cb82399\n",
        "Removing intermediate container 2d013cb82399\n",
        " ---> 4a5b6c7d8e9f\n",
        "Step 2/3 : RUN sleep 30\n",
        " ---> Running in 651b39265021\n",
    ):
        progress.feed({"stream": text})
    assert progress.step_containers == ["651b39265021"]
