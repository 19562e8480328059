"""Run a freshly built image in one click: detached, its exposed TCP ports published on 127.0.0.1.

The full Run dialog (ports, GPUs, environment, volumes) is its own piece of work; this is the
shortest safe path from "it built" to "it answers in the browser"."""
from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import ClassVar

from gui.core.actions import Action


@dataclass(frozen=True)
class RunImage(Action):
    image: str
    ports: tuple[tuple[int, int], ...] = ()   # (host port on 127.0.0.1, container port), TCP
    verb: ClassVar[str] = "run the image"

    def argv(self) -> list[str]:
        published = [arg for host, container in self.ports for arg in ("-p", f"127.0.0.1:{host}:{container}")]
        return ["docker", "run", "--detach", *published, self.image]

    def run(self, api) -> str:
        """Creates and starts the container; returns its id. A container that cannot start is removed,
        so nothing half-made is left behind."""
        bindings = {f"{container}/tcp": ("127.0.0.1", host) for host, container in self.ports}
        created = api.create_container(self.image, detach=True, ports=[container for _, container in self.ports],
                                       host_config=api.create_host_config(port_bindings=bindings))
        try:
            api.start(created["Id"])
        except Exception:
            api.remove_container(created["Id"], force=True)
            raise
        return created["Id"]

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{host}" for host, _ in self.ports]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exposed_tcp_ports(image_inspect: dict) -> list[int]:
    ports = (image_inspect.get("Config") or {}).get("ExposedPorts") or {}
    return sorted(int(key.split("/")[0]) for key in ports if key.endswith("/tcp") and key.split("/")[0].isdigit())


def plan_quick_run(image: str, image_inspect: dict) -> RunImage:
    """The same port on the host when it is free (5000 stays 5000, as in the seed), another one when not.
    Privileged host ports (< 1024) map to 5000 and up, so no root is needed: `-p 5000:80` like the seed."""
    chosen: list[tuple[int, int]] = []
    taken: set[int] = set()
    for container_port in exposed_tcp_ports(image_inspect):
        preferred = container_port if container_port >= 1024 else 5000
        host = next((candidate for candidate in range(preferred, preferred + 50)
                     if candidate not in taken and port_is_free(candidate)), None) or free_port()
        taken.add(host)
        chosen.append((host, container_port))
    return RunImage(image, tuple(chosen))
