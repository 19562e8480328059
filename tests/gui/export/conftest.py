"""Fake exporters for the Export window: small YAML files of the same shape as gui.core.export's, read back with
PyYAML, so the window's tests do not depend on what the real exporters write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml

from gui.core.run.spec import EnvVar, RunSpec


@dataclass(frozen=True)
class FakeExported:
    text: str
    file_name: str
    command: str
    secrets: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


SECRET = "hf_0123456789abcdefghijklmnopqrstuv"
WEB = RunSpec(image="python:3.12", name="web-1", env=(EnvVar("HF_TOKEN", SECRET), EnvVar("MODE", "prod")))


def reference(name: str) -> str:
    return "${" + name + "}"


class FakeExporters:
    """The exporters' interface over a tiny YAML shape: image and environment per service."""

    def __init__(self, kubeconfig: Path | None = None):
        self.kubeconfig = kubeconfig

    @staticmethod
    def _environment(spec: RunSpec) -> dict[str, str]:
        return {var.name: (reference(var.name) if var.name == "HF_TOKEN" else var.value) for var in spec.env}

    def to_compose(self, services, project=""):
        document = {
            "services": {name: {"image": spec.image, "environment": self._environment(spec)} for name, spec in services}
        }
        text = "# made by the fake exporter\n" + yaml.safe_dump(document, sort_keys=False, default_flow_style=False)
        secrets = tuple(sorted({v.name for _n, spec in services for v in spec.env if v.name == "HF_TOKEN"}))
        notes = ("--privileged is not exported: compose would give the container every device.",)
        if secrets:
            notes += ("Secrets are not written: HF_TOKEN is read from a .env file beside compose.yaml.",)
        return FakeExported(text, "compose.yaml", "docker compose -f compose.yaml up -d", secrets, notes)

    def from_compose(self, text):
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"compose.yaml is not YAML: {exc.problem}.") from None
        if not isinstance(document, dict) or not isinstance(document.get("services"), dict):
            raise ValueError("compose.yaml has no services.")
        return [(name, self._spec(body)) for name, body in document["services"].items()]

    @staticmethod
    def _spec(body) -> RunSpec:
        env = tuple(EnvVar(name, str(value)) for name, value in (body.get("environment") or {}).items())
        return RunSpec(image=str(body.get("image", "")), env=env)

    def differences(self, original, read_back):
        sentences = []
        if original.image != read_back.image:
            sentences.append(f"Image: {original.image} became {read_back.image}.")
        before = {v.name: (reference(v.name) if v.name == "HF_TOKEN" else v.value) for v in original.env}
        after = {v.name: v.value for v in read_back.env}
        for name in before.keys() - after.keys():
            sentences.append(f"The variable {name} is missing.")
        return sentences

    def to_kubernetes(self, name, spec, pull_secret=""):
        deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name}}
        deployment["spec"] = {"image": spec.image, "replicas": 1}
        service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}}
        text = yaml.safe_dump_all([deployment, service], sort_keys=False, default_flow_style=False, explicit_start=True)
        note = f"The values of HF_TOKEN are not in the file: kubectl create secret generic {name}-secrets --from-literal=HF_TOKEN=..."
        return FakeExported(text, f"{name}-k8s.yaml", f"kubectl apply -f {name}-k8s.yaml", ("HF_TOKEN",), (note,))

    def from_kubernetes(self, text):
        try:
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError as exc:
            raise ValueError(f"The manifest is not YAML: {exc.problem}.") from None
        deployment = next((d for d in documents if isinstance(d, dict) and d.get("kind") == "Deployment"), None)
        if deployment is None:
            raise ValueError("The file has no Deployment.")
        return replace(WEB, image=str(deployment["spec"]["image"]))

    def kubernetes_view(self, name, spec):
        return spec

    def kube_contexts(self, text):
        config = yaml.safe_load(text)
        return [context["name"] for context in config.get("contexts") or []], config.get("current-context", "")

    def find_kubeconfig(self):
        return self.kubeconfig


KUBECONFIG = """apiVersion: v1
kind: Config
current-context: ctx-a
contexts:
- name: ctx-a
  context: {cluster: lab, user: me}
- name: ctx-b
  context: {cluster: lab, user: me}
"""


@pytest.fixture
def kubeconfig(tmp_path) -> Path:
    path = tmp_path / "kube" / "config"
    path.parent.mkdir()
    path.write_text(KUBECONFIG)
    return path


@pytest.fixture
def exporters(kubeconfig) -> FakeExporters:
    return FakeExporters(kubeconfig)


@pytest.fixture
def tasks(qtbot):
    from gui.workers.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.wait_idle(10_000)


@pytest.fixture
def open_window(qtbot, exporters, tasks, tmp_path, monkeypatch):
    """Makes an ExportWindow with the fake exporters, its Save dialog answered with tmp_path/<file name>."""
    from gui.views.export.export_window import ExportWindow

    monkeypatch.setattr(ExportWindow, "last_folder", None)
    made = []

    def make(items=(("web-1", WEB),), exporters=exporters):
        window = ExportWindow(list(items), exporters=exporters, tasks=tasks)
        window.asked_paths = []

        def ask_save_path(suggested: Path) -> Path:
            window.asked_paths.append(suggested)
            return tmp_path / suggested.name

        window.ask_save_path = ask_save_path
        window.ask_unsaved = lambda names: "discard"
        qtbot.addWidget(window)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        window.ask_unsaved = lambda names: "discard"
        window.close()
