"""What the engine's data takes on disk, from its answer to GET /system/df (`docker system df -v`), and the clean-up
plans built on it.

The numbers follow the docker CLI's own (cli/command/formatter/disk_usage.go), so the page and `docker system df`
agree: images take the engine's LayersSize, of which all is reclaimable but the unique size of images a container
uses; containers take their writable layers (SizeRw), reclaimable for those not running, paused or restarting;
volumes take their measured size, reclaimable where no container refers to them (RefCount 0); build cache takes its
entries not shared with images, reclaimable but those in use.

A plan lists exactly the items a clean-up would remove and the bytes that come back; the clean-up then removes those
items and nothing else (gui.core.disk.cleanup). Images share layers, so an image plan gives a range: at least the
planned images' unique sizes, at most their full sizes (and never more than the images' reclaimable space).
"""

from __future__ import annotations

import enum
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace

from gui.core.format import human_bytes, short_id

ACTIVE_CONTAINER_STATES = ("running", "paused", "restarting")  # the CLI's isActive: their layers are not reclaimable
ANONYMOUS_VOLUME_LABEL = "com.docker.volume.anonymous"  # set by engines 23 and later
VOLUME_PRUNE_ALL_API = (1, 42)  # from this API version, `docker volume prune` alone keeps named volumes
NO_TAG = "<none>:<none>"


class Category(enum.Enum):
    IMAGES = "Images"
    CONTAINERS = "Containers"
    VOLUMES = "Local Volumes"
    BUILD_CACHE = "Build Cache"


@dataclass(frozen=True)
class DiskItem:
    """One image, container, volume or build cache entry. `reclaimable` is what removing it alone frees (None: the
    engine did not measure it); `key` is what the engine removes it by (image id, container id, volume name, cache
    id)."""

    category: Category
    key: str
    name: str
    size: int | None
    reclaimable: int | None
    in_use: bool
    detail: str = ""
    references: tuple[str, ...] = ()  # an image's tags, removed one by one
    labels: tuple[tuple[str, str], ...] = ()

    def label(self, key: str) -> str | None:
        return dict(self.labels).get(key)

    @property
    def dangling(self) -> bool:
        return self.category is Category.IMAGES and not self.references


@dataclass(frozen=True)
class CategoryUsage:
    category: Category
    items: tuple[DiskItem, ...]  # biggest first
    size: int
    reclaimable: int
    active: int  # how many are in use (the CLI's ACTIVE column)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def used(self) -> int:
        return max(0, self.size - self.reclaimable)


@dataclass(frozen=True)
class DiskUsage:
    images: CategoryUsage
    containers: CategoryUsage
    volumes: CategoryUsage
    build_cache: CategoryUsage
    api_version: str = ""  # decides what `docker volume prune` removes

    @property
    def categories(self) -> tuple[CategoryUsage, ...]:
        return (self.images, self.containers, self.volumes, self.build_cache)

    def category(self, category: Category) -> CategoryUsage:
        return next(usage for usage in self.categories if usage.category is category)

    @property
    def size(self) -> int:
        return sum(usage.size for usage in self.categories)

    @property
    def reclaimable(self) -> int:
        return sum(usage.reclaimable for usage in self.categories)


def _measured(value) -> int | None:
    """The engine says -1 (or nothing) for a size it did not compute."""
    return None if value is None or int(value) < 0 else int(value)


def _labels(raw: dict | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((raw or {}).items()))


def _biggest_first(items: list[DiskItem]) -> tuple[DiskItem, ...]:
    return tuple(sorted(items, key=lambda item: (-(item.size or 0), item.name)))


# Images --------------------------------------------------------------------------------------------------------------


def _image_item(raw: dict) -> DiskItem:
    tags = tuple(tag for tag in raw.get("RepoTags") or () if tag != NO_TAG)
    size = _measured(raw.get("Size"))
    shared = _measured(raw.get("SharedSize"))
    unique = size - shared if size is not None and shared is not None else None
    users = int(raw.get("Containers") or 0)
    if users > 0:
        detail = f"used by {users} container{'s' if users != 1 else ''}"
    else:
        detail = "dangling (untagged), unused" if not tags else "unused"
    if shared:
        detail += f"; {human_bytes(shared)} shared with other images"
    return DiskItem(
        Category.IMAGES,
        raw["Id"],
        tags[0] if tags else f"<none> ({short_id(raw['Id'])})",
        size,
        0 if users > 0 else unique,
        users > 0,
        detail,
        tags,
        _labels(raw.get("Labels")),
    )


def _images(df: dict) -> CategoryUsage:
    raws = df.get("Images") or []
    items = [_image_item(raw) for raw in raws]
    total = _measured(df.get("LayersSize"))
    if total is None:
        total = sum(item.size or 0 for item in items)
    used = 0
    for raw in raws:
        size, shared = _measured(raw.get("Size")), _measured(raw.get("SharedSize"))
        if int(raw.get("Containers") or 0) != 0 and size is not None and shared is not None:
            used += size - shared
    active = sum(1 for item in items if item.in_use)
    return CategoryUsage(Category.IMAGES, _biggest_first(items), total, max(0, total - used), active)


# Containers ----------------------------------------------------------------------------------------------------------


def _container_item(raw: dict) -> DiskItem:
    names = raw.get("Names") or []
    name = names[0].lstrip("/") if names else short_id(raw["Id"])
    size = int(raw.get("SizeRw") or 0)
    state = str(raw.get("State") or "")
    active = any(word in state for word in ACTIVE_CONTAINER_STATES)
    detail = f"{raw.get('Status') or state}; image {raw.get('Image', '')}".strip()
    return DiskItem(
        Category.CONTAINERS,
        raw["Id"],
        name,
        size,
        0 if active else size,
        active,
        detail,
        labels=_labels(raw.get("Labels")),
    )


def _containers(df: dict) -> CategoryUsage:
    items = [_container_item(raw) for raw in df.get("Containers") or []]
    return CategoryUsage(
        Category.CONTAINERS,
        _biggest_first(items),
        sum(item.size or 0 for item in items),
        sum(item.reclaimable or 0 for item in items),
        sum(1 for item in items if item.in_use),
    )


# Volumes -------------------------------------------------------------------------------------------------------------


def is_anonymous(raw_labels: dict | None, name: str) -> bool:
    """Engines before 23 do not label anonymous volumes: their names are then 64 hex digits, the engine's own ids."""
    if ANONYMOUS_VOLUME_LABEL in (raw_labels or {}):
        return True
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def _volume_item(raw: dict) -> DiskItem:
    usage = raw.get("UsageData") or {}
    size = _measured(usage.get("Size"))
    references = int(usage.get("RefCount") or 0)
    anonymous = is_anonymous(raw.get("Labels"), raw["Name"])
    if references > 0:
        detail = f"used by {references} container{'s' if references != 1 else ''}"
    else:
        detail = "no container uses it"
    detail += "; anonymous" if anonymous else "; named"
    return DiskItem(
        Category.VOLUMES,
        raw["Name"],
        raw["Name"],
        size,
        size if references == 0 else 0,
        references > 0,
        detail,
        labels=_labels(raw.get("Labels")),
    )


def _volumes(df: dict) -> CategoryUsage:
    items = [_volume_item(raw) for raw in df.get("Volumes") or []]
    return CategoryUsage(
        Category.VOLUMES,
        _biggest_first(items),
        sum(item.size or 0 for item in items),
        sum(item.reclaimable or 0 for item in items),
        sum(1 for item in items if item.in_use),
    )


# Build cache ---------------------------------------------------------------------------------------------------------


def _cache_item(raw: dict) -> DiskItem:
    size = int(raw.get("Size") or 0)
    in_use, shared = bool(raw.get("InUse")), bool(raw.get("Shared"))
    kind = raw.get("Type") or "cache"
    name = raw.get("Description") or f"{kind} {short_id(raw['ID'])}"
    words = [kind]
    if in_use:
        words.append("in use")
    if shared:
        words.append("shared with images")
    if raw.get("UsageCount"):
        words.append(f"used {raw['UsageCount']} times")
    return DiskItem(
        Category.BUILD_CACHE,
        raw["ID"],
        name,
        size,
        0 if in_use or shared else size,
        in_use,
        ", ".join(words),
    )


def _build_cache(df: dict) -> CategoryUsage:
    raws = df.get("BuildCache") or []
    items = [_cache_item(raw) for raw in raws]
    size = sum(int(raw.get("Size") or 0) for raw in raws if not raw.get("Shared"))
    in_use = sum(int(raw.get("Size") or 0) for raw in raws if raw.get("InUse") and not raw.get("Shared"))
    builder = _measured(df.get("BuilderSize"))
    reclaimable = (builder if builder is not None else size) - in_use
    return CategoryUsage(
        Category.BUILD_CACHE, _biggest_first(items), size, max(0, reclaimable), sum(1 for i in items if i.in_use)
    )


def disk_usage(df: dict, api_version: str = "") -> DiskUsage:
    """The engine's GET /system/df answer (docker-py's `api.df()`) as four categories."""
    return DiskUsage(_images(df), _containers(df), _volumes(df), _build_cache(df), api_version)


# Clean-up plans ------------------------------------------------------------------------------------------------------


class Cleanup(enum.Enum):
    DANGLING_IMAGES = "dangling images"
    UNUSED_IMAGES = "unused images"
    STOPPED_CONTAINERS = "stopped containers"
    UNUSED_VOLUMES = "unused volumes"
    BUILD_CACHE = "build cache"

    @property
    def title(self) -> str:
        return f"Remove {self.value}"

    @property
    def noun(self) -> tuple[str, str]:
        """What one and several of its items are called: ("image", "images")."""
        return {
            Cleanup.DANGLING_IMAGES: ("image", "images"),
            Cleanup.UNUSED_IMAGES: ("image", "images"),
            Cleanup.STOPPED_CONTAINERS: ("container", "containers"),
            Cleanup.UNUSED_VOLUMES: ("volume", "volumes"),
            Cleanup.BUILD_CACHE: ("build cache entry", "build cache entries"),
        }[self]


@dataclass(frozen=True)
class CleanupPlan:
    """Exactly what a clean-up removes and the bytes that come back (between `bytes` and `bytes_at_most` for images,
    which share layers), with the docker command that does the same clean-up."""

    cleanup: Cleanup
    items: tuple[DiskItem, ...]
    bytes: int
    bytes_at_most: int
    argv: tuple[str, ...]
    note: str = ""

    @property
    def command(self) -> str:
        return shlex.join(self.argv)

    @property
    def empty(self) -> bool:
        return not self.items

    @property
    def exact(self) -> bool:
        return self.bytes == self.bytes_at_most

    def space_words(self) -> str:
        """ "1.2 GiB", or "between 200.0 MiB and 1.2 GiB" where shared layers leave it open."""
        if self.exact:
            return human_bytes(self.bytes)
        return f"between {human_bytes(self.bytes)} and {human_bytes(self.bytes_at_most)}"

    def only(self, keep: Callable[[DiskItem], bool]) -> CleanupPlan:
        """The plan narrowed to the items `keep` accepts (a test keeps its own labelled objects)."""
        items = tuple(item for item in self.items if keep(item))
        least = sum(item.reclaimable or 0 for item in items)
        most = max(least, min(self.bytes_at_most, sum(item.size or 0 for item in items)))
        if self.cleanup is Cleanup.BUILD_CACHE or self.cleanup in _EXACT:
            most = least
        return replace(self, items=items, bytes=least, bytes_at_most=most)


_EXACT = (Cleanup.STOPPED_CONTAINERS, Cleanup.UNUSED_VOLUMES)


def _api_at_least(api_version: str, wanted: tuple[int, ...]) -> bool:
    try:
        return tuple(int(part) for part in api_version.split(".")) >= wanted
    except ValueError:
        return False


def _image_plan(cleanup: Cleanup, usage: DiskUsage, items: tuple[DiskItem, ...], argv: tuple[str, ...]):
    least = sum(item.reclaimable or 0 for item in items)
    most = min(usage.images.reclaimable, sum(item.size or 0 for item in items))
    note = ""
    if most > least:
        note = (
            "Images share layers: a layer shared only by images in this list is freed too, one an image you keep "
            "also uses stays."
        )
    return CleanupPlan(cleanup, items, least, max(least, most), argv, note)


def plan(usage: DiskUsage, cleanup: Cleanup) -> CleanupPlan:
    """Exactly what `cleanup` would remove, from this reading of the engine's disk usage."""
    if cleanup is Cleanup.DANGLING_IMAGES:
        items = tuple(item for item in usage.images.items if item.dangling and not item.in_use)
        return _image_plan(cleanup, usage, items, ("docker", "image", "prune", "--force"))
    if cleanup is Cleanup.UNUSED_IMAGES:
        items = tuple(item for item in usage.images.items if not item.in_use)
        return _image_plan(cleanup, usage, items, ("docker", "image", "prune", "--all", "--force"))
    if cleanup is Cleanup.STOPPED_CONTAINERS:
        items = tuple(item for item in usage.containers.items if not item.in_use)
        freed = sum(item.reclaimable or 0 for item in items)
        return CleanupPlan(cleanup, items, freed, freed, ("docker", "container", "prune", "--force"))
    if cleanup is Cleanup.UNUSED_VOLUMES:
        items = tuple(item for item in usage.volumes.items if not item.in_use)
        freed = sum(item.reclaimable or 0 for item in items)
        if _api_at_least(usage.api_version, VOLUME_PRUNE_ALL_API):
            argv = ("docker", "volume", "prune", "--all", "--force")
            note = (
                f"This engine speaks API {usage.api_version}: there `docker volume prune` alone removes only "
                "anonymous volumes; --all removes named ones too, as this list does."
            )
        else:
            argv = ("docker", "volume", "prune", "--force")
            note = (
                f"This engine speaks API {usage.api_version or 'before 1.42'}: `docker volume prune` removes named "
                "and anonymous unused volumes alike, as this list does."
            )
        return CleanupPlan(cleanup, items, freed, freed, argv, note)
    items = tuple(item for item in usage.build_cache.items if not item.in_use)
    freed = usage.build_cache.reclaimable if items else 0
    note = "The engine removes build cache as a whole: every entry not in use goes (the list), none that is."
    return CleanupPlan(cleanup, items, freed, freed, ("docker", "builder", "prune", "--all", "--force"), note)


def plans(usage: DiskUsage) -> dict[Cleanup, CleanupPlan]:
    return {cleanup: plan(usage, cleanup) for cleanup in Cleanup}
