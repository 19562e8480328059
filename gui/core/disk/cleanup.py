"""Carrying out a clean-up plan: exactly the items the user saw in the preview go, each removed by its id, and
nothing else; what was freed comes back as `Freed`.

A prune would remove whatever is unused when it runs, which may be more than the preview showed (a container that
stopped since), so images, containers and volumes are removed one by one. An item already gone (404) is skipped; one
the engine now refuses (409: a container started, or uses the image or volume since the preview) is kept and named.
Build cache cannot be picked entry by entry from the CLI, so it is pruned as a whole, as its plan says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gui.core.disk.usage import Category, Cleanup, CleanupPlan, DiskItem
from gui.core.engine.actions import Action
from gui.core.format import human_bytes

if TYPE_CHECKING:
    import docker

GONE = 404
REFUSED = 409


@dataclass(frozen=True)
class Freed:
    """What a clean-up removed: `count` items and `bytes` of space (at least that much for images, which may also
    free layers they shared with each other), and the planned items the engine kept, each with its reason."""

    cleanup: Cleanup
    bytes: int
    count: int
    at_least: bool = False
    kept: tuple[tuple[str, str], ...] = ()  # (name, the engine's reason)

    def sentence(self) -> str:
        """'Freed 1.2 GiB (3 images).', and the items kept, if any."""
        one, several = self.cleanup.noun
        amount = f"at least {human_bytes(self.bytes)}" if self.at_least and self.bytes else human_bytes(self.bytes)
        text = f"Freed {amount} ({self.count} {one if self.count == 1 else several})."
        if self.kept:
            names = ", ".join(name for name, _reason in self.kept)
            text += f" Kept {len(self.kept)} the engine would not remove now (in use since the preview?): {names}."
        return text


def _status(exc: Exception) -> int | None:
    import docker.errors  # here, not at import time: docker-py is slow to import and views import this module

    return exc.status_code if isinstance(exc, docker.errors.APIError) else None


def _first_line(exc: Exception) -> str:
    explanation = getattr(exc, "explanation", None) or str(exc)
    return str(explanation).splitlines()[0] if explanation else type(exc).__name__


@dataclass(frozen=True)
class _RemoveEach(Action):
    """Removes the plan's items one by one; subclasses say how one item goes."""

    plan: CleanupPlan
    subcommand: ClassVar[tuple[str, ...]] = ()

    @property
    def description(self) -> str:
        return self.plan.cleanup.title.lower()

    def argv(self) -> list[str]:
        return ["docker", *self.subcommand, *(self._names(item) for item in self.plan.items)]

    def _names(self, item: DiskItem) -> str:
        return item.key

    def remove(self, api: docker.APIClient, item: DiskItem) -> bool:
        """Removes one item; False when it was already gone."""
        raise NotImplementedError

    def run(self, api) -> Freed:
        freed, count, kept = 0, 0, []
        for item in self.plan.items:
            try:
                removed = self.remove(api, item)
            except Exception as exc:
                status = _status(exc)
                if status == GONE:
                    continue  # gone since the preview: nothing of ours to free
                if status is None:
                    raise  # the engine stopped answering: the user hears it as an error
                kept.append((item.name, _first_line(exc)))
                continue
            if removed:
                count += 1
                freed += item.reclaimable or 0
        return Freed(self.plan.cleanup, freed, count, not self.plan.exact, tuple(kept))


@dataclass(frozen=True)
class RemovePlannedImages(_RemoveEach):
    """Each tag, then the image itself by id: an image with several tags cannot be removed by id without force, and
    force would also remove an image a container has started using since the preview."""

    verb: ClassVar[str] = "remove the images"
    subcommand: ClassVar[tuple[str, ...]] = ("image", "rm")

    def argv(self) -> list[str]:
        names = [name for item in self.plan.items for name in (item.references or (item.key,))]
        return ["docker", *self.subcommand, *names]

    def remove(self, api, item: DiskItem) -> bool:
        for tag in item.references:
            try:
                answer = api.remove_image(tag)
            except Exception as exc:
                if _status(exc) != GONE:
                    raise
                continue
            if any(entry.get("Deleted") == item.key for entry in answer or ()):
                return True  # its last tag went, and the image with it
        try:
            api.remove_image(item.key)
        except Exception as exc:
            if _status(exc) == GONE and item.references:
                return True  # the last tag took it away
            raise
        return True


@dataclass(frozen=True)
class RemovePlannedContainers(_RemoveEach):
    verb: ClassVar[str] = "remove the stopped containers"
    subcommand: ClassVar[tuple[str, ...]] = ("container", "rm")

    def remove(self, api, item: DiskItem) -> bool:
        api.remove_container(item.key)  # no force: a container started since the preview is refused, and kept
        return True


@dataclass(frozen=True)
class RemovePlannedVolumes(_RemoveEach):
    verb: ClassVar[str] = "remove the unused volumes"
    subcommand: ClassVar[tuple[str, ...]] = ("volume", "rm")

    def remove(self, api, item: DiskItem) -> bool:
        api.remove_volume(item.key)  # no force: a volume a container took since the preview is refused, and kept
        return True


@dataclass(frozen=True)
class PruneBuildCache(Action):
    """`docker builder prune --all`: every build cache entry not in use (POST /build/prune?all=1)."""

    plan: CleanupPlan
    verb: ClassVar[str] = "remove the build cache"

    def argv(self) -> list[str]:
        return list(self.plan.argv)

    def run(self, api) -> Freed:
        answer = api.prune_builds(all=True) or {}
        deleted = answer.get("CachesDeleted") or []
        return Freed(self.plan.cleanup, int(answer.get("SpaceReclaimed") or 0), len(deleted))


def action_for(plan: CleanupPlan) -> Action:
    """The action that removes exactly the plan's items."""
    category = plan.items[0].category if plan.items else None
    if plan.cleanup is Cleanup.BUILD_CACHE or category is Category.BUILD_CACHE:
        return PruneBuildCache(plan)
    if plan.cleanup is Cleanup.STOPPED_CONTAINERS:
        return RemovePlannedContainers(plan)
    if plan.cleanup is Cleanup.UNUSED_VOLUMES:
        return RemovePlannedVolumes(plan)
    return RemovePlannedImages(plan)


def preview_lines(plan: CleanupPlan, limit: int = 20) -> list[str]:
    """The plan's items as the confirmation lists them, biggest first: 'name: 120.0 MiB (detail)'."""
    lines = [
        f"{item.name}: {human_bytes(item.reclaimable) if item.reclaimable is not None else 'size unknown'}"
        + (f" ({item.detail})" if item.detail else "")
        for item in plan.items[:limit]
    ]
    if len(plan.items) > limit:
        rest = plan.items[limit:]
        lines.append(f"… and {len(rest)} more ({human_bytes(sum(item.reclaimable or 0 for item in rest))})")
    return lines


__all__ = [
    "Freed",
    "PruneBuildCache",
    "RemovePlannedContainers",
    "RemovePlannedImages",
    "RemovePlannedVolumes",
    "action_for",
    "preview_lines",
]
