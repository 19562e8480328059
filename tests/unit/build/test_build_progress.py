"""BuildProgress against recorded legacy-builder streams (dockerd 20.10), the error sentences, and the step to
Dockerfile line mapping."""

import json
from pathlib import Path

import docker.errors
import pytest
import requests

from gui.core.build.build import (
    BuildError,
    BuildProgress,
    BuildSpec,
    failing_line,
    open_build,
    plain_build_error,
)
from gui.core.errors import EngineGone, StreamError

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
        "The step `RUN echo oops >&2 && exit 3` failed with exit code 3. "
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
            "it may be private (sign in with `docker login`) or not exist. Check the name in the "
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


def test_an_unparsable_dockerfile_is_refused_before_the_stream(monkeypatch):
    data = recording("unknown_instruction")

    class Engine:
        def build(self, spec):
            response = requests.Response()
            response.status_code = data["http_error"]["status"]
            raise docker.errors.APIError("400 Client Error", response, data["http_error"]["explanation"])

    with pytest.raises(BuildError) as caught:
        open_build(Engine(), BuildSpec(Path("/x"), tags=("a:1",)))
    assert caught.value.message == (
        "Line 3 of the Dockerfile starts with RUNN, which is not a Dockerfile instruction. Did you mean RUN?"
    )
    assert caught.value.line == 3 and caught.value.step is None
    assert data["dockerfile"].splitlines()[2].startswith("RUNN")


def test_open_build_words_other_failures():
    class Unreadable:
        def build(self, spec):
            raise PermissionError(13, "Permission denied", "/x/secret.key")

    class Gone:
        def build(self, spec):
            raise requests.exceptions.ConnectionError("connection refused")

    with pytest.raises(BuildError, match=r"^Could not read /x/secret.key in the build folder: Permission denied"):
        open_build(Unreadable(), BuildSpec(Path("/x")))
    with pytest.raises(EngineGone):
        open_build(Gone(), BuildSpec(Path("/x")))


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
    from gui.core.build.build import MAX_PENDING_CHARS

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


# Sentences -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "detail, instruction, sentence",
    [
        (
            "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
            "",
            "The step `RUN pip install -r requirements.txt` failed with exit code 1. Scroll up in the log for the "
            "command's own error.",
        ),
        (
            "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
            "RUN pip install   -r requirements.txt",
            "The step `RUN pip install -r requirements.txt` failed with exit code 1. Scroll up in the log for the "
            "command's own error.",
        ),
        (
            "The command 'sh -c exit 2' returned a non-zero code: 2",
            "",
            "The step `RUN sh -c exit 2` failed with exit code 2. Scroll up in the log for the command's own error.",
        ),
        (
            "The command '/bin/sh -c nosuchprogram --x' returned a non-zero code: 127",
            "RUN nosuchprogram --x",
            "The step `RUN nosuchprogram --x` failed with exit code 127 (127 means the program was not found in the "
            "image: is it installed by an earlier step?). Scroll up in the log for the command's own error.",
        ),
        (
            "COPY failed: file not found in build context or excluded by .dockerignore: stat requirements.txt: file does "
            "not exist",
            "COPY requirements.txt .",
            "COPY could not find requirements.txt in the build context: check the file exists next to the Dockerfile and "
            "is not excluded by .dockerignore.",
        ),
        (
            "COPY failed: stat /var/lib/docker/tmp/docker-builder123/models/m.pt: no such file or directory",
            "",
            "COPY could not find models/m.pt in the build context: check the file exists next to the Dockerfile and is "
            "not excluded by .dockerignore.",
        ),
        (
            "ADD failed: no source files were specified",
            "",
            "ADD found nothing to copy: the pattern matches no file in the build context.",
        ),
        (
            "COPY failed: forbidden path outside the build context: ../secrets.env ()",
            "",
            "COPY can only use files inside the build folder, and ../secrets.env is outside it. Move the file into the "
            "folder, or build from a folder higher up.",
        ),
        (
            "dockerfile parse error line 7: unknown instruction: EXPOSED",
            "",
            "Line 7 of the Dockerfile starts with EXPOSED, which is not a Dockerfile instruction. Did you mean EXPOSE?",
        ),
        (
            "dockerfile parse error line 2: unknown instruction: PRINT",
            "",
            "Line 2 of the Dockerfile starts with PRINT, which is not a Dockerfile instruction. Instructions are words "
            "like FROM, RUN and COPY.",
        ),
        (
            "pull access denied for nosuchimage, repository does not exist or may require 'docker login': denied: "
            "requested access to the resource is denied",
            "FROM nosuchimage",
            "The registry refused access to the base image nosuchimage: it may be private (sign in with `docker login`) "
            "or not exist. Check the name in the FROM line.",
        ),
        (
            "manifest for python:3.99-slim not found: manifest unknown: manifest unknown",
            "FROM python:3.99-slim AS base",
            "The base image python:3.99-slim does not exist on the registry. Check its name and tag in the FROM line.",
        ),
        (
            "write /var/lib/docker/overlay2/x/diff/big.bin: no space left on device",
            "RUN make",
            "The disk is full. Remove unused images and build cache (`docker system prune`), then build again.",
        ),
        (
            "failed to reach build target tests in Dockerfile",
            "",
            "The Dockerfile has no stage named tests (the build target). Check the name after AS in the FROM lines, or "
            "leave the target empty.",
        ),
        (
            'invalid from flag value nosuchstage: Get "https://registry-1.docker.io/v2/": dial tcp: lookup '
            "registry-1.docker.io: no such host",
            "COPY --from=nosuchstage /x /y",
            "`--from=nosuchstage` names no stage before it, so Docker looked for an image called nosuchstage and could "
            "not get one. Check the stage name.",
        ),
        (
            "Cannot locate specified Dockerfile: Dockerfile.dev",
            "",
            "Docker could not find the Dockerfile in the build folder. Check its name and that .dockerignore does not "
            "exclude it.",
        ),
        (
            "Dockerfile parse error line 4: FROM requires either one or three arguments",
            "",
            "The Dockerfile has a mistake on line 4: Dockerfile parse error line 4: FROM requires either one or three "
            "arguments",
        ),
        ("something nobody expected", "", "something nobody expected"),
    ],
)
def test_plain_build_error(detail, instruction, sentence):
    assert plain_build_error(detail, instruction) == sentence


def test_a_long_command_is_shortened_in_the_sentence():
    sentence = plain_build_error(f"The command '/bin/sh -c {'x' * 500}' returned a non-zero code: 1")
    assert "…`" in sentence and len(sentence) < 250


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
