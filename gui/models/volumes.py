"""The Volumes table: which columns, how each cell reads, and headers that explain the words. Presentation only."""

from __future__ import annotations

from gui.core.engine.volumes import VolumeRow
from gui.core.format import exact_bytes, human_bytes, local_time, relative_time
from gui.models.lists import ExplainedHeaders
from gui.models.table import Column, RowTableModel

VOLUME_HEADER_TIPS = {
    "Name": "A volume is a store of files the engine keeps apart from any container: the place for models, datasets "
    "and results. It is kept when a container is removed, so the next container can mount it again.",
    "Used by": "The containers, running or stopped, that mount this volume; a volume in use cannot be removed until "
    "they are.",
    "Size": "The space the volume's files take, measured by the engine (docker system df -v) after the list is read: "
    "it walks every file, which takes a while for big datasets.",
    "Driver": "Who stores the files: local keeps them on this computer's disk; plugins can keep them elsewhere.",
    "Mount point": "Where the files are on the engine's computer (usually only root may read them there); inside a "
    "container they appear at the path given with docker run -v NAME:/path.",
    "Created": "When the volume was made (docker volume create, or the first docker run that named it).",
}


def _name_tooltip(row: VolumeRow) -> str:
    kind = (
        "Anonymous: made by docker run -v /path without a name, so the engine named it."
        if row.anonymous
        else "Named volume."
    )
    labels = "\n".join(f"{key}={value}" for key, value in row.labels)
    return "\n".join(part for part in (row.name, kind, labels) if part)


def _used_by_tooltip(row: VolumeRow) -> str:
    if not row.used_by:
        return "No container uses this volume: Remove unused… would remove it."
    return "Used by " + ", ".join(row.used_by) + ". Remove those containers before the volume."


VOLUME_COLUMNS = [
    Column("Name", lambda r: r.name, tooltip=_name_tooltip),
    Column(
        "Used by",
        lambda r: ", ".join(r.used_by) or "-",
        sort_key=lambda r: (len(r.used_by), r.used_by),
        tooltip=_used_by_tooltip,
    ),
    Column(
        "Size",
        lambda r: human_bytes(r.size) if r.size is not None else "-",
        sort_key=lambda r: -1 if r.size is None else r.size,
        tooltip=lambda r: (
            exact_bytes(r.size)
            if r.size is not None
            else "Not measured (yet): a driver other than local, or the engine is still measuring."
        ),
        align_right=True,
    ),
    Column("Driver", lambda r: r.driver),
    Column("Mount point", lambda r: r.mountpoint, tooltip=lambda r: r.mountpoint),
    Column(
        "Created",
        lambda r: relative_time(r.created) if r.created else "-",
        sort_key=lambda r: r.created or 0.0,
        tooltip=lambda r: local_time(r.created) if r.created else "The engine did not say.",
    ),
]
VOLUME_SIZE_COLUMN = 2
VOLUME_CREATED_COLUMN = 5


def volumes_model(parent=None) -> RowTableModel[VolumeRow]:
    return ExplainedHeaders(VOLUME_COLUMNS, lambda row: row.name, VOLUME_HEADER_TIPS, parent=parent)
