"""Rows for the lists: plain data built from the engine's list payloads. No Qt, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from gui.core.format import short_id

NONE_TAG = "<none>"


@dataclass(frozen=True, order=True)
class PublishedPort:
    host_port: int
    container_port: int
    protocol: str = "tcp"
    host_ip: str = ""

    @property
    def url(self) -> str | None:
        """A link the user can click: loopback for ports published on all or local interfaces."""
        if self.protocol != "tcp":
            return None
        host = "127.0.0.1" if self.host_ip in ("", "0.0.0.0", "::", "127.0.0.1") else self.host_ip
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.host_port}"

    def __str__(self) -> str:
        where = f"{self.host_ip}:" if self.host_ip not in ("", "0.0.0.0", "::") else ""
        suffix = "" if self.protocol == "tcp" else f"/{self.protocol}"
        return f"{where}{self.host_port}->{self.container_port}{suffix}"


@dataclass(frozen=True)
class ContainerRow:
    id: str
    name: str
    image: str
    image_id: str
    command: str
    state: str  # created, running, paused, restarting, removing, exited, dead
    status: str  # the engine's own words: "Up 3 minutes", "Exited (0) 2 hours ago"
    created: float
    ports: tuple[PublishedPort, ...] = ()
    exposed: tuple[str, ...] = ()  # container ports not published, like "80/tcp"
    labels: tuple[tuple[str, str], ...] = ()
    network_mode: str = ""  # HostConfig.NetworkMode: "host" has no network of its own

    @property
    def short_id(self) -> str:
        return short_id(self.id)

    @property
    def running(self) -> bool:
        return self.state in ("running", "restarting", "paused")

    @property
    def browser_url(self) -> str | None:
        """Where "Open in browser" goes: the first published TCP port, on loopback when published widely."""
        return next((port.url for port in self.ports if port.url), None)


@dataclass(frozen=True)
class ImageRow:
    """One row per repository:tag, as `docker images` shows; untagged images get one <none> row."""

    id: str
    repository: str
    tag: str
    created: float
    size: int
    used_by: int = 0
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.id}|{self.repository}:{self.tag}"

    @property
    def short_id(self) -> str:
        return short_id(self.id)

    @property
    def dangling(self) -> bool:
        return self.tag == NONE_TAG

    @property
    def reference(self) -> str:
        """What to type to name this row: repo:tag, or the id when untagged."""
        return self.short_id if self.dangling else f"{self.repository}:{self.tag}"


def _ports(raw: list[dict]) -> tuple[tuple[PublishedPort, ...], tuple[str, ...]]:
    published, exposed = set(), set()
    for port in raw or []:
        protocol = port.get("Type", "tcp")
        if port.get("PublicPort"):
            published.add(
                PublishedPort(int(port["PublicPort"]), int(port["PrivatePort"]), protocol, port.get("IP", ""))
            )
        else:
            exposed.add(f"{port.get('PrivatePort')}/{protocol}")
    # The engine lists IPv4 and IPv6 bindings of one port separately; show one per host port.
    by_port: dict[tuple[int, int, str], PublishedPort] = {}
    for port in sorted(published, key=lambda p: (p.host_port, ":" in p.host_ip, p.host_ip)):
        by_port.setdefault((port.host_port, port.container_port, port.protocol), port)
    # Sorted by us, so rows do not flicker when the engine changes its order.
    return tuple(sorted(by_port.values())), tuple(sorted(exposed))


def container_row(raw: dict) -> ContainerRow:
    names = raw.get("Names") or []
    ports, exposed = _ports(raw.get("Ports") or [])
    return ContainerRow(
        id=raw["Id"],
        name=(names[0].lstrip("/") if names else short_id(raw["Id"])),
        image=raw.get("Image", ""),
        image_id=raw.get("ImageID", ""),
        command=raw.get("Command", ""),
        state=raw.get("State", "unknown"),
        status=raw.get("Status", ""),
        created=float(raw.get("Created") or 0),
        ports=ports,
        exposed=exposed,
        labels=tuple(sorted((raw.get("Labels") or {}).items())),
        network_mode=str((raw.get("HostConfig") or {}).get("NetworkMode") or ""),
    )


def image_rows(raw_images: list[dict], containers: list[ContainerRow]) -> list[ImageRow]:
    used_by: dict[str, int] = {}
    for container in containers:
        used_by[container.image_id] = used_by.get(container.image_id, 0) + 1
    rows = []
    for raw in raw_images:
        tags = [t for t in (raw.get("RepoTags") or []) if t != "<none>:<none>"]
        common = dict(
            id=raw["Id"],
            created=float(raw.get("Created") or 0),
            size=int(raw.get("Size") or 0),
            used_by=used_by.get(raw["Id"], 0),
            labels=tuple(sorted((raw.get("Labels") or {}).items())),
        )
        if not tags:
            # Untagged but pulled by digest still has a repository name worth showing.
            digests = raw.get("RepoDigests") or []
            repository = digests[0].split("@")[0] if digests and digests[0] != "<none>@<none>" else NONE_TAG
            rows.append(ImageRow(repository=repository, tag=NONE_TAG, **common))
        for tag in tags:
            repository, _, tag_name = tag.rpartition(":")
            rows.append(ImageRow(repository=repository, tag=tag_name, **common))
    return rows
