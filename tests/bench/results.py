"""What every benchmark reports to the runner (`python -m tests.bench`): one Metric per number, the docker CLI's
own number for the same wait beside it where there is one, and the goal the issue set.

A benchmark module offers `metrics(quick: bool) -> list[Metric]`; `quick` asks for small sizes (a smoke check).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

REGRESSION = 0.20  # a metric more than this much worse than the saved baseline is flagged ...
NOISE = {"ms": 1.0, "s": 0.001}  # ... unless it moved by less than this (a sub-millisecond step is the machine)


@dataclasses.dataclass(frozen=True)
class Metric:
    name: str
    portside: float | None  # None: the benchmark could not measure it (said in `note`)
    anchor: float | None = None  # the same wait with the docker CLI (or the reference named), in the same run
    anchor_name: str = ""  # what the anchor ran: "docker ps -a + docker images"
    unit: str = "ms"
    goal: float | None = None  # the goal for Portside's number
    lower_is_better: bool = True
    beat_anchor: bool = False  # passing also means doing better than the anchor
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Portside's number over the anchor's: under 1 is faster when lower is better."""
        if self.portside is None or not self.anchor:
            return None
        return self.portside / self.anchor

    @property
    def passed(self) -> bool | None:
        """Whether the goal (and the anchor, where it must be beaten) is met; None where nothing is asked."""
        if self.portside is None:
            return False if self.goal is not None or self.beat_anchor else None
        checks = []
        if self.goal is not None:
            checks.append(self._better_or_equal(self.portside, self.goal))
        if self.beat_anchor and self.anchor is not None:
            checks.append(self._better_or_equal(self.portside, self.anchor))
        return all(checks) if checks else None

    def _better_or_equal(self, value: float, than: float) -> bool:
        return value <= than if self.lower_is_better else value >= than

    def regressed(self, baseline: Metric) -> bool:
        """More than REGRESSION worse than `baseline`'s Portside number (and by more than the unit's NOISE)."""
        if self.portside is None or baseline.portside is None or baseline.portside == 0:
            return False
        if abs(self.portside - baseline.portside) < NOISE.get(self.unit, 0.0):
            return False
        change = (self.portside - baseline.portside) / abs(baseline.portside)
        return change > REGRESSION if self.lower_is_better else change < -REGRESSION

    def to_json(self) -> dict:
        return {**dataclasses.asdict(self), "ratio": self.ratio, "passed": self.passed}

    @classmethod
    def from_json(cls, data: dict) -> Metric:
        fields = {field.name for field in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in fields})


def save(path: Path, metrics: list[Metric], about: dict) -> None:
    """The run as JSON: `about` (machine, load, date, mode) and every metric."""
    path.write_text(json.dumps({"about": about, "metrics": [m.to_json() for m in metrics]}, indent=2) + "\n")


def load(path: Path) -> tuple[dict, list[Metric]]:
    data = json.loads(path.read_text())
    return data.get("about", {}), [Metric.from_json(item) for item in data["metrics"]]


def number(value: float | None, unit: str = "") -> str:
    """A table cell: three significant digits or so, the unit after it."""
    if value is None:
        return "—"
    if abs(value) >= 100 or value == int(value):
        text = f"{value:,.0f}"
    else:
        text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def table(metrics: list[Metric], baseline: dict[str, Metric] | None = None) -> str:
    """The runner's table, in Markdown (it reads as plain text too)."""
    header = ["metric", "Portside", "anchor", "ratio", "goal", "pass"]
    if baseline is not None:
        header.append("vs baseline")
    rows = [header, ["---"] * len(header)]
    for metric in metrics:
        anchor = number(metric.anchor, metric.unit)
        if metric.anchor is not None and metric.anchor_name:
            anchor += f" ({metric.anchor_name})"
        goal = (
            "—"
            if metric.goal is None
            else ("≤ " if metric.lower_is_better else "≥ ") + number(metric.goal, metric.unit)
        )
        if metric.beat_anchor:
            goal = "beat the anchor" if metric.goal is None else f"{goal}, beat the anchor"
        passed = {True: "pass", False: "FAIL", None: "—"}[metric.passed]
        row = [
            metric.name + (f" ({metric.note})" if metric.note else ""),
            number(metric.portside, metric.unit),
            anchor,
            "—" if metric.ratio is None else f"{metric.ratio:.2g}",
            goal,
            passed,
        ]
        if baseline is not None:
            before = baseline.get(metric.name)
            if before is None or before.portside is None or metric.portside is None:
                row.append("new" if before is None else "—")
            else:
                change = (metric.portside - before.portside) / abs(before.portside) * 100 if before.portside else 0
                row.append(f"{change:+.0f} %" + ("  REGRESSION" if metric.regressed(before) else ""))
        rows.append(row)
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) if cell != "---" else "-" * width for cell, width in zip(row, widths, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
