"""Named loggers per area, and the log file every area writes to. No Qt here."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import platformdirs

APP_NAME = "portside"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_file() -> Path:
    return log_dir() / "portside.log"


def get(area: str) -> logging.Logger:
    """A logger for one area of the app: engine, workers, ui, crash, qt..."""
    return logging.getLogger(f"{APP_NAME}.{area}")


def setup_file_logging(level: int = logging.INFO) -> Path:
    """Send every area's records to a rotating file, so a crash report can point at it."""
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger(APP_NAME)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    return path
