"""gui.core.dockerfile.recipe: every kind and option renders a Dockerfile that hadolint passes with no findings
and that an independent parser (dockerfile-parse) reads back as what the spec asked for."""

from __future__ import annotations

import io
import itertools
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from gui.core.dockerfile.project_scan import ProjectScan
from gui.core.dockerfile.recipe import (
    CONDA_IMAGE,
    JUPYTERLAB_PIN,
    PYTORCH_IMAGE,
    TENSORFLOW_IMAGE,
    UVICORN_PIN,
    AppKind,
    DockerfileSpec,
    builder_image,
    default_base_image,
    default_spec,
    render_dockerfile,
    render_dockerignore,
    templates_dir,
)
from gui.core.secrets import secret_problem
from tests.unavailable import hadolint_binary


def scan(
    dependency_file: str | None = "requirements.txt",
    frameworks=(),
    entry_script: str | None = "app.py",
    notebooks=(),
    folder: Path = Path("/project"),
) -> ProjectScan:
    return ProjectScan(
        folder=folder,
        dependency_file=dependency_file,
        entry_script=entry_script,
        notebooks=tuple(notebooks),
        model_files=(),
        model_bytes=0,
        existing_dockerfile=None,
        has_dockerignore=False,
        frameworks=frozenset(frameworks),
        requirements=(),
        unpinned=(),
        suggested_kind=AppKind.SCRIPT,
    )


# -- every combination -----------------------------------------------------------

DEPENDENCY_CHOICES = (None, "requirements.txt", "pyproject.toml", "environment.yml")
# Quotes, a backslash and a dollar sign: the ENV quoting must keep them literal.
SAMPLE_ENV = (("MODEL_NAME", 'tiny "bert" \\ $HOME'), ("THREADS", "4"), ("GREETING", 'it\'s "here"'))
SAMPLE_RUNTIME_ENV = ("HF_TOKEN", "OPENAI_API_KEY")


def _combination_spec(kind, multi_stage, non_root, healthcheck, with_port, with_env, dependency_file):
    spec = default_spec(kind, scan(dependency_file))
    return replace(
        spec,
        multi_stage=multi_stage,
        non_root=non_root,
        healthcheck=healthcheck,
        port=(kind.default_port or 8080) if with_port else None,
        env=SAMPLE_ENV if with_env else (),
        runtime_env=SAMPLE_RUNTIME_ENV if with_env else (),
        # Jupyter runs as root only with --allow-root (problems() says so): add it as a user would.
        command=spec.command + ("--allow-root",) if kind is AppKind.NOTEBOOK and not non_root else spec.command,
    )


def _combination_id(kind, multi_stage, non_root, healthcheck, with_port, with_env, dependency_file):
    flags = [
        kind.value,
        "multi" if multi_stage else "single",
        "user" if non_root else "root",
        "health" if healthcheck else "nohealth",
        "port" if with_port else "noport",
        "env" if with_env else "noenv",
        dependency_file or "nodeps",
    ]
    return "-".join(flags)


COMBINATIONS = [
    combo
    for combo in itertools.product(
        AppKind, (False, True), (True, False), (False, True), (True, False), (False, True), DEPENDENCY_CHOICES
    )
    # A conda environment is not carried between stages: that spec is refused (tested below).
    if not (combo[1] and combo[6] == "environment.yml")
]
COMBINATION_IDS = [_combination_id(*combo) for combo in COMBINATIONS]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, tuple[DockerfileSpec, str, list]]:
    """id -> (spec, Dockerfile text, hadolint findings). One hadolint run for all files: fast."""
    folder = tmp_path_factory.mktemp("dockerfiles")
    results = {}
    for combo, combo_id in zip(COMBINATIONS, COMBINATION_IDS):
        spec = _combination_spec(*combo)
        assert spec.problems() == {}, combo_id
        text = render_dockerfile(spec)
        (folder / f"{combo_id}.Dockerfile").write_text(text, encoding="utf-8")
        results[combo_id] = (spec, text, [])
    for finding in _hadolint_json(sorted(folder.glob("*.Dockerfile")), folder):
        results[Path(finding["file"]).name.removesuffix(".Dockerfile")][2].append(finding)
    return results


def _hadolint_json(files: list[Path], folder: Path) -> list[dict]:
    """hadolint's findings for `files`, every rule on: an explicit config that ignores nothing,
    so no user or project config can switch rules off behind the test's back."""
    config = folder / "hadolint.yaml"
    config.write_text("ignored: []\n")
    completed = subprocess.run(
        [hadolint_binary(), "--config", str(config), "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.stdout.strip(), completed.stderr
    return json.loads(completed.stdout)


def test_the_hadolint_harness_does_see_findings(tmp_path):
    bad = tmp_path / "bad.Dockerfile"
    bad.write_text("FROM python\nRUN pip install flask\nUSER app\nCMD python app.py\n")
    codes = {finding["code"] for finding in _hadolint_json([bad], tmp_path)}
    assert {"DL3006", "DL3013", "DL3042", "DL3025"} <= codes


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) read plainly: comments and blank lines dropped, continuations joined."""
    instructions, current = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1]
            continue
        current += line
        keyword, _, arguments = current.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    assert not current, "the file ends inside a continuation"
    return instructions


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("combo_id", COMBINATION_IDS)
def test_every_combination_passes_hadolint_with_no_findings(rendered, combo_id):
    _spec, text, findings = rendered[combo_id]
    assert findings == [], text


@pytest.mark.parametrize("combo_id", COMBINATION_IDS)
def test_every_combination_round_trips_through_dockerfile_parse(rendered, combo_id):
    spec, text, _ = rendered[combo_id]
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    theirs = [
        (item["instruction"], _squash(item["value"])) for item in parser.structure if item["instruction"] != "COMMENT"
    ]
    ours = [(keyword, _squash(arguments)) for keyword, arguments in _instructions(text)]
    assert theirs == ours

    multi = spec.multi_stage and spec.dependency_file in ("requirements.txt", "pyproject.toml")
    froms = [value for keyword, value in ours if keyword == "FROM"]
    assert froms == ([f"{builder_image(spec.base_image)} AS builder"] if multi else []) + [spec.base_image]
    assert parser.baseimage == spec.base_image
    assert parser.is_multistage == multi

    commands = [value for keyword, value in ours if keyword == "CMD"]
    assert len(commands) == 1 and json.loads(commands[0]) == list(spec.command)
    exposed = [value for keyword, value in ours if keyword == "EXPOSE"]
    assert exposed == ([str(spec.port)] if spec.port else [])
    users = [value for keyword, value in ours if keyword == "USER"]
    assert users == (["10001:10001"] if spec.non_root else [])
    healthchecks = [value for keyword, value in ours if keyword == "HEALTHCHECK"]
    assert len(healthchecks) == (1 if spec.healthcheck and spec.port else 0)
    if healthchecks:
        assert f"'127.0.0.1', {spec.port}" in healthchecks[0]

    for name, value in spec.env:
        assert parser.envs[name] == value
    for name in spec.runtime_env:
        assert name not in parser.envs  # secrets are asked for at run time, never baked in
    # Their names (only) travel with the image, so the Run dialog can ask for them.
    from gui.core.secrets import RUN_ENV_LABEL

    assert parser.labels.get(RUN_ENV_LABEL, "").split(",") == (list(spec.runtime_env) or [""])


@pytest.mark.parametrize("combo_id", COMBINATION_IDS)
def test_every_combination_follows_the_seed_practices(rendered, combo_id):
    spec, text, _ = rendered[combo_id]
    instructions = _instructions(text)
    runs = [value for keyword, value in instructions if keyword == "RUN"]
    for run in runs:
        if "pip install" in run or "pip wheel" in run:
            assert "--no-cache-dir" in run
    install_index = next(
        (
            i
            for i, (keyword, value) in enumerate(instructions)
            if keyword == "RUN"
            and ("pip install" in value or "conda env" in value)
            and instructions[i - 1][0] != "FROM"
        ),
        None,
    )
    copy_all = [i for i, (keyword, value) in enumerate(instructions) if keyword == "COPY" and value.endswith(". .")]
    if spec.dependency_file in ("requirements.txt", "environment.yml") or spec.extra_packages:
        assert install_index is not None
    if spec.dependency_file in ("requirements.txt", "environment.yml"):
        # The dependency layer comes before the code, so it is cached while only the code changes.
        assert install_index < copy_all[-1]
    assert all(keyword != "ADD" for keyword, _ in instructions)
    for name in SAMPLE_RUNTIME_ENV:
        assert f"{name}=" not in text.replace(f"-e {name}=...", "")


def test_every_instruction_block_is_explained_by_a_comment():
    """Seed style: a comment says what each step (or group of steps) does and why."""
    for combo in COMBINATIONS[::7]:
        text = render_dockerfile(_combination_spec(*combo))
        previous = ""
        continuing = False
        for line in text.splitlines():
            stripped = line.strip()
            if continuing:
                continuing = line.endswith("\\")
                continue
            if stripped and not stripped.startswith("#"):
                assert previous.startswith("#") or previous[:1].isupper(), (line, text)
                continuing = line.endswith("\\")
            previous = stripped if stripped else ""


def test_multi_stage_with_a_conda_environment_is_refused():
    spec = replace(default_spec(AppKind.SCRIPT, scan("environment.yml")), multi_stage=True)
    assert "multi_stage" in spec.problems()
    with pytest.raises(ValueError, match="multi_stage"):
        render_dockerfile(spec)


# -- kinds and defaults ------------------------------------------------------------


def test_one_template_per_kind():
    for kind in AppKind:
        assert (templates_dir() / kind.template).is_file()
        assert kind.template == f"{kind.value}.Dockerfile.j2"
        assert kind.title and kind.summary.endswith(".")
    assert (templates_dir() / "dockerignore.j2").is_file()
    assert [kind.default_port for kind in AppKind] == [80, 8000, 8888, None, None]
    assert [kind.uses_gpu for kind in AppKind] == [False, False, False, True, True]


def test_default_base_images():
    assert default_base_image(AppKind.SCRIPT, "3.11") == "python:3.11-slim"
    assert default_base_image(AppKind.HTTP_API, "3.12") == "python:3.12-slim"
    assert default_base_image(AppKind.NOTEBOOK, "3.13") == "python:3.13-slim"
    assert default_base_image(AppKind.PYTORCH_CUDA, "3.12") == PYTORCH_IMAGE
    assert default_base_image(AppKind.TENSORFLOW_GPU, "3.12") == TENSORFLOW_IMAGE


def test_builder_images_run_the_same_python_with_compilers():
    assert builder_image("python:3.12-slim") == "python:3.12"
    assert builder_image("python:3.12-slim-bookworm") == "python:3.12-bookworm"
    assert builder_image("localhost:5000/python:3.11-slim") == "localhost:5000/python:3.11"
    assert builder_image(PYTORCH_IMAGE) == "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-devel"
    assert builder_image(TENSORFLOW_IMAGE) == TENSORFLOW_IMAGE
    assert builder_image("python") == "python"
    assert builder_image("not a reference") == "not a reference"


def test_seed_sample_is_the_script_default():
    spec = default_spec(AppKind.SCRIPT)
    assert (spec.base_image, spec.port, spec.command, spec.dependency_file) == (
        "python:3.12-slim",
        80,
        ("python", "app.py"),
        "requirements.txt",
    )
    assert spec.problems() == {} and spec.non_root and not spec.multi_stage
    text = render_dockerfile(replace(spec, base_image="python:3.11-slim"))
    lines = [f"{keyword} {value}" for keyword, value in _instructions(text)]
    for expected in (
        "FROM python:3.11-slim",
        "WORKDIR /app",
        "COPY requirements.txt .",
        "RUN pip install --no-cache-dir -r requirements.txt",
        "COPY . .",
        "EXPOSE 80",
        'CMD ["python", "app.py"]',
    ):
        assert expected in lines


def test_http_api_commands_follow_the_framework():
    fastapi = default_spec(AppKind.HTTP_API, scan(frameworks={"fastapi", "uvicorn"}, entry_script="main.py"))
    assert fastapi.command == ("uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000")
    assert fastapi.port == 8000 and fastapi.healthcheck and fastapi.extra_packages == ()
    assert default_spec(AppKind.HTTP_API, scan(frameworks={"fastapi"})).extra_packages == (UVICORN_PIN,)
    flask = default_spec(AppKind.HTTP_API, scan(frameworks={"flask"}))
    assert flask.command == ("flask", "--app", "app", "run", "--host=0.0.0.0", "--port=8000")
    gunicorn = default_spec(AppKind.HTTP_API, scan(frameworks={"flask", "gunicorn"}, entry_script="serve.py"))
    assert gunicorn.command == ("gunicorn", "--bind", "0.0.0.0:8000", "serve:app")
    assert default_spec(AppKind.HTTP_API).command[0] == "uvicorn"


def test_notebook_defaults_and_token_note():
    spec = default_spec(AppKind.NOTEBOOK, scan(entry_script=None, notebooks=["a.ipynb"]))
    assert spec.command == ("jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser")
    assert spec.port == 8888 and spec.extra_packages == (JUPYTERLAB_PIN,)
    assert default_spec(AppKind.NOTEBOOK, scan(frameworks={"jupyter"})).extra_packages == ()
    text = render_dockerfile(spec)
    assert "token" in text and "docker logs" in text
    assert "--NotebookApp.token" not in text and "ServerApp.token" not in text  # never baked in
    assert f"pip install --no-cache-dir {JUPYTERLAB_PIN} -r requirements.txt" in text
    assert "COPY --chown=10001:10001 . ." in text  # notebooks can be saved
    root = replace(spec, non_root=False)
    assert "command" in root.problems()  # jupyter refuses root without --allow-root


def test_gpu_defaults_use_framework_images_and_mention_gpus():
    for kind, image in ((AppKind.PYTORCH_CUDA, PYTORCH_IMAGE), (AppKind.TENSORFLOW_GPU, TENSORFLOW_IMAGE)):
        spec = default_spec(kind, scan(entry_script="train.py"))
        assert (spec.base_image, spec.python_version, spec.port) == (image, "3.11", None)
        assert spec.command == ("python", "train.py")
        text = render_dockerfile(spec)
        assert "--gpus all" in text and "apt-get" not in text


def test_environment_yml_uses_a_conda_image():
    spec = default_spec(AppKind.SCRIPT, scan("environment.yml"))
    assert spec.base_image == CONDA_IMAGE
    text = render_dockerfile(spec)
    assert "conda env update --name base --file environment.yml" in text and "pip:" in text
    assert default_spec(AppKind.PYTORCH_CUDA, scan("environment.yml")).base_image == PYTORCH_IMAGE
    tensorflow = default_spec(AppKind.TENSORFLOW_GPU, scan("environment.yml"))
    assert any("needs conda" in warning for warning in tensorflow.base_image_warnings())


def test_no_dependency_file():
    spec = default_spec(AppKind.SCRIPT, scan(None))
    assert spec.dependency_file is None
    text = render_dockerfile(replace(spec, multi_stage=True))  # nothing to build: one stage
    assert "pip" not in "".join(value for keyword, value in _instructions(text) if keyword == "RUN")
    assert text.count("\nFROM ") == 1


# -- problems and warnings -------------------------------------------------------------


def _valid() -> DockerfileSpec:
    return default_spec(AppKind.SCRIPT)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"base_image": ""}, "base_image"),
        ({"base_image": "Python:3.12"}, "base_image"),
        ({"base_image": "python:3.12 slim"}, "base_image"),
        ({"python_version": "3"}, "python_version"),
        ({"python_version": "three"}, "python_version"),
        ({"dependency_file": "Pipfile"}, "dependency_file"),
        ({"workdir": "app"}, "workdir"),
        ({"workdir": "/my app"}, "workdir"),
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"command": ()}, "command"),
        ({"command": ("", "app.py")}, "command"),
        ({"command": ("python", "")}, "command"),
        ({"command": ("python", "a\nRUN evil")}, "command"),
        ({"env": (("1ABC", "x"),)}, "env"),
        ({"env": (("MY-VAR", "x"),)}, "env"),
        ({"env": (("A", "x\nRUN evil"),)}, "env"),
        ({"env": (("A", "1"), ("A", "2"))}, "env"),
        ({"runtime_env": ("bad name",)}, "runtime_env"),
        ({"extra_packages": ("jupyterlab",)}, "extra_packages"),
    ],
)
def test_problems_name_the_field(changes, field):
    spec = replace(_valid(), **changes)
    problems = spec.problems()
    assert list(problems) == [field]
    assert problems[field].endswith(".")
    with pytest.raises(ValueError):
        render_dockerfile(spec)


@pytest.mark.parametrize("name", ["HF_TOKEN", "OPENAI_API_KEY", "DB_PASSWORD", "aws_secret", "apiKey"])
def test_secret_looking_env_names_are_refused_with_the_reason(name):
    problems = replace(_valid(), env=((name, "abc"),)).problems()
    assert problems == {"env": secret_problem(name)}
    assert replace(_valid(), runtime_env=(name,)).problems() == {}  # the place for secrets


def test_valid_defaults_have_no_problems():
    for kind in AppKind:
        assert default_spec(kind).problems() == {}
        assert default_spec(kind, scan(frameworks={"flask"})).problems() == {}
    assert replace(_valid(), port=None, healthcheck=True).problems() == {}  # health check just skipped


def test_base_image_warnings():
    def warnings(base, kind=AppKind.SCRIPT, **changes):
        return " ".join(replace(default_spec(kind), base_image=base, **changes).base_image_warnings())

    assert "latest" in warnings("python") and "python:3.12-slim" in warnings("python")
    assert "latest" in warnings("python:latest")
    assert "latest" not in warnings("python:3.12-slim")
    assert "slim" in warnings("python:3.12") and "1 GB" in warnings("python:3.12")
    assert "musl" in warnings("python:3.12-alpine")
    assert "Python 3.11" in warnings("python:3.11-slim")  # python_version says 3.12
    assert "50 MB" in warnings("python:3.12-slim")
    assert "no Python" in warnings("nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04", AppKind.PYTORCH_CUDA)
    assert "several GB" in warnings(PYTORCH_IMAGE, AppKind.PYTORCH_CUDA, python_version="3.11")
    assert "needs conda" in warnings("python:3.12-slim", dependency_file="environment.yml")
    assert "needs conda" not in warnings(CONDA_IMAGE, dependency_file="environment.yml")
    assert warnings("not valid!") == ""  # problems() reports that one


# -- .dockerignore ------------------------------------------------------------------


def _patterns(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_dockerignore_keeps_clutter_and_secrets_out():
    patterns = _patterns(render_dockerignore(_valid(), None))
    for expected in (
        ".git",
        ".venv",
        "venv",
        "env",
        "**/__pycache__",
        "**/*.py[cod]",
        "**/.ipynb_checkpoints",
        ".pytest_cache",
        ".mypy_cache",
        "**/node_modules",
        "**/.env",
        "Dockerfile.bak*",
        "data",
        "datasets",
        "**/*.pt",
        "**/*.safetensors",
        "**/*.gguf",
    ):
        assert expected in patterns
    assert "requirements.txt" not in patterns and "**/*.ipynb" not in patterns


def test_dockerignore_includes_data_when_chosen():
    text = render_dockerignore(replace(_valid(), include_data=True), None)
    patterns = _patterns(text)
    assert "**/*.pt" not in patterns and "data" not in patterns
    assert "**/.env" in patterns  # secrets stay out regardless
    assert "included" in text


def test_dockerignore_says_how_many_model_files_it_leaves_out():
    found = replace(
        scan(), model_files=(("models/a.pt", 2 * 1024**3), ("b.onnx", 1024)), model_bytes=2 * 1024**3 + 1024
    )
    text = render_dockerignore(_valid(), found)
    assert "2 model files (2.0 GiB)" in text
