"""Whether the engine's disk has room for what the user is about to pull or build: AI images often take 5 to 20 GB,
and a pull or build that runs out of space stops half way with a cryptic error ("no space left on device")."""

from __future__ import annotations

import shutil

from gui.core.format import LOW_DISK_BYTES, human_bytes


def free_bytes(data_root: str) -> int | None:
    """Free bytes on the disk holding the engine's data root (None when it cannot be read). Reads the disk:
    call it from a worker."""
    try:
        return shutil.disk_usage(data_root).free
    except OSError:
        return None


def low_space_sentence(free: int | None, what: str) -> str | None:
    """A warning for the user about to start `what` ("pull", "build"), or None when there is room (or no way to
    tell)."""
    if free is None or free >= LOW_DISK_BYTES:
        return None
    return (
        f"Only {human_bytes(free)} free on the engine's disk, and AI images often take 5 to 20 GiB: the {what} may "
        "stop half way. Free space first: remove images you no longer use, or run docker system prune."
    )
