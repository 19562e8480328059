"""Volumes: the engine's named stores of files (where models and datasets live), which containers use each, and
the actions on them, each with its `docker volume …` twin. No Qt.

Which containers use a volume comes from the container list (GET /containers/json?all=1), whose `Mounts` name
each volume a container mounts: GET /volumes says only that a volume exists, not who uses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

from gui.core.disk.usage import is_anonymous
from gui.core.engine.actions import Action
from gui.core.engine.inspect_summary import parse_timestamp

if TYPE_CHECKING:
    import docker

# Docker's rule for a local volume's name (daemon/names.RestrictedNamePattern): two characters at least.
_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")
REFUSED = 409  # the engine refuses to remove a volume a container uses
GONE = 404


@dataclass(frozen=True)
class VolumeRow:
    name: str
    driver: str
    mountpoint: str
    created: float | None  # seconds since the epoch; None when the engine did not say
    labels: tuple[tuple[str, str], ...] = ()
    anonymous: bool = False  # made by `docker run -v /path` with no name: its name is 64 hex digits
    used_by: tuple[str, ...] = ()  # the containers (running or stopped) that mount it, by name
    size: int | None = None  # bytes, from `docker system df -v`, read after the list (the engine walks every file)

    @property
    def in_use(self) -> bool:
        return bool(self.used_by)

    def in_use_sentence(self) -> str:
        """Why it cannot be removed now, and what to do: 'web uses this volume: remove that container first …'."""
        users = self.used_by
        who = users[0] if len(users) == 1 else f"{', '.join(users[:-1])} and {users[-1]}"
        verb, that = ("uses", "that container") if len(users) == 1 else ("use", "those containers")
        return f"{who} {verb} this volume: remove {that} first (docker rm {' '.join(users)}), then the volume."


def _users(containers_raw: list[dict]) -> dict[str, list[str]]:
    """Volume name: the names of the containers that mount it, from each container's Mounts."""
    users: dict[str, list[str]] = {}
    for raw in containers_raw:
        names = raw.get("Names") or []
        container = names[0].lstrip("/") if names else str(raw.get("Id", ""))[:12]
        for mount in raw.get("Mounts") or []:
            if mount.get("Type") == "volume" and mount.get("Name"):
                users.setdefault(mount["Name"], []).append(container)
    return users


def volume_rows(raw_volumes: list[dict], containers_raw: list[dict]) -> list[VolumeRow]:
    """Rows from GET /volumes' `Volumes` and the container list (which says who mounts what)."""
    users = _users(containers_raw)
    rows = []
    for raw in raw_volumes:
        name = raw["Name"]
        labels = raw.get("Labels") or {}
        rows.append(
            VolumeRow(
                name=name,
                driver=raw.get("Driver") or "",
                mountpoint=raw.get("Mountpoint") or "",
                created=parse_timestamp(raw.get("CreatedAt")),
                labels=tuple(sorted(labels.items())),
                anonymous=is_anonymous(labels, name),
                used_by=tuple(sorted(set(users.get(name, ())))),
            )
        )
    return rows


def volume_sizes(df: dict) -> dict[str, int | None]:
    """Each volume's size from GET /system/df's `Volumes` (UsageData.Size; -1 when the engine did not measure it,
    as for a volume of a driver other than local)."""
    sizes: dict[str, int | None] = {}
    for raw in df.get("Volumes") or []:
        size = (raw.get("UsageData") or {}).get("Size")
        sizes[raw["Name"]] = None if size is None or int(size) < 0 else int(size)
    return sizes


def with_sizes(rows: list[VolumeRow], sizes: dict[str, int | None]) -> list[VolumeRow]:
    """The rows with the sizes last measured (a volume measured before keeps its size until the next measure)."""
    return [replace(row, size=sizes.get(row.name, row.size)) for row in rows]


def unused(rows: list[VolumeRow]) -> list[VolumeRow]:
    """The volumes no container uses, running or stopped: exactly what Remove unused offers to remove."""
    return [row for row in rows if not row.in_use]


def name_problem(name: str) -> str | None:
    """What is wrong with a name typed for a new volume, as a sentence; None when it is fine (empty is fine: the
    engine then picks a name)."""
    name = name.strip()
    if not name or _NAME.fullmatch(name):
        return None
    if len(name) == 1:
        return "A volume name needs at least two characters. Leave it empty to let Docker pick one."
    if not name[0].isascii() or not name[0].isalnum():
        return f"A volume name must start with a letter or a digit, not {name[0]!r}."
    bad = sorted({c for c in name if not (c.isascii() and (c.isalnum() or c in "_.-"))})
    return f"A volume name may hold only letters, digits, _ . and -, not {' '.join(repr(c) for c in bad)}."


# Actions ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateVolume(Action):
    """`docker volume create [NAME]`; the engine picks a name when none is given. Returns the volume's name."""

    name: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    verb: ClassVar[str] = "create the volume"

    def argv(self) -> list[str]:
        label_flags = [part for key, value in self.labels for part in ("--label", f"{key}={value}")]
        return ["docker", "volume", "create", *label_flags, *([self.name] if self.name else [])]

    def run(self, api: docker.APIClient) -> str:
        answer = api.create_volume(self.name or None, labels=dict(self.labels) or None)
        return str((answer or {}).get("Name") or self.name or "")


@dataclass(frozen=True)
class RemoveVolume(Action):
    """`docker volume rm NAME`, never forced: the engine refuses a volume in use (409)."""

    name: str
    verb: ClassVar[str] = "remove the volume"

    def argv(self) -> list[str]:
        return ["docker", "volume", "rm", self.name]

    def run(self, api) -> None:
        api.remove_volume(self.name)


@dataclass(frozen=True)
class InspectVolume(Action):
    name: str
    verb: ClassVar[str] = "inspect the volume"

    def argv(self) -> list[str]:
        return ["docker", "volume", "inspect", self.name]

    def run(self, api) -> dict:
        return api.inspect_volume(self.name)


@dataclass(frozen=True)
class RemovedVolumes:
    """What Remove unused did: the volumes removed, and those kept, each with the engine's reason."""

    removed: tuple[str, ...] = ()
    kept: tuple[tuple[str, str], ...] = ()  # (name, why)

    def sentence(self) -> str:
        text = f"Removed {len(self.removed)} unused volume(s)" + (
            f": {', '.join(self.removed)}." if self.removed else "."
        )
        if self.kept:
            names = ", ".join(name for name, _why in self.kept)
            text += f" Kept {names}: a container uses it since the preview."
        return text


@dataclass(frozen=True)
class RemoveUnusedVolumes(Action):
    """Exactly the volumes the preview listed, each removed by name and never forced: a prune would take whatever is
    unused when it runs, which may be more than the user saw. One gone since is skipped; one a container took since
    is kept and named."""

    names: tuple[str, ...] = field(default=())
    verb: ClassVar[str] = "remove the unused volumes"

    def argv(self) -> list[str]:
        return ["docker", "volume", "rm", *self.names]

    def run(self, api) -> RemovedVolumes:
        import docker.errors  # here: docker-py is slow to import, and views import this module

        removed, kept = [], []
        for name in self.names:
            try:
                api.remove_volume(name)
            except docker.errors.APIError as exc:
                if exc.status_code == GONE:
                    continue
                if exc.status_code != REFUSED:
                    raise
                kept.append((name, str(exc.explanation or exc).splitlines()[0]))
                continue
            removed.append(name)
        return RemovedVolumes(tuple(removed), tuple(kept))
