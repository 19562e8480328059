"""What a project folder holds, for the Dockerfile wizard's first page. No Qt.

scan_project() walks the folder once (blocking: run it off the GUI thread),
skipping version control, virtual environments and caches, and reports the
dependency file, the entry script, notebooks, model files and their size, an
existing Dockerfile, and which well-known frameworks the dependencies name.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gui.core.dockerfile.recipe import DEPENDENCY_FILES, AppKind

__all__ = ["ENTRY_SCRIPTS", "MODEL_SUFFIXES", "ProjectScan", "pin_suggestions", "requirement_name", "scan_project"]

ENTRY_SCRIPTS = ("app.py", "main.py", "serve.py", "server.py", "train.py")
MODEL_SUFFIXES = (".pt", ".pth", ".bin", ".safetensors", ".onnx", ".h5", ".ckpt", ".gguf", ".pkl")
MAX_NOTEBOOKS = 50
MAX_MODEL_FILES = 500  # listed; model_bytes still counts them all

# Folders never worth walking: their files are not part of the app.
_SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        ".conda",
        "node_modules",
        "__pycache__",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".idea",
        ".vscode",
        "site-packages",
    }
)

# Distribution name (normalised) -> framework name the wizard reasons about.
_FRAMEWORKS = {
    "flask": "flask",
    "fastapi": "fastapi",
    "uvicorn": "uvicorn",
    "gunicorn": "gunicorn",
    "torch": "torch",
    "pytorch": "torch",  # the conda package's name
    "tensorflow": "tensorflow",
    "tensorflow-gpu": "tensorflow",
    "tensorflow-cpu": "tensorflow",
    "tf-nightly": "tensorflow",
    "jupyter": "jupyter",
    "jupyterlab": "jupyter",
    "notebook": "jupyter",
}

_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


@dataclass(frozen=True)
class ProjectScan:
    folder: Path
    dependency_file: str | None
    entry_script: str | None
    notebooks: tuple[str, ...]
    model_files: tuple[tuple[str, int], ...]
    model_bytes: int
    existing_dockerfile: str | None
    has_dockerignore: bool
    frameworks: frozenset[str]
    requirements: tuple[str, ...]
    unpinned: tuple[str, ...]
    suggested_kind: AppKind
    truncated: bool = False  # True when the walk stopped at max_files


def scan_project(folder: Path, max_files: int = 20_000) -> ProjectScan:
    """Look at `folder` (a project to containerise). Raises OSError when it cannot be read."""
    folder = Path(folder)
    top = {entry.name: entry for entry in os.scandir(folder)}  # raises for a missing folder, as it should

    dependency_file = next((name for name in DEPENDENCY_FILES if _is_file(top.get(name))), None)
    entry_script = next((name for name in ENTRY_SCRIPTS if _is_file(top.get(name))), None)
    existing_dockerfile = "Dockerfile" if _is_file(top.get("Dockerfile")) else None

    notebooks: list[str] = []
    model_files: list[tuple[str, int]] = []
    model_bytes = 0
    truncated = False
    for relative, size in _walk(folder, max_files):
        if relative is None:
            truncated = True
            break
        lower = relative.lower()
        if lower.endswith(".ipynb"):
            notebooks.append(relative)
        elif lower.endswith(MODEL_SUFFIXES):
            model_bytes += size
            model_files.append((relative, size))

    requirements: tuple[str, ...] = ()
    names: list[str] = []
    if dependency_file == "requirements.txt":
        requirements = _requirement_lines(_read_text(folder / "requirements.txt"))
        names = [name for name in map(requirement_name, requirements) if name]
    elif dependency_file == "pyproject.toml":
        names = _pyproject_names(_read_text(folder / "pyproject.toml"))
    elif dependency_file == "environment.yml":
        names = _environment_names(_read_text(folder / "environment.yml"))
    frameworks = frozenset(_FRAMEWORKS[n] for n in map(_normalise, names) if n in _FRAMEWORKS)
    unpinned = tuple(
        name for line, name in zip(requirements, map(requirement_name, requirements)) if name and "==" not in line
    )

    notebooks.sort()
    model_files.sort()
    return ProjectScan(
        folder=folder,
        dependency_file=dependency_file,
        entry_script=entry_script,
        notebooks=tuple(notebooks[:MAX_NOTEBOOKS]),
        model_files=tuple(model_files[:MAX_MODEL_FILES]),
        model_bytes=model_bytes,
        existing_dockerfile=existing_dockerfile,
        has_dockerignore=_is_file(top.get(".dockerignore")),
        frameworks=frameworks,
        requirements=requirements,
        unpinned=unpinned,
        suggested_kind=_suggested_kind(frameworks, entry_script, notebooks),
        truncated=truncated,
    )


def pin_suggestions(unpinned: Iterable[str]) -> dict[str, str]:
    """name -> the version installed in the environment Portside runs in, for the names it knows."""
    suggestions = {}
    for name in unpinned:
        try:
            suggestions[name] = importlib.metadata.version(name)
        except (importlib.metadata.PackageNotFoundError, ValueError):
            continue
    return suggestions


def requirement_name(line: str) -> str | None:
    """'torch>=2.1 ; python_version>"3.8"' -> 'torch'; None for options (-r, -e), URLs and paths."""
    line = line.strip()
    if not line or line.startswith(("-", ".", "/")) or "://" in line.split("@")[0]:
        return None
    match = _NAME_RE.match(line)
    if match is None:
        return None
    rest = line[match.end() :].lstrip()
    if rest.startswith("@"):  # "name @ https://..." is a direct reference: pinned by its URL
        return None
    return match.group(0)


# -- helpers ----------------------------------------------------------------------


def _is_file(entry: os.DirEntry | None) -> bool:
    try:
        return entry is not None and entry.is_file()
    except OSError:
        return False


def _walk(folder: Path, max_files: int):
    """(relative path, size) of every file below `folder`, skipping the usual clutter; a final
    (None, 0) when it stopped at max_files. Symlinked folders are not followed (no loops)."""
    seen = 0
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue  # unreadable folder: skip it, as docker build would fail on it anyway
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in _SKIPPED_DIRS and not (Path(entry.path) / "pyvenv.cfg").exists():
                        pending.append(Path(entry.path))
                    continue
                if not entry.is_file():
                    continue
                size = entry.stat().st_size
            except OSError:
                continue
            seen += 1
            if seen > max_files:
                yield None, 0
                return
            yield Path(entry.path).relative_to(folder).as_posix(), size


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _requirement_lines(text: str) -> tuple[str, ...]:
    lines = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return tuple(lines)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_names(text: str) -> list[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    specs = [spec for spec in project.get("dependencies") or [] if isinstance(spec, str)]
    optional = project.get("optional-dependencies")
    if isinstance(optional, dict):
        specs += [
            spec for group in optional.values() if isinstance(group, list) for spec in group if isinstance(spec, str)
        ]
    names = [name for name in map(requirement_name, specs) if name]
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict) and isinstance(poetry.get("dependencies"), dict):
        names += [name for name in poetry["dependencies"] if name.lower() != "python"]
    return names


def _environment_names(text: str) -> list[str]:
    """Package names from environment.yml's dependencies (conda ones and the pip: list).

    A small reader for the usual layout, not a YAML parser: `- name=1.0`, `- name>=1`, `- pip:`.
    """
    names = []
    in_dependencies = False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not raw[:1].isspace():
            in_dependencies = line.startswith("dependencies:")
            continue
        item = line.strip()
        if not in_dependencies or not item.startswith("-"):
            continue
        item = item[1:].strip().strip("'\"")
        if item.endswith(":"):  # "- pip:" opens the pip list
            continue
        item = item.split("::")[-1]  # channel::package
        name = requirement_name(item.replace("=", "==", 1) if "=" in item and "==" not in item else item)
        if name:
            names.append(name)
    return names


def _suggested_kind(frameworks: frozenset[str], entry_script: str | None, notebooks: list[str]) -> AppKind:
    if frameworks & {"fastapi", "flask"}:
        return AppKind.HTTP_API
    if "torch" in frameworks:
        return AppKind.PYTORCH_CUDA
    if "tensorflow" in frameworks:
        return AppKind.TENSORFLOW_GPU
    if notebooks and entry_script is None:
        return AppKind.NOTEBOOK
    return AppKind.SCRIPT
