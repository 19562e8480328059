"""gui.core.dockerfile.project_scan: what the wizard's first page finds in a project folder."""

from pathlib import Path

import pytest

from gui.core.dockerfile.project_scan import ProjectScan, pin_suggestions, requirement_name, scan_project
from gui.core.dockerfile.recipe import AppKind


def make(folder: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return folder


def test_the_seed_sample(tmp_path):
    make(tmp_path, {"app.py": "print('hi')\n", "requirements.txt": "# nothing yet\n"})
    scan = scan_project(tmp_path)
    assert isinstance(scan, ProjectScan)
    assert (scan.folder, scan.dependency_file, scan.entry_script) == (tmp_path, "requirements.txt", "app.py")
    assert (scan.requirements, scan.unpinned, scan.frameworks) == ((), (), frozenset())
    assert scan.suggested_kind is AppKind.SCRIPT
    assert (scan.existing_dockerfile, scan.has_dockerignore, scan.notebooks, scan.model_files) == (None, False, (), ())


def test_requirements_lines_names_and_unpinned(tmp_path):
    make(
        tmp_path,
        {
            "requirements.txt": (
                "# serving\n"
                "fastapi==0.110.0\n"
                "uvicorn[standard]>=0.29  # server\n"
                "\n"
                "Torch ; python_version > '3.8'\n"
                "-r more.txt\n"
                "--extra-index-url https://download.pytorch.org/whl/cu121\n"
                "mypkg @ https://example.com/mypkg.whl\n"
                "numpy\n"
            )
        },
    )
    scan = scan_project(tmp_path)
    assert scan.requirements == (
        "fastapi==0.110.0",
        "uvicorn[standard]>=0.29",
        "Torch ; python_version > '3.8'",
        "-r more.txt",
        "--extra-index-url https://download.pytorch.org/whl/cu121",
        "mypkg @ https://example.com/mypkg.whl",
        "numpy",
    )
    assert scan.unpinned == ("uvicorn", "Torch", "numpy")
    assert scan.frameworks == {"fastapi", "uvicorn", "torch"}
    assert scan.suggested_kind is AppKind.HTTP_API  # a web API wins over the framework it serves


@pytest.mark.parametrize(
    "line, name",
    [
        ("flask", "flask"),
        ("Flask==3.0.2", "Flask"),
        ("scikit-learn>=1.4", "scikit-learn"),
        ("uvicorn[standard]", "uvicorn"),
        ("torch ; sys_platform == 'linux'", "torch"),
        ("zope.interface", "zope.interface"),
        ("-e .", None),
        ("./local", None),
        ("/abs/pkg.whl", None),
        ("https://x/y.whl", None),
        ("name @ file:///x", None),
        ("", None),
    ],
)
def test_requirement_name(line, name):
    assert requirement_name(line) == name


def test_dependency_file_priority_and_pyproject(tmp_path):
    make(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["flask>=3", "gunicorn"]\n'
            '[project.optional-dependencies]\nnb = ["jupyterlab"]\n',
            "environment.yml": "dependencies:\n  - pytorch\n",
            "serve.py": "",
        },
    )
    scan = scan_project(tmp_path)
    assert scan.dependency_file == "pyproject.toml"
    assert scan.frameworks == {"flask", "gunicorn", "jupyter"}
    assert scan.requirements == () and scan.unpinned == ()  # only requirements.txt has lines
    assert scan.entry_script == "serve.py"
    (tmp_path / "requirements.txt").write_text("tensorflow==2.17.0\n")
    assert scan_project(tmp_path).dependency_file == "requirements.txt"
    assert scan_project(tmp_path).suggested_kind is AppKind.TENSORFLOW_GPU


def test_poetry_and_broken_pyproject(tmp_path):
    make(tmp_path, {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\ntorch = "2.5.1"\n'})
    assert scan_project(tmp_path).frameworks == {"torch"}
    assert scan_project(tmp_path).suggested_kind is AppKind.PYTORCH_CUDA
    (tmp_path / "pyproject.toml").write_text("this is [not toml")
    assert scan_project(tmp_path).frameworks == frozenset()


def test_environment_yml(tmp_path):
    make(
        tmp_path,
        {
            "environment.yml": (
                "name: research\n"
                "channels:\n  - pytorch\n  - conda-forge\n"
                "dependencies:\n"
                "  - python=3.11\n"
                "  - pytorch::pytorch=2.5.1  # the GPU build\n"
                "  - 'numpy>=1.26'\n"
                "  - pip\n"
                "  - pip:\n"
                "    - jupyterlab==4.2.5\n"
                "    - fastapi\n"
            )
        },
    )
    scan = scan_project(tmp_path)
    assert scan.dependency_file == "environment.yml"
    assert scan.frameworks == {"torch", "jupyter", "fastapi"}


def test_entry_script_order(tmp_path):
    make(tmp_path, {"train.py": "", "main.py": "", "server.py": ""})
    assert scan_project(tmp_path).entry_script == "main.py"
    make(tmp_path, {"app.py": ""})
    assert scan_project(tmp_path).entry_script == "app.py"
    make(tmp_path, {"sub/app.py": ""})  # only the top level counts
    assert scan_project(tmp_path / "sub").entry_script == "app.py"


def test_notebooks_models_and_skipped_folders(tmp_path):
    files = {f"notebooks/{i:02d}.ipynb": "{}" for i in range(60)}
    files.update(
        {
            "explore.ipynb": "{}",
            "models/bert.safetensors": b"x" * 1000,
            "models/head.pt": b"x" * 24,
            "weights.GGUF": b"x" * 10,
            ".ipynb_checkpoints/explore-checkpoint.ipynb": "{}",
            ".git/objects/pack.pt": b"x" * 999,
            ".venv/lib/model.pt": b"x" * 999,
            "myenv/pyvenv.cfg": "home = /usr/bin\n",  # a virtual environment under any name
            "myenv/lib/model.pt": b"x" * 999,
            "node_modules/a/b.bin": b"x" * 999,
            "src/__pycache__/m.pkl": b"x" * 999,
            "Dockerfile": "FROM python:3.12-slim\n",
            ".dockerignore": ".git\n",
        }
    )
    make(tmp_path, files)
    scan = scan_project(tmp_path)
    assert len(scan.notebooks) == 50 and scan.notebooks[0] == "explore.ipynb"
    assert scan.model_files == (("models/bert.safetensors", 1000), ("models/head.pt", 24), ("weights.GGUF", 10))
    assert scan.model_bytes == 1034
    assert scan.existing_dockerfile == "Dockerfile" and scan.has_dockerignore
    assert scan.suggested_kind is AppKind.NOTEBOOK  # notebooks and no entry script
    assert not scan.truncated


def test_max_files_bounds_the_walk(tmp_path):
    make(tmp_path, {f"data/{i}.pt": b"x" for i in range(30)})
    scan = scan_project(tmp_path, max_files=10)
    assert scan.truncated and len(scan.model_files) == 10


def test_symlinked_folders_are_not_followed(tmp_path):
    make(tmp_path, {"a/model.pt": b"xx"})
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert scan_project(tmp_path).model_files == (("a/model.pt", 2),)


def test_missing_folder_raises(tmp_path):
    with pytest.raises(OSError):
        scan_project(tmp_path / "nope")


def test_pin_suggestions_use_the_installed_versions():
    import importlib.metadata

    suggestions = pin_suggestions(["Jinja2", "docker", "surely-not-installed-pkg", "not a name!"])
    assert suggestions == {
        "Jinja2": importlib.metadata.version("jinja2"),
        "docker": importlib.metadata.version("docker"),
    }
