"""A small multi-stage project and the BuildSpec over it, shared by the build spec and build request tests."""

from __future__ import annotations

from pathlib import Path

from gui.core.build.spec import BuildSpec

MULTI_STAGE = """\
FROM python:3.12-slim AS builder
RUN pip wheel -r requirements.txt
FROM python:3.12-slim AS runtime
COPY --from=builder /wheels /wheels
"""


def make_project(folder: Path) -> Path:
    (folder / "Dockerfile").write_text(MULTI_STAGE)
    (folder / "app.py").write_text("print('hi')\n")
    return folder


def spec(project: Path, **changes) -> BuildSpec:
    return BuildSpec(context=project, **{"tags": ("my-ai-app:1.0",), **changes})
