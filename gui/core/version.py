"""Portside's version, read from the installed package's metadata: pyproject.toml's version is the one source."""

from __future__ import annotations

from importlib import metadata

DISTRIBUTION = "portside"


def version() -> str:
    """ "0.1.0", or "unknown" when the source tree runs without being installed (no metadata to read)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "unknown"
