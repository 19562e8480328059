"""PushProgress against pushes recorded from a real engine and registry, and the checks before a push."""

import json
from pathlib import Path

import docker.errors
import pytest

from gui.core.errors import StreamError
from gui.core.registry.push import PushPhase, PushProgress, open_push, push_problem

RECORDED = json.loads((Path(__file__).parents[2] / "fakes" / "push_messages.json").read_text())
FIRST_PUSH = RECORDED["first_push"]
REPOSITORY = "127.0.0.1:5000/portside-test/app"
DIGEST = "sha256:52f98d8d8f6093e8ee3a0a7d8ec82a36867c56b182b59988d8a008a9afaa8adc"
BLOB, NO_SIZE, TINY, BUSYBOX = "b9fd551323f5", "350973eb9679", "3157f0f2d181", "4e7b3216e8c2"
BLOB_SIZE, NO_SIZE_SENT, TINY_SIZE, BUSYBOX_SIZE = 3_145_728, 3072, 3216, 1_982_256
TOTAL = BLOB_SIZE + NO_SIZE_SENT + TINY_SIZE + BUSYBOX_SIZE


def fed(messages: list, count: int | None = None) -> PushProgress:
    progress = PushProgress(REPOSITORY, "1.0")
    for message in messages[:count]:
        progress.feed(message)
    return progress


def fed_until(status: str, layer_id: str) -> PushProgress:
    """Fed the first push up to and including the first message with this status for this layer."""
    index = next(i for i, m in enumerate(FIRST_PUSH) if m.get("status") == status and m.get("id") == layer_id)
    return fed(FIRST_PUSH, index + 1)


def layer(progress: PushProgress, layer_id: str):
    return next(item for item in progress.layers if item.id == layer_id)


# Recorded pushes ----------------------------------------------------------------------------------


def test_a_first_push_sends_every_layer_and_ends_with_the_digest():
    progress = fed(FIRST_PUSH)

    assert [item.id for item in progress.layers] == [BLOB, NO_SIZE, TINY, BUSYBOX]
    assert all(item.phase is PushPhase.DONE and item.status == "Pushed" for item in progress.layers)
    assert progress.finished and progress.fraction == 1.0
    assert progress.digest == DIGEST
    assert progress.sent_bytes == progress.total_bytes == TOTAL
    assert progress.status_lines == [
        f"The push refers to repository [{REPOSITORY}]",
        f"1.0: digest: {DIGEST} size: 1154",
    ]
    assert progress.summary() == "4 of 4 layers, 4.9 MiB of 4.9 MiB"
    assert [item.progress_text() for item in progress.layers] == ["3.0 MiB", "3.0 KiB", "3.1 KiB", "1.9 MiB"]


def test_before_any_byte_moves_the_engine_is_checking_the_registry():
    progress = fed(FIRST_PUSH, 5)  # the repository line and four "Preparing"
    assert [item.phase for item in progress.layers] == [PushPhase.WAITING] * 4
    assert progress.fraction is None and not progress.determinate
    assert progress.summary() == "0 of 4 layers, checking what the registry already has…"
    assert not progress.finished and progress.digest is None


def test_a_layer_sending_without_a_size_keeps_the_total_unknown():
    progress = fed_until("Pushing", NO_SIZE)
    assert layer(progress, NO_SIZE).total is None and layer(progress, NO_SIZE).sent == 3072
    assert layer(progress, NO_SIZE).progress_text() == "3.0 KiB"
    assert progress.fraction is None
    assert progress.summary().endswith("sent so far")


def test_bytes_sent_beyond_the_announced_size_are_capped():
    # The engine announces a tiny layer as 3216 bytes, then reports 138752 sent (tar and compression overhead).
    progress = fed_until("Pushed", TINY)
    tiny = layer(progress, TINY)
    assert tiny.total == TINY_SIZE and tiny.sent == TINY_SIZE


def test_once_every_size_is_known_the_fraction_counts_bytes_sent():
    progress = fed_until("Pushed", NO_SIZE)
    assert layer(progress, NO_SIZE).total == NO_SIZE_SENT  # what went out is its size
    assert progress.determinate
    sent = BLOB_SIZE + NO_SIZE_SENT + TINY_SIZE + 852_992
    assert progress.sent_bytes == sent and progress.total_bytes == TOTAL
    assert progress.fraction == pytest.approx(sent / TOTAL)
    assert progress.summary() == "1 of 4 layers, 3.8 MiB of 4.9 MiB"
    assert layer(progress, BUSYBOX).progress_text() == "833.0 KiB / 1.9 MiB"


@pytest.mark.parametrize(
    "recording, status",
    [
        ("mounted", "Mounted from portside-test/app"),
        ("already_pushed", "Layer already exists"),
    ],
)
def test_layers_the_registry_already_has_are_not_sent(recording, status):
    progress = fed(RECORDED[recording])
    assert all(item.skipped and item.status == status and item.progress_text() == "" for item in progress.layers)
    assert progress.finished and progress.digest == DIGEST and progress.fraction == 1.0
    assert progress.sent_bytes == 0
    assert progress.summary() == "4 of 4 layers, all already on the registry"


def test_the_aux_message_alone_completes_the_push():
    progress = PushProgress(REPOSITORY, "1.0")
    progress.feed(FIRST_PUSH[-1])
    assert progress.finished and progress.digest == DIGEST
    assert progress.summary() == "Nothing to push."


def test_retrying_is_shown_and_keeps_the_numbers():
    progress = fed_until("Pushing", BLOB)
    progress.feed({"status": "Retrying in 5 seconds", "progressDetail": {}, "id": BLOB})
    assert layer(progress, BLOB).status == "Retrying in 5 seconds"
    assert layer(progress, BLOB).phase is PushPhase.PUSHING and layer(progress, BLOB).sent == 33_280


# Errors -------------------------------------------------------------------------------------------


def test_pushing_while_signed_out_stops_with_the_sign_in_sentence():
    progress = PushProgress(REPOSITORY, "1.0")
    with pytest.raises(StreamError) as caught:
        for message in RECORDED["signed_out"]:
            progress.feed(message)
    assert caught.value.message == (
        "You are not signed in to 127.0.0.1:5000, or it did not accept the sign-in. "
        "Sign in to 127.0.0.1:5000 (Registries page), then push again."
    )
    assert caught.value.detail == "no basic auth credentials"
    assert len(progress.layers) == 4 and not progress.finished


def test_pushing_to_a_closed_port_names_the_registry():
    progress = PushProgress(REPOSITORY, "1.0")
    with pytest.raises(StreamError) as caught:
        for message in RECORDED["closed_port"]:
            progress.feed(message)
    assert caught.value.message.startswith("Could not reach the registry 127.0.0.1:5000.")
    assert "connection refused" in caught.value.detail


def test_the_engine_refusing_before_the_stream_reads_like_a_stream_error():
    class RefusingEngine:
        def push(self, repository, tag, auth_header):
            raise docker.errors.APIError(
                "500 Server Error", explanation=("invalid reference format: repository name must be lowercase")
            )

    with pytest.raises(StreamError, match="is not a valid image name"):
        open_push(RefusingEngine(), "127.0.0.1:5000/Team/App", "1.0", None)


def test_open_push_hands_the_auth_header_to_the_engine():
    class RecordingEngine:
        def push(self, repository, tag, auth_header):
            self.call = (repository, tag, auth_header)
            return "stream"

    engine = RecordingEngine()
    assert open_push(engine, REPOSITORY, "1.0", "e30=") == "stream"
    assert engine.call == (REPOSITORY, "1.0", "e30=")


@pytest.mark.parametrize(
    "message",
    [
        None,
        "Pushing",
        [],
        {},
        {"status": 5},
        {"id": "abc"},
        {"status": None, "id": "abc"},
        {"status": "Pushing", "id": 123},
        {"status": "Pushing", "id": "abc", "progressDetail": "half"},
        {"status": "Pushing", "id": "abc", "progressDetail": {"current": "1", "total": None}},
        {"status": "Pushing", "id": "abc", "progressDetail": {"current": -5, "total": True}},
        {"status": "Something new", "id": "abc", "progressDetail": {"current": 1, "total": 2}},
        {"aux": "odd"},
        {"aux": {"Digest": 5}},
        {"status": "latest: digest: not-a-digest size: x"},
    ],
)
def test_unknown_message_shapes_never_raise(message):
    progress = fed_until("Pushing", BUSYBOX)
    progress.feed(message)
    assert progress.summary() and not progress.finished
    assert progress.fraction is None or 0 <= progress.fraction <= 1
    for item in progress.layers:
        item.progress_text()


# Before pushing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        "my-app:1.0",
        "my-app",
        "docker.io/my-app:1.0",
        "index.docker.io/my-app",
    ],
)
def test_a_docker_hub_name_without_a_user_is_caught_before_pushing(reference):
    problem = push_problem(reference)
    assert problem.startswith("Docker Hub needs USER/NAME, for example yourname/my-app")


@pytest.mark.parametrize(
    "reference",
    [
        "someone/my-app:1.0",
        "docker.io/someone/my-app",
        "127.0.0.1:5000/app:1.0",
        "localhost/app",
        "registry.lan:5000/team/app:2.0",
    ],
)
def test_names_that_can_be_pushed(reference):
    assert push_problem(reference) is None


def test_invalid_names_and_digests_cannot_be_pushed():
    assert "lowercase" in push_problem("Someone/App")
    assert "push a tag instead" in push_problem("someone/app@sha256:" + "ab" * 32)
