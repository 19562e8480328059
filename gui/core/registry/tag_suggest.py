"""What to call an image before pushing it: a suggestion from the signed-in account, and the checks
Docker applies to the full name (the registry address counts towards its length)."""

from __future__ import annotations

from gui.core.reference import NAME_MAX_LENGTH, tag_problem
from gui.core.registry.addresses import DOCKER_HUB, normalise_registry

UNNAMED = "my-app"  # a dangling image has no name to reuse
FIRST_VERSION = "1.0"
_NOT_A_VERSION = ("", "latest", "<none>")


def suggest_reference(
    image_repository: str, image_tag: str, account_username: str | None, registry: str | None
) -> tuple[str, str]:
    """("USER/NAME", "VERSION") for pushing the image as this account to `registry`.

    The image's own registry and user parts are dropped (a pulled `someone/app` becomes `you/app`);
    another registry than Docker Hub is written in front. `registry` None or "" means "this machine
    only": the name is kept as it is.
    """
    repository = image_repository.strip()
    tag = FIRST_VERSION if image_tag.strip() in _NOT_A_VERSION else image_tag.strip()
    if not repository or repository == "<none>":
        repository = UNNAMED
    if not registry:
        return repository, tag
    name = repository.rsplit("/", 1)[-1]  # a registry address has no "/", so this drops both prefixes
    parts = [account_username, name] if account_username else [name]
    key = normalise_registry(registry)
    if key != DOCKER_HUB:
        parts.insert(0, key)
    return "/".join(parts), tag


def reference_length_problem(repository: str, tag: str) -> str | None:
    """The length rules: the whole name, registry included, and the tag's own grammar."""
    if len(repository) > NAME_MAX_LENGTH:
        return (
            f"The full name is {len(repository)} characters long, registry address included; Docker "
            f"allows at most {NAME_MAX_LENGTH}. Choose a shorter name."
        )
    return tag_problem(tag)


def only_latest_warning(tag: str) -> str | None:
    """A warning when the only tag is `latest`, which tells nobody which build they get."""
    if tag.strip() not in ("", "latest"):
        return None
    return (
        'Only "latest": it is just the default name, not the newest build. Pushing it again replaces what '
        "others pull, and nobody can go back. Use a version such as 1.0 (you can push latest as well)."
    )
