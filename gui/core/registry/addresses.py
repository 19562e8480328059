"""Registry addresses as Docker keys them: one spelling per registry, checked as a form would. No I/O, no Qt.

The docker CLI keys Docker Hub as "https://index.docker.io/v1/" (in config.json and in credential helpers) and every
other registry by host[:port]. Portside uses the same keys, so a sign-in made here is the docker CLI's too.
"""

from __future__ import annotations

import re

DOCKER_HUB = "https://index.docker.io/v1/"
DOCKER_HUB_NAME = "Docker Hub"
_HUB_HOSTS = {"docker.io", "index.docker.io", "registry-1.docker.io", "docker hub"}

_DOMAIN_COMPONENT = r"(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])"
_HOST = re.compile(rf"{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-f0-9:.]+\]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


def _without_scheme(text: str) -> str:
    return _SCHEME.sub("", text.strip().lower(), count=1)


def normalise_registry(text: str) -> str:
    """The key of the registry `text` names: DOCKER_HUB for Docker Hub in any spelling (also "" and the display
    name "Docker Hub"), otherwise host[:port] in lowercase, without scheme, path or trailing slash."""
    host = _without_scheme(text).split("/", 1)[0]
    if not host or host in _HUB_HOSTS:
        return DOCKER_HUB
    return host


def registry_problem(text: str) -> str | None:
    """Why `text` is not a registry address (host or host:port, an optional https:// in front), or None."""
    stripped = text.strip()
    if not stripped:
        return "Enter the registry's address, for example registry.example.com or 192.168.1.20:5000."
    if normalise_registry(stripped) == DOCKER_HUB:
        return None
    if any(ch.isspace() for ch in stripped):
        return "A registry address cannot contain spaces."
    address = _without_scheme(stripped)
    if address.endswith("/"):
        address = address[:-1]
    if "/" in address:
        return (
            "Enter only the registry's address (host or host:port), without a path; the repository is chosen "
            "when you push or pull."
        )
    host, port = _split_port(address)
    if not _HOST.fullmatch(host):
        return f'"{host}" is not a valid host name: use letters, digits, dots and dashes, or an IP address.'
    if port is not None and (not port.isdigit() or not 1 <= int(port) <= 65535):
        return f'The port "{port}" must be a number from 1 to 65535.'
    return None


def _split_port(address: str) -> tuple[str, str | None]:
    # "[::1]:5000" keeps its brackets; "host:5000" splits at the last colon.
    if address.startswith("["):
        closing = address.find("]")
        if closing != -1 and address[closing + 1 : closing + 2] == ":":
            return address[: closing + 1], address[closing + 2 :]
        return address, None
    host, colon, port = address.rpartition(":")
    return (host, port) if colon else (address, None)


def display_name(registry: str) -> str:
    """What a person calls the registry: "Docker Hub", or its host[:port]."""
    key = normalise_registry(registry)
    return DOCKER_HUB_NAME if key == DOCKER_HUB else key


def registry_of(repository: str) -> str:
    """The registry key of an image repository name, by Docker's rule: the first part before a slash is a
    registry when it has a dot or a port or is "localhost"; otherwise the image is on Docker Hub."""
    first, slash, _ = repository.strip().partition("/")
    if slash and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        return normalise_registry(first)
    return DOCKER_HUB
