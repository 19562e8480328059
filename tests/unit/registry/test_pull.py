"""PullProgress against a recorded `docker pull` stream, the error sentences, and odd messages."""

import json
from pathlib import Path

import docker.errors
import pytest

from gui.core.errors import StreamError
from gui.core.registry.pull import Phase, PullProgress, open_pull, pull_error

MESSAGES = json.loads((Path(__file__).parents[2] / "fakes" / "pull_busybox_messages.json").read_text())
CACHED, SMALL, BIG = "9ad63333ebc9", "a5d4e2c6e0b1", "3f4d90098f5b"
SMALL_SIZE, BIG_SIZE = 2_152_262, 5_242_880


def fed_through(status: str, layer_id: str, current: int | None = None) -> PullProgress:
    """A PullProgress fed the recording up to and including the first message that matches."""
    progress = PullProgress("busybox", "1.36")
    for message in MESSAGES:
        progress.feed(message)
        if (
            message["status"] == status
            and message.get("id") == layer_id
            and current in (None, message["progressDetail"].get("current"))
        ):
            return progress
    raise AssertionError(f"no {status} {layer_id} {current} in the recording")


def layer(progress: PullProgress, layer_id: str):
    return next(item for item in progress.layers if item.id == layer_id)


# The recorded pull --------------------------------------------------------------------------------


def test_the_whole_pull_ends_complete():
    progress = PullProgress("busybox", "1.36")
    for message in MESSAGES:
        progress.feed(message)

    assert [item.id for item in progress.layers] == [CACHED, SMALL, BIG]
    assert all(item.done for item in progress.layers)
    assert layer(progress, CACHED).cached and layer(progress, CACHED).status == "Already exists"
    assert progress.downloaded_bytes == progress.total_bytes == SMALL_SIZE + BIG_SIZE
    assert progress.finished and progress.determinate and progress.fraction == 1.0
    assert progress.status_lines == [
        "Pulling from library/busybox",
        "Digest: sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c",
        "Status: Downloaded newer image for busybox:1.36",
    ]
    assert progress.summary() == "3 of 3 layers, 7.1 MiB of 7.1 MiB"


def test_the_image_line_is_not_a_layer_even_though_its_id_is_the_tag():
    progress = PullProgress("busybox", "1.36")
    progress.feed(MESSAGES[0])
    assert progress.layers == []
    assert progress.status_lines == ["Pulling from library/busybox"]
    assert not progress.finished
    assert progress.summary() == "Waiting for the registry…"


def test_a_waiting_layer_of_unknown_size_makes_progress_indeterminate():
    progress = fed_through("Downloading", SMALL, current=1_081_344)

    assert layer(progress, BIG).phase is Phase.WAITING and layer(progress, BIG).total is None
    assert progress.downloaded_bytes == 1_081_344
    assert progress.total_bytes == SMALL_SIZE
    assert not progress.determinate and progress.fraction is None
    assert progress.summary() == "1 of 3 layers, 1.0 MiB so far"
    assert layer(progress, SMALL).progress_text() == "1.0 MiB / 2.1 MiB"


def test_once_every_size_is_known_the_fraction_counts_download_and_extraction():
    progress = fed_through("Downloading", BIG, current=524_288)

    assert progress.determinate
    assert progress.downloaded_bytes == 1_081_344 + 524_288
    assert progress.total_bytes == SMALL_SIZE + BIG_SIZE
    assert progress.fraction == pytest.approx((1_081_344 + 524_288) / (2 * (SMALL_SIZE + BIG_SIZE)))


def test_extracting_counts_the_download_as_complete():
    progress = fed_through("Downloading", BIG, current=3_145_728)
    small = layer(progress, SMALL)

    assert small.phase is Phase.EXTRACTING and small.status == "Extracting"
    assert small.downloaded == SMALL_SIZE and small.current == small.extracted == 65_536
    assert small.progress_text() == "64.0 KiB / 2.1 MiB"
    assert progress.downloaded_bytes == SMALL_SIZE + 3_145_728
    assert progress.fraction == pytest.approx((SMALL_SIZE + 65_536 + 3_145_728) / (2 * (SMALL_SIZE + BIG_SIZE)))
    assert progress.summary() == "1 of 3 layers, 5.1 MiB of 7.1 MiB"


def test_verifying_the_checksum_means_the_download_is_done():
    progress = fed_through("Verifying Checksum", SMALL)
    small = layer(progress, SMALL)
    assert small.phase is Phase.DOWNLOADED and small.downloaded == SMALL_SIZE and not small.done
    assert small.progress_text() == "2.1 MiB"


def test_an_up_to_date_image_has_nothing_to_download():
    progress = PullProgress("busybox", "1.36")
    for message in (
        {"status": "Pulling from library/busybox", "id": "1.36"},
        {"status": "Digest: sha256:" + "ab" * 32},
        {"status": "Status: Image is up to date for busybox:1.36"},
    ):
        progress.feed(message)
    assert progress.finished and progress.fraction == 1.0 and progress.layers == []
    assert progress.summary() == "Nothing to download."


def test_extraction_counted_in_seconds_is_not_taken_for_bytes():
    progress = PullProgress("busybox", "1.36")
    progress.feed({"status": "Download complete", "progressDetail": {}, "id": "abc"})
    progress.feed(
        {"status": "Extracting", "progressDetail": {"current": 3, "units": "s"}, "progress": "3 s", "id": "abc"}
    )
    assert layer(progress, "abc").phase is Phase.EXTRACTING
    assert layer(progress, "abc").extracted == 0


def test_unfamiliar_layer_statuses_are_shown_and_keep_the_numbers():
    progress = fed_through("Downloading", BIG, current=524_288)
    progress.feed({"status": "Retrying in 5 seconds", "progressDetail": {}, "id": BIG})
    assert layer(progress, BIG).status == "Retrying in 5 seconds"
    assert layer(progress, BIG).downloaded == 524_288 and layer(progress, BIG).total == BIG_SIZE


# Errors -------------------------------------------------------------------------------------------


def error_message(text: str) -> dict:
    return {"errorDetail": {"message": text}, "error": text}


@pytest.mark.parametrize(
    "engine_text, expected",
    [
        (
            "manifest for busybox:1.99 not found: manifest unknown: manifest unknown",
            "No image called busybox with tag 1.99 exists on the registry. Check the spelling and the tag.",
        ),
        (
            "pull access denied for busybox, repository does not exist or may require 'docker login': "
            "denied: requested access to the resource is denied",
            "The registry refused access to busybox: the image may be private (sign in first) or may not exist.",
        ),
        (
            "unauthorized: authentication required",
            "The registry refused access to busybox: the image may be private (sign in first) or may not exist.",
        ),
        (
            "failed to register layer: write /var/lib/docker/overlay2/abc/diff/bin/busybox: no space left on device",
            "The disk is full. Remove unused images and containers (docker system prune), then try again.",
        ),
        ("something the engine never said before", "something the engine never said before"),
    ],
)
def test_stream_errors_become_plain_sentences(engine_text, expected):
    progress = PullProgress("busybox", "1.99")
    with pytest.raises(StreamError) as caught:
        progress.feed(error_message(engine_text))
    assert caught.value.message == expected
    assert caught.value.detail == engine_text


@pytest.mark.parametrize(
    "engine_text",
    [
        'Get "https://registry:5000/v2/": dial tcp: lookup registry on 127.0.0.53:53: no such host',
        'Get "https://registry:5000/v2/": dial tcp 10.0.0.5:5000: connect: connection refused',
        'Get "https://registry:5000/v2/": dial tcp 10.0.0.5:5000: i/o timeout',
    ],
)
def test_an_unreachable_registry_is_named_with_a_hint(engine_text):
    error = pull_error(engine_text, "registry:5000/team/model", "1.0")
    assert error.message.startswith("Could not reach the registry registry:5000.")
    assert "network" in error.message


def test_a_registry_without_https_gets_the_insecure_registries_hint():
    error = pull_error(
        'Get "https://localhost:5000/v2/": http: server gave HTTP response to HTTPS client',
        "localhost:5000/model",
        "1.0",
    )
    assert "localhost:5000" in error.message and "insecure-registries" in error.message


def test_a_missing_digest_is_called_a_digest():
    digest = "sha256:" + "0" * 64
    error = pull_error("manifest unknown", "busybox", digest)
    assert error.message == (
        f"No image called busybox with digest {digest} exists on the registry. Check the spelling and the digest."
    )


def test_error_without_details_still_reads():
    with pytest.raises(StreamError) as caught:
        PullProgress("busybox", "1.36").feed({"error": "boom"})
    assert caught.value.message == "boom"


def test_the_engine_refusing_before_the_stream_reads_like_a_stream_error():
    class RefusingEngine:
        def pull(self, repository, tag):
            raise docker.errors.APIError(
                "404 Client Error",
                explanation=f"pull access denied for {repository}, repository does not exist "
                "or may require 'docker login'",
            )

    with pytest.raises(StreamError, match="refused access to nosuch/image"):
        open_pull(RefusingEngine(), "nosuch/image", "latest")


# Odd messages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        None,
        "Downloading",
        [],
        {},
        {"status": 5},
        {"id": "abc"},
        {"status": None, "id": "abc"},
        {"status": "Downloading", "id": 123},
        {"status": "Downloading", "id": "abc", "progressDetail": "half"},
        {"status": "Downloading", "id": "abc", "progressDetail": {"current": "1", "total": None}},
        {"status": "Downloading", "id": "abc", "progressDetail": {"current": -5, "total": True}},
        {"status": "Extracting", "id": "abc", "progressDetail": {"current": 10**12}},
        {"status": "Something new", "id": "abc", "progressDetail": {"current": 1, "total": 2}},
        {"aux": {"Digest": "sha256:abc"}},
    ],
)
def test_unknown_message_shapes_never_raise(message):
    progress = fed_through("Downloading", BIG, current=524_288)
    progress.feed(message)

    assert progress.summary()
    assert progress.fraction is None or 0 <= progress.fraction <= 1
    for item in progress.layers:
        item.progress_text()
