"""Dockerfile recipes: what the wizard asks for, and the files it writes. No Qt.

A DockerfileSpec holds the answers; render_dockerfile() turns it into a
Dockerfile through the Jinja2 template of its kind (resources/templates/),
render_dockerignore() into the matching .dockerignore. Generated files follow
the seed tutorial's best practices (slim, pinned base; dependencies installed
before the code is copied, so that layer caches; no secrets; a non-root user;
optionally a multi-stage build) and explain every step in a comment.
They pass hadolint with no findings (tests/unit/test_recipe.py).
"""

from __future__ import annotations

import functools
import json
import re
import shlex
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from gui.core import resources
from gui.core.format import human_bytes
from gui.core.reference import parse, reference_problem
from gui.core.secrets import RUN_ENV_LABEL, secret_problem

if TYPE_CHECKING:
    from gui.core.dockerfile.project_scan import ProjectScan

__all__ = [
    "DEPENDENCY_FILES",
    "AppKind",
    "DockerfileSpec",
    "builder_image",
    "default_base_image",
    "default_spec",
    "render_dockerfile",
    "render_dockerignore",
    "templates_dir",
]

DEPENDENCY_FILES = ("requirements.txt", "pyproject.toml", "environment.yml")

# Framework images bring CUDA, cuDNN, Python and the framework, so the generated
# Dockerfile needs no apt-get (whose packages hadolint wants pinned) at all.
PYTORCH_IMAGE = "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime"
TENSORFLOW_IMAGE = "tensorflow/tensorflow:2.17.0-gpu"
GPU_IMAGE_PYTHON = "3.11"  # the Python both framework images above ship
# A conda environment (environment.yml) needs conda; slim Python images have none.
CONDA_IMAGE = "condaforge/miniforge3:24.9.2-0"
# Installed when the project does not list them (pinned: hadolint DL3013, and reproducible builds).
JUPYTERLAB_PIN = "jupyterlab==4.2.5"
UVICORN_PIN = "uvicorn==0.30.6"

# The non-root user of generated images. Numeric in USER, so that Kubernetes'
# runAsNonRoot and the host can check it without the image's /etc/passwd.
APP_USER = "app"
APP_UID = 10001

_PLAIN_VALUE_RE = re.compile(r"[A-Za-z0-9_./:@%+,=-]+")
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PYTHON_VERSION_RE = re.compile(r"3\.[0-9]{1,2}")
PINNED_PACKAGE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9,._-]+\])?==[A-Za-z0-9.+!_-]+")
CONDA_REPOSITORIES = ("condaforge/miniforge3", "continuumio/miniconda3", "continuumio/anaconda3", "pytorch/pytorch")


class AppKind(Enum):
    SCRIPT = "script"
    HTTP_API = "http-api"
    NOTEBOOK = "notebook"
    PYTORCH_CUDA = "pytorch-cuda"
    TENSORFLOW_GPU = "tensorflow-gpu"

    @property
    def title(self) -> str:
        return _KIND_INFO[self][0]

    @property
    def summary(self) -> str:
        """One line: what this kind of app is for."""
        return _KIND_INFO[self][1]

    @property
    def template(self) -> str:
        """File name of its template in resources/templates/."""
        return f"{self.value}.Dockerfile.j2"

    @property
    def default_port(self) -> int | None:
        return _KIND_INFO[self][2]

    @property
    def uses_gpu(self) -> bool:
        return self in (AppKind.PYTORCH_CUDA, AppKind.TENSORFLOW_GPU)


_KIND_INFO: dict[AppKind, tuple[str, str, int | None]] = {
    AppKind.SCRIPT: (
        "Python script",
        "A Python program started with `python app.py`, like the tutorial's sample app on port 80.",
        80,
    ),
    AppKind.HTTP_API: (
        "HTTP inference API",
        "A web API that serves a model over HTTP: FastAPI with uvicorn, or Flask.",
        8000,
    ),
    AppKind.NOTEBOOK: (
        "Jupyter notebook server",
        "JupyterLab in the browser, with your notebooks and their packages inside the container.",
        8888,
    ),
    AppKind.PYTORCH_CUDA: (
        "PyTorch with CUDA",
        "Training or inference with PyTorch on an NVIDIA GPU (CUDA and cuDNN included).",
        None,
    ),
    AppKind.TENSORFLOW_GPU: (
        "TensorFlow with GPU",
        "Training or inference with TensorFlow on an NVIDIA GPU (CUDA and cuDNN included).",
        None,
    ),
}


@dataclass(frozen=True)
class DockerfileSpec:
    kind: AppKind
    base_image: str
    python_version: str = "3.12"
    dependency_file: str | None = "requirements.txt"
    workdir: str = "/app"
    port: int | None = None
    command: tuple[str, ...] = ("python", "app.py")  # exec form
    multi_stage: bool = False
    non_root: bool = True
    healthcheck: bool = False  # only rendered with a port
    env: tuple[tuple[str, str], ...] = ()  # baked in, so never secrets
    runtime_env: tuple[str, ...] = ()  # names given at `docker run -e`, never baked in
    include_data: bool = False  # .dockerignore keeps large data/model files
    # Pinned packages installed before the dependency file, for what the kind
    # needs but the project does not list (JupyterLab for a notebook server).
    extra_packages: tuple[str, ...] = field(default=())

    def problems(self) -> dict[str, str]:
        """Field name -> a plain sentence on what is wrong; {} when the spec can be rendered."""
        found: dict[str, str] = {}

        def add(name: str, problem: str | None) -> None:
            if problem and name not in found:
                found[name] = problem

        add("base_image", reference_problem(self.base_image))
        if not PYTHON_VERSION_RE.fullmatch(self.python_version):
            add("python_version", "Give the Python version as major.minor, for example 3.12.")
        if self.dependency_file not in (None, *DEPENDENCY_FILES):
            add(
                "dependency_file",
                "The dependency file must be requirements.txt, pyproject.toml or environment.yml (or none).",
            )
        add("workdir", _workdir_problem(self.workdir))
        if self.port is not None and not (isinstance(self.port, int) and 1 <= self.port <= 65535):
            add("port", "A port is a number from 1 to 65535, for example 80 or 8000.")
        add("command", _command_problem(self))
        for name, value in self.env:
            add("env", _env_name_problem(name) or secret_problem(name))
            if "\n" in value or "\r" in value:
                add("env", f"The value of {name} spans several lines; a Dockerfile ENV value must fit on one.")
        names = [name for name, _ in self.env]
        for name in {n for n in names if names.count(n) > 1}:
            add("env", f"{name} is set twice; keep one value.")
        for name in self.runtime_env:
            add("runtime_env", _env_name_problem(name))
        for package in self.extra_packages:
            if not PINNED_PACKAGE_RE.fullmatch(package):
                add(
                    "extra_packages",
                    f"Pin {package!r} to a version, like jupyterlab==4.2.5, so that every "
                    "build installs the same thing.",
                )
        if self.multi_stage and self.dependency_file == "environment.yml":
            add(
                "multi_stage",
                "A multi-stage build here carries pip wheels from the builder to the final "
                "image; a conda environment (environment.yml) installs in one stage. Turn "
                "multi-stage off, or list the packages in requirements.txt.",
            )
        return found

    def base_image_warnings(self, on_this_machine: bool = False) -> list[str]:
        """Advice on the base image: untagged or latest, a big non-slim CPU base, what to expect in size.
        An image already on this machine gets no word on its download: there is none."""
        if reference_problem(self.base_image):
            return []
        reference = parse(self.base_image)
        repository, tag = reference.repository, reference.tag
        warnings = []
        if reference.digest is None and tag in (None, "latest"):
            shown = "no tag, which means latest" if tag is None else "the tag latest"
            warnings.append(
                f"{self.base_image} has {shown}: it points to a different image whenever a new version comes "
                f"out, so the same Dockerfile builds something else next month. Pin a version, for example "
                f"{default_base_image(self.kind, self.python_version)}."
            )
        name = repository.removeprefix("docker.io/").removeprefix("library/")
        tag_text = tag or "latest"
        if not self.kind.uses_gpu and name == "python" and "slim" not in tag_text and "alpine" not in tag_text:
            warnings.append(
                f"{self.base_image} is the full Python image (about 1 GB, with compilers and tools most apps "
                f"never use); python:{self.python_version}-slim is about 150 MB and runs the same Python code."
            )
        if name == "python" and "alpine" in tag_text:
            warnings.append(
                "Alpine uses musl instead of glibc: most AI packages (numpy, torch...) have no "
                "ready-made wheels for it and must compile, which is slow and often fails. "
                "Prefer a -slim image."
            )
        if (
            name == "python"
            and tag
            and PYTHON_VERSION_RE.match(tag)
            and not tag.startswith(self.python_version + "-")
            and tag != self.python_version
        ):
            warnings.append(
                f"The base image has Python {tag.split('-')[0]}, but Python {self.python_version} was chosen."
            )
        if name == "nvidia/cuda":
            warnings.append(
                "nvidia/cuda images have CUDA but no Python or pip, which this Dockerfile needs. "
                f"Use a framework image such as {PYTORCH_IMAGE} or {TENSORFLOW_IMAGE}, "
                "or add the Python install yourself."
            )
        if self.dependency_file == "environment.yml" and not name.startswith(CONDA_REPOSITORIES):
            warnings.append(
                f"environment.yml needs conda, and {self.base_image} may not have it. Use a conda "
                f"image such as {CONDA_IMAGE} (or {PYTORCH_IMAGE} for PyTorch), or list the "
                "packages in requirements.txt instead."
            )
        if self.kind.uses_gpu:
            warnings.append(
                f"{self.base_image} is large (several GB, mostly CUDA libraries): the first pull "
                "takes a while, and later builds reuse it. It runs on the GPU only when the "
                "container is started with --gpus all on a machine with the NVIDIA Container "
                "Toolkit."
            )
        elif "slim" in tag_text and not on_this_machine:
            warnings.append(
                f"{self.base_image} is about 50 MB to download (about 150 MB on disk); your "
                "packages come on top of that."
            )
        return warnings

    @property
    def builder_image(self) -> str:
        return builder_image(self.base_image)


def _workdir_problem(workdir: str) -> str | None:
    if not workdir.startswith("/"):
        return "The working directory must be an absolute path inside the container, for example /app."
    if any(ch.isspace() for ch in workdir) or any(ch in workdir for ch in "\"'$\\"):
        return "Use a working directory without spaces, quotes, $ or backslashes, for example /app."
    return None


def _command_problem(spec: DockerfileSpec) -> str | None:
    if not spec.command or not spec.command[0].strip():
        return "Enter the command that starts the app, for example python app.py."
    if any(not part for part in spec.command):
        return "The command has an empty part; remove it."
    if any("\n" in part or "\r" in part for part in spec.command):
        return "The command must fit on one line."
    if (
        spec.kind is AppKind.NOTEBOOK
        and not spec.non_root
        and spec.command[0] == "jupyter"
        and "--allow-root" not in spec.command
    ):
        return "Jupyter refuses to run as root: keep the non-root user (safer), or add --allow-root to the command."
    return None


def _env_name_problem(name: str) -> str | None:
    if not ENV_NAME_RE.fullmatch(name):
        return (
            f"{name!r} is not a valid variable name: use letters, digits and _, not starting with a "
            "digit (for example MODEL_NAME)."
        )
    return None


# -- defaults -------------------------------------------------------------------


def default_base_image(kind: AppKind, python_version: str) -> str:
    """The base image the wizard proposes: slim Python for CPU kinds, the framework's own image for GPU ones."""
    if kind is AppKind.PYTORCH_CUDA:
        return PYTORCH_IMAGE
    if kind is AppKind.TENSORFLOW_GPU:
        return TENSORFLOW_IMAGE
    return f"python:{python_version}-slim"


def builder_image(base_image: str) -> str:
    """The builder stage's image for a multi-stage build on `base_image`.

    It has to run the same Python as the final image (the wheels it builds must
    fit), plus compilers for packages that build C code: python:3.12-slim gets
    python:3.12, a PyTorch -runtime image its -devel twin. Others build on themselves.
    """
    if reference_problem(base_image):
        return base_image
    reference = parse(base_image)
    tag = reference.tag
    if reference.digest or not tag:
        return base_image
    parts = tag.split("-")
    if "slim" in parts:
        parts.remove("slim")
    elif reference.repository in ("pytorch/pytorch", "nvidia/cuda") and "runtime" in parts:
        parts[parts.index("runtime")] = "devel"
    else:
        return base_image
    return f"{reference.repository}:{'-'.join(parts)}"


def default_spec(kind: AppKind, scan: ProjectScan | None = None) -> DockerfileSpec:
    """The wizard's starting answers for `kind`, filled in from what the project scan found."""
    python_version = GPU_IMAGE_PYTHON if kind.uses_gpu else "3.12"
    dependency_file = scan.dependency_file if scan is not None else "requirements.txt"
    frameworks = scan.frameworks if scan is not None else frozenset()
    entry = (scan.entry_script if scan is not None else None) or "app.py"
    base = default_base_image(kind, python_version)
    if dependency_file == "environment.yml" and not kind.uses_gpu:
        base = CONDA_IMAGE
    elif dependency_file == "environment.yml" and kind is AppKind.TENSORFLOW_GPU:
        base = TENSORFLOW_IMAGE  # no conda here: base_image_warnings() says so
    port = kind.default_port
    if kind is AppKind.SCRIPT and entry == "train.py":
        port = None  # a training run serves nothing
    extra: tuple[str, ...] = ()
    if kind is AppKind.NOTEBOOK and "jupyter" not in frameworks:
        extra = (JUPYTERLAB_PIN,)
    if kind is AppKind.HTTP_API and "fastapi" in frameworks and "uvicorn" not in frameworks:
        extra = (UVICORN_PIN,)
    return DockerfileSpec(
        kind=kind,
        base_image=base,
        python_version=python_version,
        dependency_file=dependency_file,
        port=port,
        command=_default_command(kind, entry, frameworks, port),
        healthcheck=kind is AppKind.HTTP_API,
        extra_packages=extra,
    )


def _default_command(kind: AppKind, entry: str, frameworks: frozenset[str], port: int | None) -> tuple[str, ...]:
    module = entry.removesuffix(".py")
    if kind is AppKind.HTTP_API:
        port_text = str(port or 8000)
        if "flask" in frameworks and "fastapi" not in frameworks:
            if "gunicorn" in frameworks:
                return ("gunicorn", "--bind", f"0.0.0.0:{port_text}", f"{module}:app")
            # Flask's own server: fine for trying things, gunicorn for real traffic.
            return ("flask", "--app", module, "run", "--host=0.0.0.0", f"--port={port_text}")
        return ("uvicorn", f"{module}:app", "--host", "0.0.0.0", "--port", port_text)
    if kind is AppKind.NOTEBOOK:
        return ("jupyter", "lab", "--ip=0.0.0.0", f"--port={port or 8888}", "--no-browser")
    return ("python", entry)


# -- rendering ------------------------------------------------------------------


def templates_dir() -> Path:
    """The templates folder of the installed gui.resources package (resources/templates/ in the repository)."""
    return resources.template_dir()


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    environment.filters["exec_form"] = _exec_form
    environment.filters["env_value"] = _env_value
    return environment


def _exec_form(parts) -> str:
    """["python", "app.py"]: JSON, as Docker's exec form wants (no shell in between)."""
    return json.dumps([str(part) for part in parts], ensure_ascii=False)


def _env_value(value: str) -> str:
    r"""An ENV value written so Docker reads it back literally: bare when it is plain (MODEL=bert-base),
    else in single quotes (nothing is special inside them), else in double quotes with \ " \$ escaped."""
    if _PLAIN_VALUE_RE.fullmatch(value):
        return value
    if "'" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def _healthcheck_command(port: int) -> list[str]:
    # Slim images have no curl or wget: ask with Python's own http.client.
    # Any answer below 500 counts (a 404 on / still proves the server is up).
    code = (
        f"import http.client, sys; c = http.client.HTTPConnection('127.0.0.1', {port}, timeout=4); "
        "c.request('GET', '/'); sys.exit(c.getresponse().status >= 500)"
    )
    return ["python", "-c", code]


def render_dockerfile(spec: DockerfileSpec) -> str:
    """The Dockerfile for `spec`.

    Raises ValueError when spec.problems() is not empty: a bad value (a line
    break in a name, say) could otherwise write instructions nobody asked for.
    """
    problems = spec.problems()
    if problems:
        raise ValueError("; ".join(f"{name}: {text}" for name, text in problems.items()))
    writable_workdir = spec.kind is AppKind.NOTEBOOK and spec.non_root
    extras = spec.extra_packages
    template = _environment().get_template(spec.kind.template)
    return template.render(
        spec=spec,
        kind=spec.kind,
        builder_image=spec.builder_image,
        dependency_file=spec.dependency_file,
        conda=spec.dependency_file == "environment.yml",
        # A pip-less project (no dependency file) has nothing for a builder to build.
        multi_stage=spec.multi_stage and spec.dependency_file in ("requirements.txt", "pyproject.toml"),
        user=APP_USER,
        uid=APP_UID,
        writable_workdir=writable_workdir,
        copy_all=f"COPY --chown={APP_UID}:{APP_UID} . ." if writable_workdir else "COPY . .",
        extra_args="".join(f"{package} " for package in extras),
        extras_text=" and ".join(extras),
        extra_words=f", plus {' and '.join(extras)} (pinned: every build gets the same version)" if extras else "",
        command_text=shlex.join(spec.command),
        healthcheck_command=_healthcheck_command(spec.port) if spec.healthcheck and spec.port else None,
        run_env_label=RUN_ENV_LABEL,
    )


def render_dockerignore(spec: DockerfileSpec, scan: ProjectScan | None) -> str:
    """The .dockerignore: keeps git history, virtual environments, caches, secrets (.env)
    and, unless spec.include_data, large data and model files out of the build context."""
    template = _environment().get_template("dockerignore.j2")
    model_files = scan.model_files if scan is not None else ()
    return template.render(
        spec=spec,
        model_count=len(model_files),
        model_size=human_bytes(scan.model_bytes) if scan is not None else "",
    )
