"""Task callbacks that outlive their widget: a worker's answer can arrive after the window that asked was closed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6


def while_alive(owner, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps a callback so that it does nothing once `owner` (a Qt object) has been deleted."""

    def call(*args):
        if shiboken6.isValid(owner):
            fn(*args)

    return call
