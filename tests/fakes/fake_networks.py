"""FakeEngine's networks (kept apart: fake_engine.py is near its size limit). The engine's own bridge, host and none,
plus whatever a test adds to `networks`; who is attached is `network_attached`, container name: its networks. The
engine refuses to remove a network with containers attached, or one of its own, with dockerd 20.10's words."""

from __future__ import annotations

import copy
import secrets

BUILTIN_NETWORKS = [
    {"Name": name, "Id": name[0] * 64, "Created": "2026-12-01T08:00:00Z", "Scope": "local", "Driver": driver}
    | {"IPAM": {"Config": config}, "Internal": False, "Labels": {}}
    for name, driver, config in (
        ("bridge", "bridge", [{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}]),
        ("host", "host", []),
        ("none", "null", []),
    )
]


class FakeNetworks:
    """Engine.networks(), from the fake API's answers as the real one reads the engine's."""

    def networks(self):
        from gui.core.engine.networks import network_rows

        return network_rows(self.api.networks(), self.api.containers(all=True))


class FakeNetworkApi:
    """GET /networks, create, remove (refused while in use), connect, disconnect and inspect."""

    def _network(self, name: str) -> dict:
        from tests.fakes.fake_engine import api_error

        found = next((n for n in self.engine.networks_raw if name in (n["Name"], n["Id"])), None)
        if found is None:
            raise api_error(404, f"network {name} not found")
        return found

    def networks(self, names=None, ids=None, filters=None) -> list[dict]:
        return copy.deepcopy(self.engine.networks_raw)

    def create_network(self, name, driver=None, ipam=None, labels=None, **_kwargs) -> dict:
        network = {
            "Name": name,
            "Id": secrets.token_hex(32),
            "Created": "2026-12-02T09:00:00Z",
            "Scope": "local",
            "Driver": driver or "bridge",
            "IPAM": {"Config": [{"Subnet": pool["Subnet"]} for pool in (ipam or {}).get("Config", [])]},
            "Internal": False,
            "Labels": labels or {},
        }
        self.engine.networks_raw.append(network)
        return {"Id": network["Id"], "Warning": ""}

    def remove_network(self, net_id: str) -> None:
        from tests.fakes.fake_engine import api_error

        network = self._network(net_id)
        name = network["Name"]
        if name in ("bridge", "host", "none"):
            raise api_error(403, f"{name} is a pre-defined network and cannot be removed")
        if any(name in nets for nets in self.engine.network_attached.values()):
            raise api_error(
                403, f"error while removing network: network {name} id {network['Id']} has active endpoints"
            )
        self.engine.networks_raw.remove(network)

    def connect_container_to_network(self, container, net_id, **_kwargs) -> None:
        name = self._network(net_id)["Name"]
        self.engine.network_attached.setdefault(container, []).append(name)

    def disconnect_container_from_network(self, container, net_id, force=False) -> None:
        name = self._network(net_id)["Name"]
        self.engine.network_attached[container] = [
            n for n in self.engine.network_attached.get(container, []) if n != name
        ]

    def inspect_network(self, net_id, **_kwargs) -> dict:
        return copy.deepcopy(self._network(net_id))

    def containers(self, all: bool = False, filters: dict | None = None) -> list[dict]:
        """The container list as FakeVolumeApi answers it, with each container's networks added."""
        listed = super().containers(all=all, filters=filters)
        attached = self.engine.network_attached
        for raw in listed:
            nets = attached.get(raw["Names"][0].lstrip("/"), ())
            raw["NetworkSettings"] = {"Networks": {net: {} for net in nets}}
        return listed
