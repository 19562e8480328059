"""Image references are checked in the form, with Docker's grammar, before any engine call."""

import pytest

from gui.core.reference import Reference, name_problem, parse, reference_problem, tag_problem

VALID = [
    "busybox",
    "busybox:1.36",
    "library/busybox:latest",
    "user/my-ai-app:1.0",
    "a/b/c/d:v2",
    "localhost/app",
    "localhost:5000/app:1",
    "127.0.0.1:5000/team/model:2024-06-01",
    "registry.example.com:5000/x/y",
    "my_app",
    "my__app",
    "my-app",
    "my---app",
    "my.app",
    "app@sha256:" + "a" * 64,
    "app:1.0@sha256:" + "b" * 64,
    "x:_tag",
]

INVALID = [
    ("", "Enter an image name"),
    ("   ", "Enter an image name"),
    ("My-App", "lowercase"),
    ("user/MyApp:1", "lowercase"),
    ("app:", "Enter a tag"),
    ("app:-1", "A tag starts with"),
    ("app:.1", "A tag starts with"),
    ("app:" + "x" * 129, "at most 128"),
    ("my app", "cannot contain spaces"),
    ("app:1 .0", "cannot contain spaces"),
    ("-app", "repository name may use"),
    ("app-", "repository name may use"),
    ("a___b", "repository name may use"),
    ("a//b", "repository name may use"),
    ("user/", "repository name may use"),
    ("app@sha256:xyz", "digest"),
    ("app@md5", "digest"),
    ("bad_host.com:port/x", "not a valid registry address"),
    ("x" * 256, "at most 255"),
    ("app:tag:more", "repository name may use"),
    ("_/x", "repository name may use"),
]


@pytest.mark.parametrize("text", VALID)
def test_valid_references_pass(text):
    assert reference_problem(text) is None


@pytest.mark.parametrize(("text", "message"), INVALID)
def test_invalid_references_say_why(text, message):
    problem = reference_problem(text)
    assert problem is not None and message in problem


def test_parse_splits_registry_port_from_tag():
    assert parse("localhost:5000/team/app:1.0") == Reference("localhost:5000/team/app", "1.0")
    assert parse("localhost:5000/team/app").tag is None
    assert parse("localhost:5000/team/app").tag_or_latest == "latest"
    digest = "sha256:" + "c" * 64
    assert parse(f"app@{digest}") == Reference("app", None, digest)
    assert str(parse(f"app:1@{digest}")) == f"app:1@{digest}"


def test_parse_refuses_invalid_text():
    with pytest.raises(ValueError, match="lowercase"):
        parse("Bad/Name")


def test_empty_tag_and_name_messages_suggest_examples():
    assert "1.0" in tag_problem("")
    assert "my-ai-app" in name_problem("")
