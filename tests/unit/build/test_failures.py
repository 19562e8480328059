"""The engine's words for a failed build as sentences that say what to do."""

import pytest

from gui.core.build.failures import plain_build_error


@pytest.mark.parametrize(
    "detail, instruction, sentence",
    [
        (
            "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
            "",
            "The step RUN pip install -r requirements.txt failed with exit code 1. Scroll up in the log for the "
            "command's own error.",
        ),
        (
            "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 1",
            "RUN pip install   -r requirements.txt",
            "The step RUN pip install -r requirements.txt failed with exit code 1. Scroll up in the log for the "
            "command's own error.",
        ),
        (
            "The command 'sh -c exit 2' returned a non-zero code: 2",
            "",
            "The step RUN sh -c exit 2 failed with exit code 2. Scroll up in the log for the command's own error.",
        ),
        (
            "The command '/bin/sh -c nosuchprogram --x' returned a non-zero code: 127",
            "RUN nosuchprogram --x",
            "The step RUN nosuchprogram --x failed with exit code 127 (127 means the program was not found in the "
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
            "The registry refused access to the base image nosuchimage: it may be private (sign in with docker login) "
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
            "The disk is full. Remove unused images and build cache (docker system prune), then build again.",
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
            "The option --from=nosuchstage names no stage before it, so Docker looked for an image called nosuchstage "
            "and could not get one. Check the stage name.",
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
    assert "x… failed" in sentence and len(sentence) < 250
