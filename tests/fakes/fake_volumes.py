"""FakeEngine's volumes (kept apart: fake_engine.py is near its size limit). The volumes are those of the fake's disk
answer (tests/fakes/system_df.json, where the Disk page reads them too); who uses each is `volume_mounts`, container
name: the volumes it mounts. The engine refuses to remove a volume in use, with dockerd 20.10's words."""

from __future__ import annotations

import copy
import secrets


class FakeVolumes:
    """Engine.volumes(), from the fake API's answers as the real one reads the engine's."""

    def volumes(self):
        from gui.core.engine.volumes import volume_rows

        return volume_rows(self.api.volumes()["Volumes"], self.api.containers(all=True))

    def new_client(self, timeout: int = 60):
        """A client of the caller's own, as the Files core and the volume helpers' sweep ask: the fake API."""
        return self.api

    def volume_sizes(self):
        """The sizes, from the same disk answer as the Disk page (GET /system/df); `volume_sizes_gate`, when set, is
        waited on first, so a test sees the list before its sizes."""
        from gui.core.engine.volumes import volume_sizes

        gate = getattr(self, "volume_sizes_gate", None)
        if gate is not None:
            gate.wait(10)
        return volume_sizes(self.api.df())


class FakeVolumeApi:
    """GET /volumes, the container list with its Mounts, and create, inspect and the in-use refusal of removal."""

    def _volume(self, name: str) -> dict | None:
        return next((v for v in self._disk()["Volumes"] if v["Name"] == name), None)

    def volumes(self, filters=None) -> dict:
        listed = [{k: v for k, v in volume.items() if k != "UsageData"} for volume in self._disk()["Volumes"]]
        return {"Volumes": copy.deepcopy(listed), "Warnings": None}

    def close(self) -> None:
        """A client from new_client() closed: the fake API stays."""

    def containers(self, all: bool = False, filters: dict | None = None) -> list[dict]:
        if filters and set(filters) - {"status"}:
            return []  # by label or volume: no fake container carries one (a volume helper's, say)
        mounts = self.engine.volume_mounts
        return [
            {
                "Id": row.id,
                "Names": ["/" + row.name],
                "Mounts": [{"Type": "volume", "Name": name} for name in mounts.get(row.name, ())],
            }
            for row in list(self.engine.containers_by_id.values())
        ]

    def create_volume(self, name=None, driver=None, driver_opts=None, labels=None) -> dict:
        name = name or secrets.token_hex(32)
        volume = self._volume(name)
        if volume is None:  # the engine answers an existing name with that volume, as `docker volume create` does
            volume = {
                "CreatedAt": "2026-12-01T09:00:00Z",
                "Driver": driver or "local",
                "Labels": labels,
                "Mountpoint": f"/var/lib/docker/volumes/{name}/_data",
                "Name": name,
                "Options": driver_opts,
                "Scope": "local",
                "UsageData": {"RefCount": 0, "Size": 0},
            }
            self._disk()["Volumes"].append(volume)
        return {k: v for k, v in copy.deepcopy(volume).items() if k != "UsageData"}

    def inspect_volume(self, name: str) -> dict:
        from tests.fakes.fake_engine import api_error

        volume = self._volume(name)
        if volume is None:
            raise api_error(404, f"get {name}: no such volume")
        return {k: v for k, v in copy.deepcopy(volume).items() if k != "UsageData"}

    def _refuse_in_use(self, name: str) -> None:
        from tests.fakes.fake_engine import api_error

        mounts = self.engine.volume_mounts
        users = [row.id for row in list(self.engine.containers_by_id.values()) if name in mounts.get(row.name, ())]
        if users:
            raise api_error(409, f"remove {name}: volume is in use - [{', '.join(users)}]")
