"""A docker command as shown to the user: with `--context NAME` while Portside acts on an engine other than the
docker CLI's default, so a command copied from any window runs against the same engine as the click did."""

from __future__ import annotations

from gui.core.engine.cli_context import with_context
from gui.core.settings import contexts


def for_engine(command: str) -> str:
    """`docker run …` -> `docker --context gpu-box run …` while gpu-box is chosen; unchanged otherwise."""
    return with_context(command, contexts.chosen())
