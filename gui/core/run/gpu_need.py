"""How much GPU memory an image needs, from what its containers used before, and whether the chosen GPUs have it. No Qt.

The Monitor service records, off the GUI thread, the most GPU memory any container of an image held (its processes
on every GPU, summed); the Run dialog prefills "Needs about N GiB" from it and warns before Run when the chosen GPUs'
free memory is below it, naming the containers that hold the memory and offering a GPU where it fits.

One small JSON file (gpu-needs.json next to the run settings, 0600 in a 0700 folder), kept per repository and tag:
an image run for the first time under a new tag is prefilled from its repository's largest figure.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from gui.core import log
from gui.core.fileio import atomic_write, set_aside
from gui.core.monitor.attribution import GpuUse
from gui.core.reference import split_reference
from gui.core.run.gpus import GpuChoice, Holder, holder_name
from gui.core.run.memory import default_path as run_settings_path
from gui.core.run.memory import memory_key
from gui.core.run.spec import GpuMode, GpuSpec

logger = log.get("gpu-need")

FILE_NAME = "gpu-needs.json"
GiB = 1024**3
GROWTH_TO_SAVE = 0.01  # a figure grows on every sample while a model loads: the file is written per 1 % of growth
MAX_IMAGES = 500  # repositories remembered; the least recently grown go first


def default_path() -> Path:
    return run_settings_path().with_name(FILE_NAME)


def need_key(image: str) -> tuple[str, str] | None:
    """(repository, tag) as the file keeps them; None for an image id ("sha256:…"), which names no image to run."""
    text = image.strip()
    if not text or text.startswith("sha256:"):
        return None
    _, tag, digest = split_reference(text)
    return memory_key(text), tag or digest or "latest"


class GpuNeeds:
    """The most GPU memory each image's containers used. `record` runs in the Monitor's worker, `recall` in the Run
    dialog's; both block on the disk, briefly."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.Lock()
        self._needs: dict[str, dict[str, int]] | None = None  # repository -> tag -> bytes, read once
        self._saved: dict[tuple[str, str], int] = {}  # what the file holds, to write on real growth only

    def recall(self, image: str) -> int | None:
        """Bytes this image's containers used at most; the repository's largest figure for a tag never run; None
        when none of its containers used a GPU while Portside watched."""
        key = need_key(image)
        if key is None:
            return None
        with self._lock:
            tags = self._loaded().get(key[0], {})
            return tags.get(key[1]) or max(tags.values(), default=None)

    def record(self, use: Mapping[str | None, GpuUse], images: Mapping[str, str]) -> None:
        """Keeps the larger of each image's figure and what its containers hold now (`images`: container id ->
        image as it was run). Never raises for the disk: a figure not written is logged and kept in memory."""
        now: dict[tuple[str, str], int] = {}
        for container_id, container_use in use.items():
            key = need_key(images.get(container_id, "")) if container_id else None
            if key is not None and container_use.gpu_memory > now.get(key, 0):
                now[key] = container_use.gpu_memory
        if not now:
            return
        with self._lock:
            needs = self._loaded()
            grown = False
            for (repository, tag), memory in now.items():
                tags = needs.setdefault(repository, {})
                if memory <= tags.get(tag, 0):
                    continue
                tags[tag] = memory
                needs[repository] = needs.pop(repository)  # the dict's order is the order of growth
                grown = grown or memory > self._saved.get((repository, tag), 0) * (1 + GROWTH_TO_SAVE)
            if grown:
                self._save(needs)

    def _loaded(self) -> dict[str, dict[str, int]]:
        if self._needs is None:
            self._needs = self._read()
            self._saved = {(repo, tag): memory for repo, tags in self._needs.items() for tag, memory in tags.items()}
        return self._needs

    def _read(self) -> dict[str, dict[str, int]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as exc:
            logger.info("cannot read %s (%s); starting without GPU memory figures", self.path, exc)
            return {}
        try:
            raw = json.loads(text).get("needs")
            if not isinstance(raw, dict):
                raise TypeError("no needs object")
        except (ValueError, TypeError, AttributeError) as exc:
            set_aside(self.path, exc, logger, "starting without GPU memory figures")
            return {}
        return {
            str(repository): {str(tag): int(memory) for tag, memory in tags.items() if _is_size(memory)}
            for repository, tags in raw.items()
            if isinstance(tags, dict)
        }

    def _save(self, needs: dict[str, dict[str, int]]) -> None:
        for gone in list(needs)[:-MAX_IMAGES]:
            del needs[gone]
        try:
            atomic_write(self.path, json.dumps({"version": 1, "needs": needs}, indent=1) + "\n", private=True)
        except OSError as exc:
            logger.info("cannot write %s: %s", self.path, exc)
            return
        self._saved = {(repo, tag): memory for repo, tags in needs.items() for tag, memory in tags.items()}


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# ---- the check before Run ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitAdvice:
    """A warning that the chosen GPUs lack the memory the image needs, and where it would fit (None: nowhere)."""

    message: str
    instead: GpuChoice | None

    @property
    def switch_text(self) -> str:
        """ "Use GPU 1 instead: 38 GiB free" """
        if self.instead is None:
            return ""
        return f"Use {self.instead.label} instead: {gib(self.instead.memory_free)} free"


def gib(count: int | None) -> str:
    """Bytes as a GPU-sized figure: "38 GiB", "7.5 GiB" (whole GiB from 10 up, where a tenth says nothing)."""
    if count is None:
        return "n/a"
    value = count / GiB
    return f"{value:.0f} GiB" if value >= 10 else f"{value:.1f} GiB"


def need_text(count: int | None) -> str:
    """Bytes as the need field shows them, rounded up a little: "40", "7.6"; "" when unknown."""
    if not count:
        return ""
    value = count / GiB
    shown = -(-value // 1) if value >= 10 else -(-value * 10 // 1) / 10
    return f"{shown:g}"


def parse_need(text: str) -> int | None:
    """The need field's GiB as bytes; None when empty or not a positive number."""
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return int(value * GiB) if 0 < value < 1e6 else None


def covered(spec: GpuSpec, choices: Sequence[GpuChoice]) -> list[GpuChoice]:
    """The GPUs a request gets, where Portside can tell: chosen ones, or every GPU; none for "a number"."""
    if spec.mode is GpuMode.CHOSEN:
        wanted = {device.strip() for device in spec.device_ids}
        return [choice for choice in choices if choice.device_id in wanted or choice.uuid in wanted]
    if spec.mode is GpuMode.ALL:
        return [choice for choice in choices if choice.mig_slot is None]
    return []  # a number of GPUs: the engine picks which


def fit_advice(need: int | None, spec: GpuSpec, choices: Sequence[GpuChoice]) -> FitAdvice | None:
    """None when the request's GPUs have `need` bytes free (or when that cannot be told)."""
    gets = covered(spec, choices)
    frees = [choice.memory_free for choice in gets]
    if not need or not gets or None in frees:
        return None
    free = sum(frees)
    if free >= need:
        return None
    if spec.mode is GpuMode.ALL:
        where = f"All GPUs together have {gib(free)} free"
    elif len(gets) == 1:
        where = f"{gets[0].label} has {gib(free)} free"
    else:
        where = f"{_listed([choice.label for choice in gets])} have {gib(free)} free together"
    message = f"{where}, and this image's containers used about {gib(need)} before."
    holders = _holders(gets)
    if holders:
        message += f" Held by {_listed([f'{holder_name(h)} ({gib(h.memory)})' for h in holders])}."
    taken = {choice.device_id for choice in gets}
    fits = [c for c in choices if c.device_id not in taken and (c.memory_free or 0) >= need and not c.mig_enabled]
    instead = max(fits, key=lambda choice: choice.memory_free or 0, default=None)
    if instead is None:
        remedy = "stop a container that holds it, or run with less."
        message += (
            f" {remedy.capitalize()}" if spec.mode is GpuMode.ALL else f" No other GPU has that much free now: {remedy}"
        )
    return FitAdvice(message, instead)


def _holders(choices: Sequence[GpuChoice], most: int = 3) -> list[Holder]:
    """The biggest holders of memory on these GPUs, one line per container over all of them."""
    merged: dict[str | None, int] = {}
    names: dict[str | None, Holder] = {}
    for choice in choices:
        for holder in choice.holders:
            merged[holder.container_id] = merged.get(holder.container_id, 0) + holder.memory
            names.setdefault(holder.container_id, holder)
    ranked = sorted(merged, key=lambda owner: -merged[owner])
    return [Holder(owner, names[owner].name, merged[owner]) for owner in ranked[:most] if merged[owner] > 0]


def _listed(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c" """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
