"""Registry keys as the docker CLI spells them, and the form check for a registry address."""

from __future__ import annotations

import pytest

from gui.core.registry.addresses import DOCKER_HUB, display_name, normalise_registry, registry_of, registry_problem


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  ",
        "docker.io",
        "index.docker.io",
        "registry-1.docker.io",
        "https://index.docker.io/v1/",
        "https://index.docker.io/v1",
        "Docker.IO",
        "https://registry-1.docker.io",
        "Docker Hub",
    ],
)
def test_every_spelling_of_docker_hub_is_one_key(text):
    assert normalise_registry(text) == DOCKER_HUB


@pytest.mark.parametrize(
    "text, key",
    [
        ("127.0.0.1:5000", "127.0.0.1:5000"),
        ("http://127.0.0.1:5000/", "127.0.0.1:5000"),
        ("https://Registry.Example.com/v2/", "registry.example.com"),
        ("registry.example.com:443/team/app", "registry.example.com:443"),
        ("localhost:5000", "localhost:5000"),
        (" ghcr.io ", "ghcr.io"),
        ("[::1]:5000", "[::1]:5000"),
    ],
)
def test_other_registries_are_keyed_by_lowercase_host_and_port(text, key):
    assert normalise_registry(text) == key


@pytest.mark.parametrize(
    "text",
    [
        "127.0.0.1:5000",
        "registry.example.com",
        "https://registry.example.com/",
        "localhost:65535",
        "my-registry:1",
        "docker.io",
        "Docker Hub",
        "[::1]:5000",
        DOCKER_HUB,
    ],
)
def test_registry_addresses_that_pass_the_form(text):
    assert registry_problem(text) is None


@pytest.mark.parametrize(
    "text, words",
    [
        ("", "Enter the registry's address"),
        ("my registry", "cannot contain spaces"),
        ("registry.example.com/team", "without a path"),
        ("registry.example.com:0", "from 1 to 65535"),
        ("registry.example.com:65536", "from 1 to 65535"),
        ("registry.example.com:http", "from 1 to 65535"),
        ("-bad-.example.com", "not a valid host name"),
        ("under_score.example.com", "not a valid host name"),
    ],
)
def test_registry_problems_are_sentences_for_the_form(text, words):
    problem = registry_problem(text)
    assert problem is not None and words in problem


def test_display_names():
    assert display_name(DOCKER_HUB) == "Docker Hub"
    assert display_name("docker.io") == "Docker Hub"
    assert display_name("127.0.0.1:5000") == "127.0.0.1:5000"


@pytest.mark.parametrize(
    "repository, registry",
    [
        ("app", DOCKER_HUB),
        ("user/app", DOCKER_HUB),
        ("library/python", DOCKER_HUB),
        ("docker.io/user/app", DOCKER_HUB),
        ("127.0.0.1:5000/app", "127.0.0.1:5000"),
        ("localhost/app", "localhost"),
        ("registry.example.com/team/app", "registry.example.com"),
        ("app:1.0", DOCKER_HUB),
    ],
)
def test_registry_of_a_repository_follows_dockers_rule(repository, registry):
    assert registry_of(repository) == registry
