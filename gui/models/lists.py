"""The containers and images tables: which columns, how each cell reads. Presentation only."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from gui.core.compose.projects import grouped_order, project_of, service_of
from gui.core.engine.exit_codes import exit_code_of_status, meaning
from gui.core.engine.rows import ContainerRow, ImageRow
from gui.core.format import exact_bytes, human_bytes, human_duration, local_time, relative_time
from gui.core.monitor.gpu_use import GpuUseState
from gui.models.table import Column, RowTableModel

# Colours readable on light and dark palettes.
STATE_COLOURS = {
    "running": "#2e9d49",
    "paused": "#c08a00",
    "restarting": "#c08a00",
    "created": "#5b7fbf",
    "exited": "#8a8a8a",
    "dead": "#d03b3b",
    "removing": "#c08a00",
}


def _state_colour(row: ContainerRow) -> QColor:
    colour = STATE_COLOURS.get(row.state, "#8a8a8a")
    if row.state == "exited" and not row.status.startswith("Exited (0)"):
        colour = STATE_COLOURS["dead"]  # a non-zero exit deserves attention
    return QColor(colour)


def _ports_text(row: ContainerRow) -> str:
    return ", ".join(port.url or str(port) for port in row.ports) or ", ".join(row.exposed)


def _ports_tooltip(row: ContainerRow) -> str:
    lines = [f"{port} (open {port.url})" if port.url else str(port) for port in row.ports]
    if row.exposed:
        lines.append("Exposed, not published: " + ", ".join(row.exposed))
    return "\n".join(lines) or "No ports"


# What each column's word means, for someone who meets it for the first time: the header's tooltip.
CONTAINER_HEADER_TIPS = {
    "Name": "A container is a running (or stopped) copy of an image, with its own files and processes; its name "
    "works in docker commands in place of its ID.",
    "Project": "The compose project that made the container (docker compose up), if any: a project is an app of "
    "several containers, its services, started and stopped together. Right-click one for the project's actions.",
    "Image": "The image the container was made from: a read-only template holding an app and everything it needs.",
    "State": "Running, paused, or exited (stopped); a stopped container keeps its files until it is removed.",
    "Status": "How long it has been up, or how it ended: the exit code is 0 when the program ended normally, "
    "another number says what went wrong (point at a row to read it).",
    "Ports": "Port publishing: a port on this computer that forwards to a port inside the container "
    "(docker run -p HOST:CONTAINER), so a browser can reach the app.",
    "Created": "When the container was made (docker run or docker create).",
    "CPU": "CPU use now, as docker stats shows it: 100 % is one full CPU core.",
    "Memory": "Memory the container uses now, not counting cache the system can take back.",
    "GPU": "GPU use now: the GPU its processes are on, their GPU memory and share of the GPU's time; for a container "
    "given a GPU and not using it, that it does not (right-click it for Check GPU inside).",
}
IMAGE_HEADER_TIPS = {
    "Repository": "The image's name; an address in front of it (ghcr.io/you/app) is the registry it comes "
    "from, a server that stores images, and none means Docker Hub.",
    "Tag": "A tag names one version of an image (in python:3.12-slim the tag is 3.12-slim); <none> marks a "
    "dangling image, an old build that no name points to any more.",
    "Image ID": "The start of the image's digest, a checksum of its content: the same ID is the very same image.",
    "Size": "Space on disk for all the image's layers (one per Dockerfile step); layers shared with other "
    "images are stored only once.",
    "Used by": "How many containers, running or stopped, were made from this image; an image in use cannot be removed.",
    "Created": "When the image was built, not when it was downloaded.",
}
BUILD_HEADER_TIPS = {
    "Tags": "The names given to the built image (docker build -t name:tag).",
    "Result": "Whether the build succeeded, failed or was cancelled; point at a row for the error.",
    "Duration": "How long the build took; steps the engine had cached take almost no time.",
    "Image size": "Space on disk for the built image and all its layers.",
    "Context": "The build context: the folder sent to the engine, the only files COPY can reach.",
    "Started": "When the build started.",
}


class ExplainedHeaders(RowTableModel):
    """A table whose column headers explain their word in a tooltip (what is a tag? a dangling image?)."""

    def __init__(self, columns, key, tips: dict[str, str], parent=None):
        super().__init__(columns, key=key, parent=parent)
        self._header_tips = tips

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return self._header_tips.get(super().headerData(section, orientation))
        return super().headerData(section, orientation, role)


@dataclass(frozen=True)
class ContainerUsage:
    """A running container's live figures for the list (from the Monitor service), with recent history."""

    cpu_percent: float | None = None
    online_cpus: int = 1
    memory_used: int | None = None
    memory_limit: int | None = None
    gpu_memory: int | None = None
    cpu_history: list[float] = field(default_factory=list)
    memory_history: list[float] = field(default_factory=list)
    gpu_state: GpuUseState | None = None  # "on GPU 0: 2.1 GiB, 63 %", "GPU given, not used yet", ...


def _cpu_text(usage: ContainerUsage | None) -> str:
    return "" if usage is None or usage.cpu_percent is None else f"{usage.cpu_percent:.1f} %"


def _cpu_tooltip(usage: ContainerUsage | None) -> str:
    if usage is None or usage.cpu_percent is None:
        return "CPU use appears once the container has run for a second."
    return (
        f"{usage.cpu_percent:.2f} % of one CPU, as docker stats shows it. 100 % is one full CPU; this "
        f"container may use up to {usage.online_cpus} CPUs, so up to {usage.online_cpus * 100} %."
    )


def _memory_text(usage: ContainerUsage | None) -> str:
    return "" if usage is None or usage.memory_used is None else human_bytes(usage.memory_used)


def _memory_tooltip(usage: ContainerUsage | None) -> str:
    if usage is None or usage.memory_used is None:
        return ""
    limit = f" of {human_bytes(usage.memory_limit)} it may use" if usage.memory_limit else ""
    return f"{exact_bytes(usage.memory_used)} in use{limit} (page cache it can drop is not counted)."


def _gpu_text(usage: ContainerUsage | None) -> str:
    if usage is not None and usage.gpu_state is not None:
        return usage.gpu_state.text
    return "" if usage is None or not usage.gpu_memory else human_bytes(usage.gpu_memory)


def _gpu_tooltip(usage: ContainerUsage | None) -> str:
    if usage is not None and usage.gpu_state is not None:
        return usage.gpu_state.tooltip
    return "GPU memory its processes use (NVML)" if usage is not None and usage.gpu_memory else ""


def stopping_text(timeout: int) -> str:
    """What the Status column says while `docker stop` waits for the container to end."""
    return f"Stopping (up to {timeout} s)…"


def status_tooltip(row: ContainerRow) -> str:
    """The engine's status words, and what an exit code in them means in plain words."""
    code = exit_code_of_status(row.status)
    return row.status if code is None else f"{row.status}\n{meaning(code)}"


def _stopping_tooltip(timeout: int) -> str:
    return (
        f"Docker asked the container to stop (SIGTERM). It waits up to {timeout} seconds for it to end, "
        "then stops it by force (SIGKILL)."
    )


def _project_tooltip(row: ContainerRow) -> str:
    project = project_of(row)
    if not project:
        return "Not part of a compose project"
    service = service_of(row)
    return f"Compose project {project}" + (f", service {service}" if service else "")


def container_columns(usage: dict[str, ContainerUsage], stopping: dict[str, int] | None = None) -> list[Column]:
    """The Containers table; the last three columns read live figures from `usage` (by container id), and the
    Status column says "Stopping" for the containers in `stopping` (id: the stop's timeout in seconds)."""
    stopping = {} if stopping is None else stopping

    def live(row: ContainerRow) -> ContainerUsage | None:
        return usage.get(row.id)

    def status_text(row: ContainerRow) -> str:
        return stopping_text(stopping[row.id]) if row.id in stopping else row.status

    def status_tip(row: ContainerRow) -> str:
        return _stopping_tooltip(stopping[row.id]) if row.id in stopping else status_tooltip(row)

    return [
        Column("Name", lambda r: r.name, tooltip=lambda r: f"{r.name}\nID {r.id}"),
        # Sorted by project, then name, with the containers of no project last: "Group by project" sorts by it.
        Column("Project", project_of, sort_key=grouped_order, tooltip=_project_tooltip),
        Column("Image", lambda r: r.image, tooltip=lambda r: f"{r.image}\n{r.image_id}"),
        Column("State", lambda r: r.state, colour=_state_colour, tooltip=status_tip),
        Column("Status", status_text, tooltip=status_tip),
        Column(
            "Ports",
            _ports_text,
            tooltip=_ports_tooltip,
            links=lambda r: [(port.url, port.url) for port in r.ports if port.url],
            sort_key=lambda r: r.ports[0].host_port if r.ports else 1 << 20,
        ),
        Column(
            "Created",
            lambda r: relative_time(r.created),
            sort_key=lambda r: r.created,
            tooltip=lambda r: local_time(r.created),
        ),
        Column(
            "CPU",
            lambda r: _cpu_text(live(r)),
            sort_key=lambda r: (live(r) or ContainerUsage()).cpu_percent or -1,
            tooltip=lambda r: _cpu_tooltip(live(r)),
            align_right=True,
            spark=lambda r: (live(r) or ContainerUsage()).cpu_history,
        ),
        Column(
            "Memory",
            lambda r: _memory_text(live(r)),
            sort_key=lambda r: (live(r) or ContainerUsage()).memory_used or -1,
            tooltip=lambda r: _memory_tooltip(live(r)),
            align_right=True,
            spark=lambda r: (live(r) or ContainerUsage()).memory_history,
        ),
        Column(
            "GPU",
            lambda r: _gpu_text(live(r)),
            sort_key=lambda r: (live(r) or ContainerUsage()).gpu_memory or -1,
            tooltip=lambda r: _gpu_tooltip(live(r)),
        ),
    ]


# The Containers table's columns by place: every use of a place goes through these names.
CONTAINER_PROJECT_COLUMN = 1
CONTAINER_IMAGE_COLUMN = 2
CONTAINER_STATE_COLUMN = 3
CONTAINER_STATUS_COLUMN = 4
CONTAINER_PORTS_COLUMN = 5
CONTAINER_CREATED_COLUMN = 6
USAGE_COLUMNS = (7, 9)  # first and last column of the live figures (CPU, Memory, GPU)
IMAGE_CREATED_COLUMN = 5


IMAGE_COLUMNS = [
    Column("Repository", lambda r: r.repository),
    Column("Tag", lambda r: r.tag),
    Column("Image ID", lambda r: r.short_id, tooltip=lambda r: r.id),
    Column(
        "Size",
        lambda r: human_bytes(r.size),
        sort_key=lambda r: r.size,
        tooltip=lambda r: exact_bytes(r.size),
        align_right=True,
    ),
    Column(
        "Used by",
        lambda r: str(r.used_by) if r.used_by else "-",
        sort_key=lambda r: r.used_by,
        tooltip=lambda r: f"{r.used_by} container(s) use this image",
        align_right=True,
    ),
    Column(
        "Created",
        lambda r: relative_time(r.created),
        sort_key=lambda r: r.created,
        tooltip=lambda r: local_time(r.created),
    ),
]


class ContainersModel(ExplainedHeaders):
    """Containers, plus live CPU, memory and GPU figures that change every second without touching the rows."""

    def __init__(self, parent=None):
        self.usage: dict[str, ContainerUsage] = {}
        self.stopping: dict[str, int] = {}  # container id: the timeout of the stop in flight
        super().__init__(
            container_columns(self.usage, self.stopping), lambda row: row.id, CONTAINER_HEADER_TIPS, parent=parent
        )

    def set_stopping(self, container_id: str, timeout: int | None) -> None:
        """Marks a container as stopping (with the stop's timeout), or no longer stopping (None)."""
        if timeout is None:
            self.stopping.pop(container_id, None)
        else:
            self.stopping[container_id] = timeout
        self.columns_changed(0, CONTAINER_STATUS_COLUMN)

    def set_usage(self, usage: dict[str, ContainerUsage]) -> None:
        if not usage and not self.usage:
            return
        self.usage.clear()
        self.usage.update(usage)
        self.columns_changed(*USAGE_COLUMNS)


def containers_model(parent=None) -> ContainersModel:
    return ContainersModel(parent)


def images_model(parent=None) -> RowTableModel[ImageRow]:
    return ExplainedHeaders(IMAGE_COLUMNS, lambda row: row.key, IMAGE_HEADER_TIPS, parent=parent)


class ListFilter(QSortFilterProxyModel):
    """Filters on every column's text, optionally running only; sorting by each column's sort key is passed on to
    the source model, which keeps its rows in that order.

    Sorting here would cost some ten thousand comparisons for a thousand rows, each a handful of calls from Qt into
    Python; the filter reads each row's text the model worked out once (RowTableModel.search_text)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._running_only = False
        self._needle = ""

    def set_running_only(self, running_only: bool) -> None:
        self.beginFilterChange()
        self._running_only = running_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def running_only(self) -> bool:
        return self._running_only

    def set_filter_text(self, text: str) -> None:
        """Shows only the rows with this text in one of their cells (any case); "" shows every row."""
        needle = text.lower()
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def filter_text(self) -> str:
        return self._needle

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not (self._running_only or self._needle):
            return True
        model: RowTableModel = self.sourceModel()
        if self._running_only and not getattr(model.row_at(source_row), "running", True):
            return False
        return not self._needle or self._needle in model.search_text(source_row)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The source model keeps its rows in order (RowTableModel.sort): this proxy only filters."""
        self.sourceModel().sort(column, order)


# Builds -------------------------------------------------------------------------------------------

RESULT_COLOURS = {"succeeded": "#2e9d49", "failed": "#d03b3b", "cancelled": "#8a8a8a"}


BUILD_COLUMNS = [
    Column("Tags", lambda r: ", ".join(r.tags) or "(untagged)", tooltip=lambda r: r.command),
    Column(
        "Result",
        lambda r: r.result,
        colour=lambda r: QColor(RESULT_COLOURS.get(r.result, "#8a8a8a")),
        tooltip=lambda r: r.error or r.result,
    ),
    Column("Duration", lambda r: human_duration(r.duration_s), sort_key=lambda r: r.duration_s, align_right=True),
    Column(
        "Image size",
        lambda r: human_bytes(r.image_size) if r.image_size else "-",
        sort_key=lambda r: r.image_size or 0,
        tooltip=lambda r: exact_bytes(r.image_size),
        align_right=True,
    ),
    Column("Context", lambda r: r.context, tooltip=lambda r: f"{r.context}\nDockerfile: {r.dockerfile}"),
    Column(
        "Started",
        lambda r: relative_time(r.started),
        sort_key=lambda r: r.started,
        tooltip=lambda r: local_time(r.started),
    ),
]


def builds_model(parent=None) -> RowTableModel:
    return ExplainedHeaders(BUILD_COLUMNS, lambda row: row.id, BUILD_HEADER_TIPS, parent=parent)
