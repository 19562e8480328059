"""Where `kubectl apply` would send an exported file: the kubeconfig kubectl reads and its contexts. No Qt.

kubectl reads the files in KUBECONFIG (a list, joined with ':' on Linux and macOS, ';' on Windows) or else
~/.kube/config. `find_kubeconfig` touches the disk, so the export window calls it from a worker.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = [
    "KubeSetup",
    "apply_argv",
    "apply_command",
    "find_kubeconfig",
    "kube_contexts",
    "read_kube_setup",
    "run_kubectl",
]


def find_kubeconfig(environ: dict[str, str] | None = None, home: Path | None = None) -> Path | None:
    """The kubeconfig kubectl would read first: the first existing file named in KUBECONFIG, else ~/.kube/config;
    None when there is none. (kubectl merges every file KUBECONFIG names; the first one holds most setups.)"""
    environ = os.environ if environ is None else environ
    listed = [part for part in environ.get("KUBECONFIG", "").split(os.pathsep) if part.strip()]
    if listed:
        return next((Path(part).expanduser() for part in listed if Path(part).expanduser().is_file()), None)
    default = (home if home is not None else Path.home()) / ".kube" / "config"
    return default if default.is_file() else None


def kube_contexts(kubeconfig_text: str) -> tuple[list[str], str]:
    """(the context names, the current context or "") from a kubeconfig's text; ValueError with a sentence when
    it is not a kubeconfig."""
    try:
        config = yaml.safe_load(kubeconfig_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (near line {mark.line + 1})" if mark is not None else ""
        raise ValueError(
            f"The kubeconfig is not valid YAML{line}: fix it, or get a fresh one from your cluster's provider."
        ) from exc
    if config is None:
        return [], ""
    if not isinstance(config, dict):
        raise ValueError(
            "The kubeconfig is not a kubeconfig (it holds no settings): check KUBECONFIG or ~/.kube/config."
        )
    contexts = config.get("contexts") or []
    if not isinstance(contexts, list):
        raise ValueError("The kubeconfig's contexts must be a list: fix the file, or get a fresh one.")
    names = [str(item["name"]) for item in contexts if isinstance(item, dict) and item.get("name")]
    current = config.get("current-context") or ""
    return names, str(current)


def apply_argv(file_path: str, context: str = "", kubectl: str = "kubectl") -> list[str]:
    """`kubectl [--context CTX] apply -f FILE`, as an argument list for a subprocess (`kubectl`: the program, as
    found on PATH)."""
    return [kubectl, *(["--context", context] if context else []), "apply", "-f", file_path]


def apply_command(file_path: str, context: str = "") -> str:
    """The same command as one line to show or copy."""
    return shlex.join(apply_argv(file_path, context))


KUBECTL_TIMEOUT_S = 120  # an apply answers in seconds; a cluster that does not answer is said so, not waited on
NO_KUBECONFIG = (
    "No kubeconfig found (KUBECONFIG, or ~/.kube/config): save the file and apply it where kubectl is set up."
)
NO_CONTEXTS = "The kubeconfig at {path} names no contexts: save the file and apply it where kubectl is set up."


@dataclass(frozen=True)
class KubeSetup:
    """What the worker found: the kubeconfig, its contexts, the current one, and kubectl's path."""

    kubeconfig: Path | None = None
    contexts: tuple[str, ...] = ()
    current: str = ""
    kubectl: str | None = None
    error: str = ""  # a kubeconfig that could not be read, as a sentence


def read_kube_setup(find_kubeconfig: Callable[[], Path | None], kube_contexts) -> KubeSetup:
    """In a worker: finds and reads the kubeconfig, and looks for kubectl on PATH."""
    kubectl = shutil.which("kubectl")
    path = find_kubeconfig()
    if path is None:
        return KubeSetup(kubectl=kubectl)
    try:
        names, current = kube_contexts(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return KubeSetup(Path(path), kubectl=kubectl, error=f"Could not read the kubeconfig at {path}: {reason}.")
    except ValueError as exc:
        return KubeSetup(Path(path), kubectl=kubectl, error=str(exc))
    return KubeSetup(Path(path), tuple(names), current, kubectl)


def run_kubectl(argv: list[str]) -> tuple[int | None, str]:
    """In a worker: runs kubectl. Returns (exit status, or None when it could not run or finish; what it said)."""
    try:
        done = subprocess.run(
            argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=KUBECTL_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"kubectl did not finish within {KUBECTL_TIMEOUT_S} seconds: check that the cluster answers."
    except OSError as exc:
        return None, f"Could not start kubectl: {exc.strerror or exc}."
    return done.returncode, (done.stdout + done.stderr).strip()
