"""The helper that opens a volume's files to the engine's archive API: a container created (never started) from a
tiny image holding only an empty `volume/` folder, with the volume mounted at /volume. The engine reads and writes
a created container's files, its volumes included, so nothing runs and no image needs pulling.

The image `portside/volume-helper:1` is made once with `docker import` and reused; the helper containers are
labelled, so the ones a crash left behind can be found and removed (`remove_leftover_helpers`)."""

from __future__ import annotations

import io
import secrets
import tarfile
import threading

from gui.core import log
from gui.core.errors import EngineError, NotFound, explain

logger = log.get("files")

HELPER_IMAGE = "portside/volume-helper:1"
HELPER_LABEL = "io.portside.helper"
HELPER_KIND = "volume"
MOUNT_POINT = "/volume"
_image_lock = threading.Lock()  # two windows opening at once make the image once


def ensure_helper_image(client) -> str:
    """The helper image's tag, imported first when the engine does not have it."""
    import docker.errors

    with _image_lock:
        try:
            client.inspect_image(HELPER_IMAGE)
            return HELPER_IMAGE
        except docker.errors.ImageNotFound:
            pass
        repository, tag = HELPER_IMAGE.rsplit(":", 1)
        client.import_image_from_data(
            _empty_volume_folder_tar(),
            repository=repository,
            tag=tag,
            changes=[f"LABEL {HELPER_LABEL}={HELPER_KIND}", 'CMD ["/none"]'],
        )
        logger.info("made the volume helper image %s", HELPER_IMAGE)
        return HELPER_IMAGE


def _empty_volume_folder_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        folder = tarfile.TarInfo("volume")
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(folder)
    return buffer.getvalue()


def helper_name(volume_name: str) -> str:
    """portside-volume-<volume>-<short random>: the volume's name is a valid container name's middle (same
    characters); a 64-character anonymous volume's is shortened."""
    return f"portside-volume-{volume_name[:40]}-{secrets.token_hex(3)}"


def create_helper(client, volume_name: str) -> tuple[str, str]:
    """Creates (never starts) a helper container with the volume at /volume; its id and name. The volume must
    exist: a mount of a missing one would quietly create it."""
    import docker.errors

    try:
        client.inspect_volume(volume_name)
    except docker.errors.NotFound as exc:
        raise NotFound(f"There is no volume named {volume_name} any more. The list has been refreshed.") from exc
    try:
        image = ensure_helper_image(client)
        name = helper_name(volume_name)
        created = client.create_container(
            image,
            command=["/none"],
            name=name,
            labels={HELPER_LABEL: HELPER_KIND},
            network_disabled=True,
            host_config=client.create_host_config(binds={volume_name: {"bind": MOUNT_POINT, "mode": "rw"}}),
        )
    except EngineError:
        raise
    except Exception as exc:
        raise explain(exc, f"open the volume {volume_name}") from exc
    return created["Id"], name


def remove_helper(client, container_id: str) -> None:
    import docker.errors

    try:
        client.remove_container(container_id, force=True)
    except docker.errors.NotFound:
        pass
    except Exception as exc:
        raise explain(exc, "remove the volume's helper container") from exc


def running_user(client, volume_name: str) -> tuple[str, str] | None:
    """A running container that mounts the volume, and where: (container ID, mount point); None when none runs.
    Never fails: without one, the archive lists the folders."""
    try:
        for container in client.containers(filters={"volume": volume_name, "status": "running"}):
            for mount in container.get("Mounts") or []:
                if mount.get("Type") == "volume" and mount.get("Name") == volume_name and mount.get("Destination"):
                    return container["Id"], mount["Destination"]
    except Exception as exc:  # the list is a shortcut only
        logger.info("could not look for a running container that mounts %s: %s", volume_name, exc)
    return None


def remove_leftover_helpers(engine) -> list[str]:
    """Removes every volume helper container (left by a crash: a window removes its own on close); their names."""
    client = engine.new_client()
    try:
        found = client.containers(all=True, filters={"label": f"{HELPER_LABEL}={HELPER_KIND}"})
        removed = []
        for container in found:
            remove_helper(client, container["Id"])
            removed.append((container.get("Names") or [container["Id"][:12]])[0].lstrip("/"))
        return removed
    except EngineError:
        raise
    except Exception as exc:
        raise explain(exc, "remove the volume helper containers") from exc
    finally:
        client.close()
