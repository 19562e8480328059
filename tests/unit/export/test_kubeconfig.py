"""Where `kubectl apply` would send an exported file: the kubeconfig found as kubectl finds it, and its contexts."""

from __future__ import annotations

import os

import pytest

from gui.core.export.kubeconfig import apply_argv, apply_command, find_kubeconfig, kube_contexts

SAMPLE = """\
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "https://10.0.0.1:6443"}
- name: kind-dev
  cluster: {server: "https://127.0.0.1:40000"}
users:
- name: me
  user: {token: not-a-real-token}
contexts:
- name: lab-admin
  context: {cluster: lab, user: me}
- name: kind-dev
  context: {cluster: kind-dev, user: me, namespace: ml}
current-context: kind-dev
preferences: {}
"""


def test_contexts_and_the_current_one():
    assert kube_contexts(SAMPLE) == (["lab-admin", "kind-dev"], "kind-dev")


def test_a_kubeconfig_without_contexts():
    assert kube_contexts("apiVersion: v1\nkind: Config\nclusters: []\n") == ([], "")
    assert kube_contexts("") == ([], "")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("contexts: [unclosed", "The kubeconfig is not valid YAML \\(near line 1\\)"),
        ("just some words", "The kubeconfig is not a kubeconfig"),
        ("contexts: lab", "The kubeconfig's contexts must be a list"),
    ],
)
def test_a_broken_kubeconfig_says_so(text, said):
    with pytest.raises(ValueError, match=said):
        kube_contexts(text)


def test_found_in_kubeconfig_first_existing_file(tmp_path):
    second = tmp_path / "second.yaml"
    second.write_text(SAMPLE)
    listed = os.pathsep.join([str(tmp_path / "missing.yaml"), str(second)])
    assert find_kubeconfig({"KUBECONFIG": listed}, home=tmp_path) == second


def test_kubeconfig_naming_no_file_finds_none_even_with_a_default(tmp_path):
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text(SAMPLE)
    # kubectl reads only what KUBECONFIG names when it is set, so Portside does too.
    assert find_kubeconfig({"KUBECONFIG": str(tmp_path / "gone")}, home=tmp_path) is None


def test_found_in_the_home_folder(tmp_path):
    assert find_kubeconfig({}, home=tmp_path) is None
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text(SAMPLE)
    assert find_kubeconfig({}, home=tmp_path) == tmp_path / ".kube" / "config"


def test_the_apply_command_names_the_context():
    assert apply_argv("/tmp/web-k8s.yaml") == ["kubectl", "apply", "-f", "/tmp/web-k8s.yaml"]
    assert apply_command("/tmp/my files/web-k8s.yaml", "kind-dev") == (
        "kubectl --context kind-dev apply -f '/tmp/my files/web-k8s.yaml'"
    )
