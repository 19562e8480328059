"""Push and pull through Portside's engine layer against the real dockerd and a real registry (htpasswd auth on
127.0.0.1): the round trip, and the sentences for the refusals a user meets."""

from __future__ import annotations

import secrets

import docker.errors
import pytest

from gui.core.engine.actions import TagImage
from gui.core.engine.client import Engine
from gui.core.engine.connection import Endpoint
from gui.core.errors import StreamError
from gui.core.registry.credentials import CredentialVault
from gui.core.registry.pull import PullProgress, open_pull
from gui.core.registry.push import PushProgress, open_push
from gui.core.registry.sign_in import sign_in
from gui.core.registry.tag_suggest import suggest_reference
from tests.engine import engine_helpers as eh
from tests.engine import images


@pytest.fixture
def engine(docker_client, tmp_path, monkeypatch):
    # An empty docker config: neither the developer's logins nor another test's may sign this test in.
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    engine = Engine(Endpoint(eh.engine_url(), "DOCKER_HOST"), docker_client.api.api_version)
    yield engine
    engine.close()


@pytest.fixture
def vault(tmp_path):
    return CredentialVault(
        docker_config_dir=tmp_path / "docker-config", index_path=tmp_path / "registries.json", session_only=True
    )


@pytest.fixture
def app_image(docker_client, busybox_image, local_registry, test_labels):
    """A small image with a layer of its own (so the pull below must fetch it), tagged for the local registry."""
    repository = f"{local_registry.address}/portside-test/app"
    token = secrets.token_hex(8)
    image = images.build_image(
        docker_client, f"{repository}:1.0", f"FROM {busybox_image}\nRUN echo {token} > /token\n", test_labels
    )
    yield repository, image
    untag(docker_client, f"{repository}:1.0")


@pytest.fixture
def local_app(docker_client, busybox_image, test_labels):
    """A freshly built image known only by a local name, as after a build in Portside."""
    token = secrets.token_hex(8)
    image = images.build_image(
        docker_client, "portside-test-app:latest", f"FROM {busybox_image}\nRUN echo {token} > /token\n", test_labels
    )
    yield image
    untag(docker_client, "portside-test-app:latest")


def untag(client, reference: str) -> None:
    try:
        client.images.remove(reference)
    except docker.errors.ImageNotFound:
        pass


def follow(stream, progress) -> None:
    """Reads a push or pull stream to its end, as the dialog's worker does."""
    try:
        for message in stream:
            progress.feed(message)
    finally:
        stream.close()


def test_sign_in_tag_push_remove_pull_round_trip(engine, vault, docker_client, local_registry, local_app):
    account = sign_in(engine, vault, local_registry.address, local_registry.username, local_registry.password)
    header = vault.auth_header(local_registry.address)
    assert header

    # Tagged as the Tag dialog suggests for the signed-in account: REGISTRY/USER/NAME:1.0
    repository, tag = suggest_reference("portside-test-app", "latest", account.username, account.registry)
    assert (repository, tag) == (f"{local_registry.address}/{local_registry.username}/portside-test-app", "1.0")
    engine.perform(TagImage("portside-test-app:latest", repository, tag))
    image = docker_client.images.get(f"{repository}:1.0")
    assert image.id == local_app.id
    docker_client.images.remove("portside-test-app:latest")  # the pushed name is now the only one

    pushed = PushProgress(repository, "1.0")
    follow(open_push(engine, repository, "1.0", header), pushed)
    assert pushed.finished and pushed.fraction == 1.0
    assert pushed.digest.startswith("sha256:")
    assert pushed.layers and all(layer.done for layer in pushed.layers)
    assert pushed.status_lines[0] == f"The push refers to repository [{repository}]"

    docker_client.images.remove(image.id, force=True)
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get(f"{repository}:1.0")

    pulled = PullProgress(repository, "1.0")
    follow(open_pull(engine, repository, "1.0", header), pulled)
    assert pulled.finished and pulled.fraction == 1.0
    back = docker_client.images.get(f"{repository}:1.0")
    assert back.id == image.id
    assert f"{repository}@{pushed.digest}" in back.attrs["RepoDigests"]

    again = PushProgress(repository, "1.0")  # the registry has every layer now
    follow(open_push(engine, repository, "1.0", header), again)
    assert again.finished and again.digest == pushed.digest
    assert all(layer.skipped for layer in again.layers)
    untag(docker_client, f"{repository}:1.0")


def test_pushing_without_signing_in_says_so(engine, local_registry, app_image):
    repository, _ = app_image
    progress = PushProgress(repository, "1.0")
    with pytest.raises(StreamError) as caught:
        follow(open_push(engine, repository, "1.0", None), progress)
    registry = local_registry.address
    assert caught.value.message == (
        f"You are not signed in to {registry}, or it did not accept the sign-in. "
        f"Sign in to {registry} (Registries page), then push again."
    )
    assert "no basic auth credentials" in caught.value.detail


def test_pulling_a_missing_repository_says_so(engine, vault, local_registry):
    sign_in(engine, vault, local_registry.address, local_registry.username, local_registry.password)
    repository = f"{local_registry.address}/portside-test/nosuch"
    with pytest.raises(StreamError) as caught:
        follow(
            open_pull(engine, repository, "1.0", vault.auth_header(local_registry.address)),
            PullProgress(repository, "1.0"),
        )
    assert caught.value.message == (
        f"No image called {repository} with tag 1.0 exists on the registry. Check the spelling and the tag."
    )
    assert "manifest unknown" in caught.value.detail


def test_pulling_while_signed_out_says_sign_in(engine, local_registry, app_image):
    repository, _ = app_image
    with pytest.raises(StreamError) as caught:
        follow(open_pull(engine, repository, "1.0"), PullProgress(repository, "1.0"))
    assert caught.value.message.startswith(f"You are not signed in to {local_registry.address}")
    assert caught.value.message.endswith("then pull again.")


def test_pushing_to_a_closed_port_says_the_registry_is_unreachable(engine, docker_client, app_image):
    _repository, image = app_image
    address = f"127.0.0.1:{eh.free_port()}"  # nothing listens there
    unreachable = f"{address}/portside-test/app"
    image.tag(unreachable, "1.0")
    try:
        with pytest.raises(StreamError) as caught:
            follow(open_push(engine, unreachable, "1.0", None), PushProgress(unreachable, "1.0"))
    finally:
        untag(docker_client, f"{unreachable}:1.0")
    assert caught.value.message.startswith(f"Could not reach the registry {address}. Check the registry address")
    assert "connection refused" in caught.value.detail
