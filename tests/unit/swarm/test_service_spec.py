"""A run as a Swarm service: placement rules checked as typed, the docker-py arguments and the
`docker service create` twin from one spec, secrets masked in the twin, and what a service cannot keep said."""

from __future__ import annotations

import pytest

from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec
from gui.core.secrets import MASK
from gui.core.swarm.service_spec import ServiceSpec, constraint_problem

WEB = RunSpec(
    "lab/web:1",
    name="web",
    command="serve --port 80",
    ports=(PortSpec("80", "8080"),),
    env=(EnvVar("MODE", "prod"), EnvVar("HF_TOKEN", "hf_abcdefghijklmnopqrstuvwxyz123456")),
    mounts=(MountSpec("volume", "models", "/models", read_only=True),),
    memory="512m",
    cpus="1.5",
)


@pytest.mark.parametrize("rule", ["node.role==manager", "node.labels.gpu==true", "engine.labels.zone != b", ""])
def test_placement_rules_swarm_accepts(rule):
    assert constraint_problem(rule) is None


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("node.role=manager", "== or !="),
        ("node.role==boss", "manager or worker"),
        ("node.colour==red", "does not know the field node.colour"),
        ("node.labels.==x", "Name the label"),
    ],
)
def test_placement_rules_refused_with_a_sentence(rule, words):
    assert words in constraint_problem(rule)


def test_docker_py_arguments_carry_replicas_limits_placement_and_ports():
    spec = ServiceSpec(WEB, replicas=3, constraints=("node.role == manager",), publish_mode="host")
    kwargs = spec.create_kwargs()
    assert kwargs["name"] == "web" and kwargs["mode"]["replicated"]["Replicas"] == 3
    task = kwargs["task_template"]
    container = task["ContainerSpec"]
    assert container["Image"] == "lab/web:1" and container["Args"] == ["serve", "--port", "80"]
    assert "HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyz123456" in container["Env"]  # the engine gets the real value
    assert container["Mounts"][0]["Target"] == "/models" and container["Mounts"][0]["ReadOnly"]
    assert task["Resources"]["Limits"] == {"NanoCPUs": 1_500_000_000, "MemoryBytes": 512 * 1024**2}
    assert task["Placement"]["Constraints"] == ["node.role==manager"]
    assert task["RestartPolicy"]["Condition"] == "any"
    assert kwargs["endpoint_spec"]["Ports"] == [
        {"Protocol": "tcp", "TargetPort": 80, "PublishMode": "host", "PublishedPort": 8080}
    ]


def test_the_twin_says_the_same_with_secrets_masked():
    spec = ServiceSpec(WEB, replicas=3, constraints=("node.role==manager",), publish_mode="host")
    line = spec.command_line
    assert line.startswith("docker service create --name web --replicas 3 --publish published=8080,target=80,mode=host")
    assert "--limit-memory 512m --limit-cpu 1.5 --constraint node.role==manager" in line
    assert f"HF_TOKEN={MASK}" in line and "hf_abc" not in line
    assert line.endswith("lab/web:1 serve --port 80")
    assert "hf_abcdefghijklmnopqrstuvwxyz123456" in " ".join(spec.argv(reveal_secrets=True))


def test_an_empty_host_port_lets_the_engine_pick_and_ingress_is_the_default():
    spec = ServiceSpec(RunSpec("lab/web:1", ports=(PortSpec("80"),)))
    assert spec.create_kwargs()["endpoint_spec"]["Ports"] == [
        {"Protocol": "tcp", "TargetPort": 80, "PublishMode": "ingress"}
    ]
    assert "--publish target=80 " in spec.command_line + " "


def test_gpus_become_a_generic_resource_and_all_gpus_a_note():
    counted = ServiceSpec(RunSpec("lab/train:1", gpus=GpuSpec(GpuMode.COUNT, count=2)))
    assert counted.create_kwargs()["task_template"]["Resources"]["Reservations"]["GenericResources"] == [
        {"DiscreteResourceSpec": {"Kind": "NVIDIA-GPU", "Value": 2}}
    ]
    assert "--generic-resource NVIDIA-GPU=2" in counted.command_line
    assert any("node-generic-resources" in note for note in counted.notes())
    every = ServiceSpec(RunSpec("lab/train:1", gpus=GpuSpec(GpuMode.ALL)))
    assert "--generic-resource" not in every.command_line
    assert any("cannot ask for every GPU" in note for note in every.notes())


def test_what_a_service_cannot_keep_is_said():
    run = RunSpec("lab/web:1", auto_remove=True, privileged=True, ports=(PortSpec("80", "8080"),))
    notes = " ".join(ServiceSpec(run, replicas=2, publish_mode="host").notes())
    assert "--rm does not apply" in notes and "--privileged" in notes
    assert "127.0.0.1" in notes  # the run's loopback-only port
    assert "only one task per published port" in notes


def test_problems_block_the_deploy_before_any_engine_call():
    spec = ServiceSpec(RunSpec(""), replicas=-1, constraints=("node.role==boss",), publish_mode="mesh")
    problems = " ".join(spec.problems())
    assert "image" in problems and "fewer than 0" in problems and "manager or worker" in problems
    assert "ingress or host" in problems
    with pytest.raises(ValueError):
        spec.create_kwargs()


def test_an_entrypoint_becomes_the_services_command():
    spec = ServiceSpec(
        RunSpec("lab/web:1", entrypoint="/bin/serve", command="--port 80", restart="on-failure", restart_max_retries=4)
    )
    container = spec.create_kwargs()["task_template"]["ContainerSpec"]
    assert container["Command"] == ["/bin/serve"] and container["Args"] == ["--port", "80"]
    assert spec.create_kwargs()["task_template"]["RestartPolicy"] == {"Condition": "on-failure", "MaxAttempts": 4}
    assert "--restart-condition on-failure --restart-max-attempts 4" in spec.command_line
    assert "--entrypoint /bin/serve lab/web:1 --port 80" in spec.command_line


def test_a_global_service_runs_a_task_on_every_node_and_says_so_in_its_twin():
    spec = ServiceSpec(RunSpec("agent:1", name="agent"), replicas=3, global_mode=True)
    assert spec.create_kwargs()["mode"] == {"global": {}}
    assert spec.argv()[:6] == ["docker", "service", "create", "--name", "agent", "--mode"]
    assert "--replicas" not in spec.argv() and spec.argv()[6] == "global"
