"""What a registry's refusal means, in words a person can act on. Shared by pull and push.

No Qt. The engine passes on the registry's own words, inside the stream ({"errorDetail": ...}) or as the
HTTP error of the request itself; both arrive here as text. The first matching rule wins, so the order of
the checks below matters: a TLS failure mentions the address too, and "pull access denied" says
"repository does not exist" although it only means "not allowed".
"""

from __future__ import annotations

from gui.core.errors import StreamError
from gui.core.registry.addresses import display_name, registry_of

_TLS_MARKERS = ("x509:", "tls:", "certificate", "server gave http response to https client")
_NETWORK_MARKERS = (
    "connection refused",
    "no such host",
    "i/o timeout",
    "network is unreachable",
    "no route to host",
    "timeout exceeded while awaiting headers",
    "connection reset",
)
_RATE_MARKERS = ("toomanyrequests", "rate limit")
# The engine had no credentials for the registry at all: unambiguous for pull and push alike.
_NO_CREDENTIALS = ("no basic auth credentials",)
# The registry turned the credentials (or their absence) down. For a pull from Docker Hub this is also
# what a private or misspelt repository gets, so pulls keep the gentler "may be private" sentence.
_UNAUTHORIZED = ("unauthorized", "authentication required")
_INVALID_NAME = ("invalid reference format", "name invalid", "repository name must be")
_NOT_LOCAL = ("does not exist locally", "no such image")
_PULL_DENIED = ("pull access denied", "denied", *_UNAUTHORIZED)
_PUSH_DENIED = ("denied", "insufficient_scope", "forbidden")
_MISSING = ("name unknown", "repository does not exist", "manifest unknown", "not found")


def registry_error(text: str, repository: str, tag: str, action: str) -> StreamError:
    """The engine's words for a failed `action` ("pull" or "push") of repository:tag, as a sentence that
    says what happened and what to do. Unknown words are passed on as they are."""
    lowered = text.lower()
    registry = display_name(registry_of(repository))
    pushing = action == "push"

    def says(markers: tuple[str, ...]) -> bool:
        return any(marker in lowered for marker in markers)

    if says(_TLS_MARKERS):
        sentence = (
            f"Could not reach the registry {registry} securely (HTTPS). If it is a registry without "
            "HTTPS, add it to insecure-registries in Docker's daemon.json and restart Docker."
        )
    elif says(_NETWORK_MARKERS):
        sentence = (
            f"Could not reach the registry {registry}. Check the registry address and your "
            "network connection, then try again."
        )
        if registry != "Docker Hub":
            sentence += " For a registry of your own, check that it is running on that address and port."
    elif "no space left" in lowered:
        sentence = "The disk is full. Remove unused images and containers (docker system prune), then try again."
    elif says(_RATE_MARKERS):
        sentence = (
            f"The registry's {action} limit is reached. Wait a while, or sign in (docker login), "
            "which raises the limit."
        )
    elif says(_NO_CREDENTIALS) or (pushing and says(_UNAUTHORIZED)):
        sentence = (
            f"You are not signed in to {registry}, or it did not accept the sign-in. Sign in to "
            f"{registry} (Registries page), then {action} again."
        )
    elif says(_INVALID_NAME):
        sentence = (
            f"{repository}:{tag} is not a valid image name. Use lowercase letters, digits and "
            ". _ - in the name, with / between its parts."
        )
    elif pushing and says(_NOT_LOCAL):
        sentence = (
            f"There is no image called {repository}:{tag} on this machine to push. Tag an image with that name first."
        )
    elif pushing and says(_PUSH_DENIED):
        sentence = (
            f"The registry {registry} denied the push to {repository}: you may push only to your own "
            "repositories. On Docker Hub the name must start with your user name (USER/NAME); "
            "elsewhere, ask for write access."
        )
    elif not pushing and says(_PULL_DENIED):
        sentence = (
            f"The registry refused access to {repository}: the image may be private (sign in first) or may not exist."
        )
    elif pushing and says(_MISSING):
        sentence = (
            f"The repository {repository} does not exist on {registry}, and this registry does not "
            "create repositories on push. Create it there first, then push again."
        )
    elif says(_MISSING):
        kind = "digest" if ":" in tag else "tag"
        sentence = (
            f"No image called {repository} with {kind} {tag} exists on the registry. Check the spelling and the {kind}."
        )
    else:
        sentence = text
    return StreamError(sentence, text)


def stream_error_text(message: dict, action: str) -> str:
    """The failure text of a stream message that carries one ({"error", "errorDetail"})."""
    detail = message.get("errorDetail")
    if isinstance(detail, dict) and detail.get("message"):
        return str(detail["message"])
    return str(message.get("error") or detail or f"the {action} failed")
