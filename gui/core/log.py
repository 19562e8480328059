"""Named loggers per area, and the log file every area writes to. No Qt here.

The log file is private (0600 in a 0700 folder) and never holds a secret in the clear: SecretFilter masks the
values Portside knows are secrets (gui.core.secrets.remember_secret) and every value shaped like one.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

from gui.core import secrets
from gui.core.fileio import PRIVATE_FILE_MODE, private_dir

APP_NAME = "portside"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_file() -> Path:
    return log_dir() / "portside.log"


def get(area: str) -> logging.Logger:
    """A logger for one area of the app: engine, workers, ui, crash, qt..."""
    return logging.getLogger(f"{APP_NAME}.{area}")


def masked(text: str) -> str:
    """`text` as the log may keep it: known secrets and secret-shaped values masked."""
    return secrets.mask_text(secrets.mask_known(text))


class SecretFilter(logging.Filter):
    """Masks secrets in a record's message and traceback before a handler writes it. On a handler, so records
    from every area's logger pass through it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it as logging always does
            return True
        record.msg, record.args = masked(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = masked(record.exc_text)
        if record.stack_info:
            record.stack_info = masked(record.stack_info)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 whatever the umask, the new one after each rollover too."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
        os.fchmod(fd, PRIVATE_FILE_MODE)  # an older log may have been made 0644
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup_file_logging(level: int = logging.INFO) -> Path:
    """Send every area's records to a rotating file, so a crash report can point at it."""
    path = log_file()
    private_dir(path.parent)
    root = logging.getLogger(APP_NAME)
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in root.handlers):
        handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(SecretFilter())
        root.addHandler(handler)
    root.setLevel(level)
    return path
