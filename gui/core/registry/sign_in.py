"""Signing in to a registry: the registry checks the password (through the engine), then the vault keeps it. No Qt.

Blocking (the engine asks the registry over the network): call from a worker.
"""

from __future__ import annotations

from gui.core import log
from gui.core.errors import EngineError, EngineGone
from gui.core.registry.addresses import DOCKER_HUB, display_name, normalise_registry, registry_problem
from gui.core.registry.credentials import Account, Credentials, CredentialVault
from gui.core.secrets import remember_secret

logger = log.get("credentials")

_REFUSED = (
    "unauthorized",
    "incorrect username or password",
    "authentication required",
    "access denied",
    "invalid username/password",
    "denied",
)
_UNREACHABLE = (
    "connection refused",
    "no such host",
    "i/o timeout",
    "timeout",
    "deadline exceeded",
    "network is unreachable",
    "no route to host",
    "connection reset",
)
_TLS = ("server gave http response to https client", "x509", "tls:", "certificate")


class SignInFailed(EngineError):
    """The registry refused the user name or password: the form can ask again."""


def sign_in(engine, vault: CredentialVault, registry: str, username: str, secret: str) -> Account:
    """Checks the sign-in with the registry (engine.login), then saves it in the vault. Raises SignInFailed for
    refused credentials and EngineError (a plain sentence) for anything else."""
    problem = registry_problem(registry)
    if problem:
        raise EngineError(problem)
    username = username.strip()
    if not username:
        raise EngineError("Enter your user name.")
    if not secret:
        raise EngineError("Enter your password or access token.")
    remember_secret(secret)  # the log masks it wherever it might appear (an engine error quoting the request)
    registry = normalise_registry(registry)
    try:
        engine.login(registry, username, secret)
    except EngineGone:
        raise
    except EngineError as exc:
        raise sign_in_error(exc.detail or exc.message, registry) from None
    return vault.save(Credentials(registry, username, secret))


def sign_out(vault: CredentialVault, registry: str) -> None:
    """Forgets the sign-in (see CredentialVault.erase for the docker CLI's plain-text logins)."""
    vault.erase(registry)


def sign_in_error(text: str, registry: str) -> EngineError:
    """The engine's words about a failed sign-in, as a sentence a person can act on."""
    lowered = text.lower()
    name = display_name(registry)
    if any(word in lowered for word in _TLS):
        return EngineError(
            f"Could not sign in: {name} does not speak HTTPS the way Docker expects. For a self-hosted registry "
            f'without a certificate, add "{registry}" to "insecure-registries" in Docker\'s daemon.json '
            "(/etc/docker/daemon.json) and restart Docker.",
            text,
        )
    if any(word in lowered for word in _UNREACHABLE):
        return EngineError(
            f"Could not reach the registry {name}. Check the address (and port) and your network, and that the "
            "registry is running.",
            text,
        )
    if any(word in lowered for word in _REFUSED):
        hint = (
            "Check them; for Docker Hub, use an access token (Docker Hub > Account settings > Personal access "
            "tokens) instead of your password."
            if registry == DOCKER_HUB
            else "Check them and try again."
        )
        return SignInFailed(f"The registry {name} refused the user name or password. {hint}", text)
    return EngineError(f"Could not sign in to {name}: {text}", text)
