"""BuildSpec: its checks, its tag hints, and that the command shown and the call made say the same thing."""

from datetime import date
from pathlib import Path

import pytest

from gui.core.build.spec import BuildSpec, stage_names
from tests.unit.build.build_examples import MULTI_STAGE, make_project, spec


@pytest.fixture
def project(tmp_path) -> Path:
    return make_project(tmp_path)


# problems() ---------------------------------------------------------------------------------------------


def test_a_complete_spec_has_no_problems(project):
    assert spec(project).problems() == {}
    assert (
        spec(
            project,
            target="runtime",
            build_args=(("PYTHON_VERSION", "3.12"),),
            labels=(("org.opencontainers.image.version", "1.0"),),
        ).problems()
        == {}
    )


def test_the_context_must_be_an_existing_folder(tmp_path):
    assert "does not exist" in spec(tmp_path / "nope").problems()["context"]
    (tmp_path / "file.txt").write_text("x")
    assert "is a file" in spec(tmp_path / "file.txt").problems()["context"]
    assert "Choose the build folder" in BuildSpec(context=Path(""), tags=("a:1",)).problems()["context"]
    assert "full path" in BuildSpec(context=Path("relative/folder"), tags=("a:1",)).problems()["context"]


def test_the_dockerfile_must_exist_inside_the_context(project):
    assert spec(project, dockerfile="Dockerfile.dev").problems() == {
        "dockerfile": f"There is no Dockerfile.dev in {project}. Create one (the Dockerfile wizard can write it) "
        "or choose the folder that holds it."
    }
    assert "inside the build folder" in spec(project, dockerfile="../Dockerfile").problems()["dockerfile"]
    assert "inside the build folder" in spec(project, dockerfile="/etc/passwd").problems()["dockerfile"]
    assert "Enter the Dockerfile's name" in spec(project, dockerfile=" ").problems()["dockerfile"]
    (project / "docker").mkdir()
    assert "is a folder" in spec(project, dockerfile="docker").problems()["dockerfile"]
    (project / "docker" / "Dockerfile.gpu").write_text("FROM scratch\n")
    assert spec(project, dockerfile="docker/Dockerfile.gpu").problems() == {}


def test_at_least_one_valid_tag(project):
    assert spec(project, tags=()).problems() == {
        "tags": "Give the image a name, for example my-ai-app:1.0, so you can run it and find it later."
    }
    problem = spec(project, tags=("My-App:1.0",)).problems()["tags"]
    assert problem.startswith("My-App:1.0: ") and "lowercase" in problem
    assert "spaces" in spec(project, tags=("my app",)).problems()["tags"]
    assert "not a digest" in spec(project, tags=("app@sha256:" + "a" * 64,)).problems()["tags"]
    assert spec(project, tags=("app", "app:latest")).problems() == {"tags": "app:latest is listed twice."}


def test_several_problems_of_one_field_are_joined(project):
    problem = spec(project, tags=("Bad", "also bad")).problems()["tags"]
    assert "Bad:" in problem and "also bad" not in problem.split(". ")[0]
    assert problem.count(".") >= 2


def test_build_argument_names(project):
    problem = spec(project, build_args=(("1X", "v"),)).problems()["build_args"]
    assert problem == (
        '"1X" is not a build-argument name: use letters, digits and _, not starting with a digit '
        "(for example PYTHON_VERSION)."
    )
    assert "given twice" in spec(project, build_args=(("A", "1"), ("A", "2"))).problems()["build_args"]


@pytest.mark.parametrize("name", ["HF_TOKEN", "OPENAI_API_KEY", "apiKey", "DB_PASSWORD", "AWS_SECRET"])
def test_secret_looking_build_arguments_are_refused_with_the_reason(project, name):
    problem = spec(project, build_args=((name, "x"),)).problems()["build_args"]
    assert problem.startswith(f"{name} looks like a secret.")
    assert "(docker history)" in problem and "when it runs" in problem


@pytest.mark.parametrize("name", ["MONKEY", "KEYBOARD_LAYOUT", "PYTHON_VERSION"])
def test_ordinary_names_are_not_secrets(project, name):
    assert spec(project, build_args=((name, "x"),)).problems() == {}


def test_the_target_must_be_a_stage_of_the_file(project):
    assert spec(project, target="RUNTIME").problems() == {}  # stage names are case-insensitive
    assert spec(project, target="tests").problems() == {
        "target": "The Dockerfile has no stage named tests; its stages are named builder, runtime."
    }
    assert "the name of a stage" in spec(project, target="two words").problems()["target"]
    (project / "Dockerfile").write_text("FROM scratch\n")
    assert "names none of its stages" in spec(project, target="runtime").problems()["target"]


def test_a_label_needs_a_key(project):
    assert "needs a name" in spec(project, labels=((" ", "x"),)).problems()["labels"]


def test_stage_names():
    assert stage_names(MULTI_STAGE) == ["builder", "runtime"]
    assert stage_names("from --platform=linux/amd64 python:3.12 as Build\nFROM scratch\n") == ["Build"]


# tag_hints() --------------------------------------------------------------------------------------------

TODAY = date(2024, 6, 1)


@pytest.mark.parametrize("tags", [("my-ai-app",), ("my-ai-app:latest",), ("my-ai-app", "my-ai-app:latest")])
def test_latest_or_no_tag_gets_version_suggestions(project, tags):
    build = spec(project, tags=tags)
    assert build.suggested_tags(TODAY) == ["my-ai-app:1.0", "my-ai-app:2024-06-01"]
    assert build.tag_hints(TODAY) == [
        "Add a version tag as well, for example my-ai-app:1.0 or my-ai-app:2024-06-01: the tag latest only means "
        '"the last one built", and with versions you can run, compare or go back to an earlier build.'
    ]


@pytest.mark.parametrize("tags", [(), ("my-ai-app:1.0",), ("my-ai-app:latest", "my-ai-app:1.0"), ("Bad",)])
def test_no_suggestion_when_a_version_is_there_or_nothing_valid(project, tags):
    assert spec(project, tags=tags).tag_hints(TODAY) == []
    assert spec(project, tags=tags).suggested_tags(TODAY) == []


def test_suggestions_keep_the_registry_and_use_today_by_default(project):
    build = spec(project, tags=("localhost:5000/team/app", "other"))
    today = date.today().isoformat()
    assert build.suggested_tags() == [
        "localhost:5000/team/app:1.0",
        f"localhost:5000/team/app:{today}",
        "other:1.0",
        f"other:{today}",
    ]
    assert len(build.tag_hints()) == 2 and "other:1.0" in build.tag_hints()[1]


# argv() and api_kwargs() say the same thing ------------------------------------------------------------


def _kwargs_from_argv(argv: list[str], context: Path) -> dict:
    """Reads a `docker build` command line back into APIClient.build keyword arguments."""
    assert argv[:2] == ["docker", "build"]
    result = {
        "tags": [],
        "buildargs": {},
        "labels": {},
        "nocache": False,
        "pull": False,
        "target": None,
        "dockerfile": "Dockerfile",
        "forcerm": False,
    }
    args = iter(argv[2:-1])
    for arg in args:
        if arg == "-t":
            result["tags"].append(next(args))
        elif arg == "-f":
            result["dockerfile"] = str(Path(next(args)).relative_to(context))
        elif arg == "--build-arg":
            name, _, value = next(args).partition("=")
            result["buildargs"][name] = value
        elif arg == "--label":
            key, _, value = next(args).partition("=")
            result["labels"][key] = value
        elif arg == "--target":
            result["target"] = next(args)
        elif arg in ("--no-cache", "--pull", "--force-rm"):
            result[arg.lstrip("-").replace("-", "")] = True
        else:
            raise AssertionError(f"unexpected argument {arg}")
    result["path"] = argv[-1]
    return result


SPECS = [
    {},
    {"tags": ("my-ai-app:1.0", "my-ai-app:latest", "registry.example.com/team/app:1.0")},
    {"dockerfile": "docker/Dockerfile.gpu", "target": "runtime", "no_cache": True, "pull": True},
    {"build_args": (("PYTHON_VERSION", "3.12"), ("EXTRA", "a b=c")), "labels": (("io.portside.test", "1"),)},
]


@pytest.mark.parametrize("changes", SPECS)
def test_argv_and_api_kwargs_match(project, changes):
    build = spec(project, **changes)
    from_argv = _kwargs_from_argv(build.argv(), project)
    kwargs = build.api_kwargs()
    assert from_argv["path"] == kwargs["path"] == str(project)
    assert from_argv["tags"][0] == kwargs["tag"]
    assert tuple(from_argv["tags"][1:]) == build.extra_tags
    assert from_argv["dockerfile"] == kwargs["dockerfile"]
    assert from_argv["buildargs"] == kwargs["buildargs"]
    assert from_argv["target"] == kwargs["target"]
    assert from_argv["nocache"] == kwargs["nocache"] and from_argv["pull"] == kwargs["pull"]
    assert from_argv["labels"] == (kwargs["labels"] or {})
    assert from_argv["forcerm"]  # Engine.build always sends forcerm=True
    assert set(kwargs) == {"path", "tag", "dockerfile", "buildargs", "target", "nocache", "pull", "labels"}


def test_the_command_is_quoted_for_a_shell(tmp_path):
    folder = tmp_path / "my project"
    folder.mkdir()
    build = BuildSpec(folder, tags=("app:1",), build_args=(("GREETING", "hello world"),))
    assert build.command == f"docker build -t app:1 --build-arg 'GREETING=hello world' --force-rm '{folder}'"


def test_the_default_dockerfile_is_not_named_on_the_command_line(project):
    assert "-f" not in spec(project).argv()
    assert spec(project, dockerfile="Dockerfile.dev").argv()[4:6] == ["-f", str(project / "Dockerfile.dev")]


def test_secret_build_arguments_are_masked_in_the_command_and_the_history(project):
    """Found: a build argument's secret value showed in the build dialog's command and the build history."""
    build = spec(
        project,
        build_args=(
            ("GITHUBTOKEN", "plain-but-secret"),
            ("PIP_INDEX_URL", "https://user:pypi-s3cret@pypi.example.com/simple"),
            ("PYTHON_VERSION", "3.12"),
        ),
    )
    assert "plain-but-secret" not in build.command and "pypi-s3cret" not in build.command
    argv = build.argv()
    assert "GITHUBTOKEN=••••••" in argv and "PYTHON_VERSION=3.12" in argv
    assert "PIP_INDEX_URL=https://user:••••••@pypi.example.com/simple" in argv
    assert build.api_kwargs()["buildargs"]["GITHUBTOKEN"] == "plain-but-secret"  # the build gets the real value
    assert "GITHUBTOKEN=plain-but-secret" in build.argv(reveal_secrets=True)


HF_TOKEN = "hf_" + "aB3dE6gH9" * 4


def test_a_secret_value_under_a_plain_name_is_allowed_with_a_warning(project):
    url = "https://user:pypi-s3cret@pypi.example.com/simple"
    build = spec(project, build_args=(("PIP_INDEX_URL", url), ("MODEL", HF_TOKEN), ("PYTHON_VERSION", "3.12")))
    assert build.problems() == {}
    warnings = build.build_arg_warnings()
    assert [warning.split()[0] for warning in warnings] == ["PIP_INDEX_URL", "MODEL"]
    assert "(docker history)" in warnings[0] and "when it runs" in warnings[0]
    assert not any("pypi-s3cret" in warning or HF_TOKEN in warning for warning in warnings)
    assert spec(project, build_args=(("HF_TOKEN", "x"),)).build_arg_warnings() == []  # refused by problems()


def test_the_builds_secret_values_are_masked_in_its_log_lines(project):
    build = spec(
        project,
        build_args=(
            ("MODEL", HF_TOKEN),
            ("PIP_INDEX_URL", "https://user:pypi-s3cret@pypi.example.com/simple"),
            ("GITHUBTOKEN", "plain-but-secret"),
            ("DB_PASSWORD", "ab"),  # too short to look for in free text
            ("GREETING", "hello"),
        ),
    )
    assert build.mask_secrets(f"Downloading with {HF_TOKEN} now") == "Downloading with •••••• now"
    assert build.mask_secrets("Looking in indexes: https://user:pypi-s3cret@pypi.example.com/simple") == (
        "Looking in indexes: https://user:••••••@pypi.example.com/simple"
    )
    assert build.mask_secrets("token plain-but-secret; ab; hello") == "token ••••••; ab; hello"
    plain = spec(project, build_args=(("GREETING", "hello"),))
    assert plain.mask_secrets("say hello, HF_TOKEN=abc") == "say hello, HF_TOKEN=abc"  # no secrets: as it is
