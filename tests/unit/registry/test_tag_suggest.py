"""Suggested names for pushing an image, and the length and latest-only checks."""

from __future__ import annotations

import pytest

from gui.core.reference import name_problem
from gui.core.registry.addresses import DOCKER_HUB
from gui.core.registry.tag_suggest import only_latest_warning, reference_length_problem, suggest_reference


@pytest.mark.parametrize(
    "repository, tag, user, registry, expected",
    [
        ("web", "1.0", "alice", DOCKER_HUB, ("alice/web", "1.0")),
        ("web", "latest", "alice", DOCKER_HUB, ("alice/web", "1.0")),
        ("web", "", "alice", DOCKER_HUB, ("alice/web", "1.0")),
        ("someone/web", "2.3", "alice", DOCKER_HUB, ("alice/web", "2.3")),  # another user's prefix goes
        ("ghcr.io/org/team/web", "2.3", "alice", DOCKER_HUB, ("alice/web", "2.3")),  # so do registry and path
        ("<none>", "<none>", "alice", DOCKER_HUB, ("alice/my-app", "1.0")),  # dangling image
        ("web", "1.0", "alice", "docker.io", ("alice/web", "1.0")),  # Docker Hub by another name
        ("web", "1.0", "bob", "127.0.0.1:5000", ("127.0.0.1:5000/bob/web", "1.0")),
        ("localhost:5000/web", "1.0", None, "127.0.0.1:5000", ("127.0.0.1:5000/web", "1.0")),
        ("web", "1.0", None, DOCKER_HUB, ("web", "1.0")),
        ("someone/web", "latest", None, None, ("someone/web", "1.0")),  # this machine only: name kept
        ("<none>", "<none>", None, "", ("my-app", "1.0")),
    ],
)
def test_suggestion(repository, tag, user, registry, expected):
    assert suggest_reference(repository, tag, user, registry) == expected
    assert name_problem(expected[0]) is None


def test_full_name_length_counts_the_registry():
    host = "127.0.0.1:65535"
    name = "a" * (255 - len(host) - 1)
    assert reference_length_problem(f"{host}/{name}", "1.0") is None
    problem = reference_length_problem(f"{host}/{name}a", "1.0")
    assert problem and "256 characters" in problem and "registry address included" in problem


def test_tag_grammar_is_checked_too():
    assert "128" in reference_length_problem("web", "v" * 129)
    assert reference_length_problem("web", "-bad") is not None
    assert reference_length_problem("web", "2024-06-01") is None


@pytest.mark.parametrize(
    "tag, warned", [("latest", True), ("", True), (" latest ", True), ("1.0", False), ("latest-gpu", False)]
)
def test_only_latest_warning(tag, warned):
    warning = only_latest_warning(tag)
    assert bool(warning) is warned
    if warned:
        assert "1.0" in warning
