"""The registry's refusals as sentences, for pull and push. The engine texts marked "recorded" were captured
from dockerd 20.10 talking to Debian's docker-registry on 127.0.0.1 (tests/engine/test_push_pull_engine.py
checks them again against the real engine); the others are the registries' documented wordings."""

import pytest

from gui.core.errors import StreamError
from gui.core.registry.pull import pull_error
from gui.core.registry.refusals import registry_error, stream_error_text

LOCAL = "127.0.0.1:5000/portside-test/app"
HUB = "someone/app"

# Recorded.
NO_CREDENTIALS_PUSH = "no basic auth credentials"
NO_CREDENTIALS_PULL = 'Head "http://127.0.0.1:5000/v2/portside-test/app/manifests/1.0": no basic auth credentials'
REFUSED = 'Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused'
MISSING = "manifest for 127.0.0.1:5000/portside-test/nosuch:1.0 not found: manifest unknown: manifest unknown"
UPPERCASE = "invalid reference format: repository name must be lowercase"
NOT_LOCAL = "An image does not exist locally with the tag: 127.0.0.1:5000/portside-test/app"
# Documented wordings of Docker Hub and other registries.
DENIED = "denied: requested access to the resource is denied"
UNAUTHORIZED = "unauthorized: authentication required"
NAME_UNKNOWN = "name unknown: The repository with name 'app' does not exist in the registry"
X509 = 'Get "https://registry.lan:5000/v2/": x509: certificate signed by unknown authority'
PLAIN_HTTP = 'Get "https://registry.lan:5000/v2/": http: server gave HTTP response to HTTPS client'
NO_HOST = 'Get "https://registry.lan:5000/v2/": dial tcp: lookup registry.lan on 127.0.0.53:53: no such host'
TIMEOUT = (
    'Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection '
    "(Client.Timeout exceeded while awaiting headers)"
)
RATE = "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating."
DISK = "failed to register layer: write /var/lib/docker/overlay2/abc/diff/bin/busybox: no space left on device"


def push(text: str, repository: str = LOCAL, tag: str = "1.0") -> str:
    return registry_error(text, repository, tag, action="push").message


def pull(text: str, repository: str = LOCAL, tag: str = "1.0") -> str:
    return registry_error(text, repository, tag, action="pull").message


# Signed out and refused ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [NO_CREDENTIALS_PUSH, UNAUTHORIZED, "unauthorized: incorrect username or password"])
def test_a_push_without_an_accepted_sign_in_says_sign_in(text):
    assert push(text) == (
        "You are not signed in to 127.0.0.1:5000, or it did not accept the sign-in. "
        "Sign in to 127.0.0.1:5000 (Registries page), then push again."
    )


def test_a_pull_without_credentials_says_sign_in_too():
    assert pull(NO_CREDENTIALS_PULL).startswith("You are not signed in to 127.0.0.1:5000")
    assert pull(NO_CREDENTIALS_PULL).endswith("then pull again.")


def test_a_pull_refused_by_docker_hub_may_be_private_or_missing():
    # Docker Hub says the same to an anonymous pull of a private repository and of one that does not exist.
    for text in (
        UNAUTHORIZED,
        DENIED,
        "pull access denied for someone/app, repository does not exist or may require 'docker login': " + DENIED,
    ):
        assert pull(text, HUB) == (
            "The registry refused access to someone/app: the image may be private (sign in first) or may not exist."
        )


def test_a_denied_push_explains_whose_names_can_be_pushed():
    message = push(DENIED, HUB)
    assert message.startswith("The registry Docker Hub denied the push to someone/app")
    assert "USER/NAME" in message


# Names --------------------------------------------------------------------------------------------


def test_a_missing_image_names_the_tag():
    assert pull(MISSING, "127.0.0.1:5000/portside-test/nosuch") == (
        "No image called 127.0.0.1:5000/portside-test/nosuch with tag 1.0 exists on the registry. "
        "Check the spelling and the tag."
    )


def test_a_registry_that_does_not_create_repositories_on_push_says_so():
    assert push(NAME_UNKNOWN).startswith(f"The repository {LOCAL} does not exist on 127.0.0.1:5000")


@pytest.mark.parametrize("action", ["pull", "push"])
def test_an_invalid_name_is_called_invalid(action):
    message = registry_error(UPPERCASE, "127.0.0.1:5000/Team/App", "1.0", action).message
    assert message.startswith("127.0.0.1:5000/Team/App:1.0 is not a valid image name.")


def test_pushing_an_image_this_machine_does_not_have():
    assert push(NOT_LOCAL) == (
        f"There is no image called {LOCAL}:1.0 on this machine to push. Tag an image with that name first."
    )


# Reaching the registry ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [REFUSED, NO_HOST])
@pytest.mark.parametrize("action", ["pull", "push"])
def test_an_unreachable_registry_of_ones_own_gets_a_hint(text, action):
    repository = LOCAL if "127.0.0.1" in text else "registry.lan:5000/team/app"
    message = registry_error(text, repository, "1.0", action).message
    registry = repository.split("/")[0]
    assert message.startswith(f"Could not reach the registry {registry}. Check the registry address")
    assert "running on that address and port" in message


def test_an_unreachable_docker_hub_gets_no_self_hosted_hint():
    message = pull(TIMEOUT, "busybox")
    assert message == (
        "Could not reach the registry Docker Hub. Check the registry address and your network "
        "connection, then try again."
    )


@pytest.mark.parametrize("text", [X509, PLAIN_HTTP])
def test_tls_trouble_points_at_insecure_registries(text):
    message = push(text, "registry.lan:5000/team/app")
    assert message.startswith("Could not reach the registry registry.lan:5000 securely (HTTPS).")
    assert "insecure-registries" in message and "daemon.json" in message


def test_rate_limit_and_full_disk():
    assert pull(RATE, "busybox").startswith("The registry's pull limit is reached.")
    assert push(RATE, HUB).startswith("The registry's push limit is reached.")
    assert pull(DISK).startswith("The disk is full.")


def test_unknown_words_pass_through_and_the_detail_is_kept():
    error = registry_error("something new", LOCAL, "1.0", "push")
    assert isinstance(error, StreamError)
    assert error.message == error.detail == "something new"
    assert registry_error(REFUSED, LOCAL, "1.0", "push").detail == REFUSED


def test_pull_error_is_the_pull_flavour():
    assert pull_error(MISSING, LOCAL, "1.0").message == pull(MISSING)


# Helpers ------------------------------------------------------------------------------------------


def test_stream_error_text_prefers_the_detail():
    assert stream_error_text({"error": "short", "errorDetail": {"message": "long"}}, "push") == "long"
    assert stream_error_text({"error": "short"}, "push") == "short"
    assert stream_error_text({"errorDetail": {}}, "push") == "the push failed"
