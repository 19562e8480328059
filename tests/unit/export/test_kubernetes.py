"""The Kubernetes export: a run as a Deployment and a Service that Kubernetes accepts (checked against its schemas,
offline, for two versions), that reads back to the same run, and that never holds a secret's value."""

from __future__ import annotations

import kubernetes_validate
import pytest
import yaml

from gui.core.export.common import differences
from gui.core.export.kubernetes import from_kubernetes, kubernetes_view, to_kubernetes
from gui.core.export.kubernetes_read import parse_quantity
from gui.core.export.kubernetes_view import cpu_quantity, dns_label, memory_quantity
from gui.core.run.spec import EnvVar, GpuMode, GpuSpec, MountSpec, PortSpec, RunSpec

TOKEN = "hf_" + "abcdefghijklmnopqrstuvwxyz1234"
KUBERNETES_VERSIONS = ("1.29.0", "1.35.0")


def _run(**fields) -> RunSpec:
    """A spec Kubernetes can say in full: named as exported, restarted always."""
    return RunSpec(**{"image": "ghcr.io/org/server:1.0", "name": "web", "restart": "always", **fields})


# Specs Kubernetes keeps as they are: the read-back spec agrees with the original itself.
KEPT = {
    "plain": _run(),
    "one port": _run(ports=(PortSpec("80", "8080"),)),
    "tcp and udp": _run(ports=(PortSpec("8000", "5000"), PortSpec("53", "5353", "udp"))),
    "udp only": _run(ports=(PortSpec("53", "53", "udp"),)),
    "command and entrypoint": _run(entrypoint="python3", command="-c 'print(\"hi there\")' --port 8000"),
    "shell dollars": _run(
        entrypoint="sh", command="-c 'echo $$ $(date) $HOME'", env=(EnvVar("B", "x"), EnvVar("A", "$(B) costs $$5"))
    ),
    "workdir and user": _run(workdir="/srv/app", user="1000:1000"),
    "root user": _run(user="0"),
    "env": _run(env=(EnvVar("MODE", "production"), EnvVar("EMPTY", ""), EnvVar("YES", "yes"), EnvVar("N", "8"))),
    "a secret": _run(env=(EnvVar("HF_TOKEN", TOKEN), EnvVar("LOG", "info"))),
    "named volume": _run(mounts=(MountSpec("volume", "models", "/models"),)),
    "read-only bind": _run(mounts=(MountSpec("bind", "/home/me/data", "/data", read_only=True),)),
    "anonymous volume": _run(mounts=(MountSpec("volume", "", "/scratch"),)),
    "a volume twice": _run(mounts=(MountSpec("volume", "cache", "/a"), MountSpec("volume", "cache", "/b", True))),
    "two GPUs": _run(gpus=GpuSpec(GpuMode.COUNT, 2)),
    "limits": _run(memory="2g", cpus="1.5", shm_size="1g"),
    "odd limits": _run(memory="1536m", cpus="0.25", shm_size="100000000"),
    "interactive": _run(interactive_tty=True),
    "privileged": _run(privileged=True),
    "labels": _run(labels=(("com.example.version", "1.2"), ("team", "ml"))),
    "everything": _run(
        entrypoint="vllm",
        command="serve org/model --port 8000",
        workdir="/app",
        user="1000",
        ports=(PortSpec("8000", "8000"), PortSpec("9090", "9091")),
        env=(EnvVar("HF_TOKEN", TOKEN), EnvVar("OPENAI_API_KEY", "sk-abc"), EnvVar("VLLM_LOGGING_LEVEL", "INFO")),
        mounts=(MountSpec("volume", "hf-cache", "/root/.cache/huggingface"), MountSpec("bind", "/srv/cfg", "/cfg")),
        gpus=GpuSpec(GpuMode.COUNT, 1),
        memory="32g",
        cpus="8",
        shm_size="16g",
        interactive_tty=True,
        labels=(("org.opencontainers.image.title", "vllm"),),
    ),
}

# Specs Kubernetes cannot say in full: (the name exported, the spec, what the note about it says). The read-back
# spec agrees with the view, and the note tells the user what changed.
CHANGED = {
    "never restart": ("job", RunSpec(image="busybox"), "the run's policy (never restart) is not kept"),
    "on failure": ("web", _run(restart="on-failure", restart_max_retries=3), "(restart on failure) is not kept"),
    "unless stopped": ("web", _run(restart="unless-stopped"), '"unless-stopped" is exported as "always"'),
    "auto remove": ("web", _run(auto_remove=True), "--rm is not exported"),
    "every interface": (
        "web",
        _run(ports=(PortSpec("80", "8080", all_interfaces=True),)),
        "Kubernetes has no host address (every interface)",
    ),
    "an address": ("web", _run(ports=(PortSpec("80", "10.0.0.5:8080"),)), "no host address (10.0.0.5)"),
    "random host port": (
        "web",
        _run(ports=(PortSpec("80"),)),
        "A Service has no random port: the Service publishes 80",
    ),
    "host range": ("web", _run(ports=(PortSpec("80", "5000-5010"),)), "the first port of each host range is used"),
    "a range": ("web", _run(ports=(PortSpec("8000-8002", "9000-9002"),)), "Kubernetes has no port ranges: 8000-8002"),
    "port twice": ("web", _run(ports=(PortSpec("80", "8080"), PortSpec("81", "8080"))), "the second 8080/tcp"),
    "publish all": ("web", _run(publish_all=True), "-P (publish every port the image exposes) is not exported"),
    "all GPUs": ("web", _run(gpus=GpuSpec(GpuMode.ALL)), "--gpus all cannot be said in Kubernetes"),
    "chosen GPUs": (
        "web",
        _run(gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0", "2"))),
        "the chosen GPUs 0, 2 become a count of 2",
    ),
    "GPU graphics": (
        "web",
        _run(gpus=GpuSpec(GpuMode.COUNT, 1, capabilities=("compute", "utility", "graphics"))),
        "GPU capabilities (compute, utility, graphics) are not set per container",
    ),
    "fine CPUs": ("web", _run(cpus="0.0005"), "0.0005 CPUs is exported as 0.001"),
    "user name": ("web", _run(user="app"), 'the user "app" is not exported'),
    "odd volume name": (
        "web",
        _run(mounts=(MountSpec("volume", "My_Models", "/models"),)),
        'the volume "My_Models" is claimed as "my-models"',
    ),
    "odd name": ("My_Web.App", _run(name="My_Web.App"), '"My_Web.App" is exported as "my-web-app"'),
    "bad label key": ("web", _run(labels=(("bad key!", "x"), ("good", "y"))), "the label bad key! as an annotation"),
}
ALL_SPECS = {
    **{key: (spec.name, spec) for key, spec in KEPT.items()},
    **{key: case[:2] for key, case in CHANGED.items()},
}


@pytest.mark.parametrize("spec", KEPT.values(), ids=KEPT.keys())
def test_what_kubernetes_can_say_reads_back_the_same(spec):
    exported = to_kubernetes(spec.name, spec)
    assert differences(spec, from_kubernetes(exported.text)) == []
    assert kubernetes_view(spec.name, spec) == spec  # nothing changed on the way


@pytest.mark.parametrize(("name", "spec", "said"), CHANGED.values(), ids=CHANGED.keys())
def test_what_it_cannot_say_is_noted_and_the_rest_reads_back(name, spec, said):
    exported = to_kubernetes(name, spec)
    read_back = from_kubernetes(exported.text)
    assert differences(kubernetes_view(name, spec), read_back) == []
    assert differences(spec, read_back)  # something changed...
    assert any(said in note for note in exported.notes), exported.notes  # ...and the user is told what


def test_a_running_containers_settings_round_trip():
    inspect = {
        "Name": "/vllm-1",
        "Config": {
            "Image": "vllm/vllm-openai:v0.6.0",
            "Cmd": ["--model", "org/model"],
            "Env": ["HF_TOKEN=" + TOKEN, "PATH=/usr/bin"],
            "Tty": False,
            "OpenStdin": False,
        },
        "HostConfig": {
            "PortBindings": {"8000/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8000"}]},
            "RestartPolicy": {"Name": "unless-stopped", "MaximumRetryCount": 0},
            "Memory": 16 * 1024**3,
            "NanoCpus": 4_500_000_000,
            "ShmSize": 8 * 1024**3,
            "DeviceRequests": [{"Driver": "", "Count": -1, "Capabilities": [["compute", "utility", "gpu"]]}],
            "Mounts": [{"Type": "volume", "Source": "hf-cache", "Target": "/root/.cache/huggingface"}],
        },
    }
    image = {"Config": {"Env": ["PATH=/usr/bin"], "Cmd": None, "Entrypoint": ["python3", "-m", "vllm"]}}
    spec = RunSpec.from_inspect(inspect, image)
    exported = to_kubernetes(spec.name, spec)
    read_back = from_kubernetes(exported.text)
    assert differences(kubernetes_view(spec.name, spec), read_back) == []
    # What Kubernetes changes is exactly what the notes name: the restart policy and "all GPUs".
    assert sorted(found.split(":")[0] for found in differences(spec, read_back)) == ["GPUs", "Restart policy"]
    assert any("--gpus all" in note for note in exported.notes)
    assert any('"unless-stopped" is exported as "always"' in note for note in exported.notes)
    assert TOKEN not in exported.text
    assert read_back.memory == "16g" and read_back.cpus == "4.5" and read_back.shm_size == "8g"


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize(("name", "spec"), ALL_SPECS.values(), ids=ALL_SPECS.keys())
def test_every_document_is_valid_kubernetes(name, spec, version):
    text = to_kubernetes(name, spec, pull_secret="regcred").text
    documents = list(yaml.safe_load_all(text))
    assert documents[0]["kind"] == "Deployment"
    for document in documents:
        kubernetes_validate.validate(document, version, strict=True)  # raises on anything the schema refuses


def test_a_secret_is_a_reference_never_its_value():
    spec = KEPT["everything"]
    exported = to_kubernetes("web", spec)
    shown = "\n".join([exported.text, exported.command, *exported.notes])
    assert TOKEN not in shown and "sk-abc" not in shown
    assert exported.secrets == ("HF_TOKEN", "OPENAI_API_KEY")
    env = _container(exported.text)["env"]
    assert env[0] == {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "web-secrets", "key": "HF_TOKEN"}}}
    assert env[2] == {"name": "VLLM_LOGGING_LEVEL", "value": "INFO"}
    (note,) = [note for note in exported.notes if "kubectl create secret" in note]
    assert (
        "kubectl create secret generic web-secrets --from-literal=HF_TOKEN=... --from-literal=OPENAI_API_KEY=..."
        in note
    )


def test_dollars_reach_the_container_as_written():
    # Kubernetes expands $(VAR) in env values and args with the container's variables, and turns $$ into $.
    spec = _run(entrypoint="sh", command="-c 'echo $$ $(B)'", env=(EnvVar("B", "x"), EnvVar("A", "$(B)")))
    container = _container(to_kubernetes("web", spec).text)
    assert container["args"] == ["-c", "echo $$$ $$(B)"]
    assert container["env"][1] == {"name": "A", "value": "$$(B)"}


def test_the_pull_secret_is_named_not_inlined():
    exported = to_kubernetes("web", _run(), pull_secret="regcred")
    pod = _documents(exported.text)[0]["spec"]["template"]["spec"]
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert "imagePullSecrets" not in _documents(to_kubernetes("web", _run()).text)[0]["spec"]["template"]["spec"]


def test_the_file_and_the_command_that_applies_it():
    exported = to_kubernetes("My Server", _run())
    assert exported.file_name == "my-server-k8s.yaml"
    assert exported.command == "kubectl apply -f my-server-k8s.yaml"
    assert any('"My Server" is exported as "my-server"' in note for note in exported.notes)


def test_limits_in_kubernetes_units():
    spec = _run(memory="2g", cpus="1.5", gpus=GpuSpec(GpuMode.COUNT, 2))
    resources = _container(to_kubernetes("web", spec).text)["resources"]
    assert resources == {"limits": {"cpu": "1500m", "memory": "2Gi", "nvidia.com/gpu": 2}}  # no requests needed


@pytest.mark.parametrize(
    ("gpus", "count", "said"),
    [
        (GpuSpec(GpuMode.ALL), 1, "--gpus all cannot be said in Kubernetes"),
        (GpuSpec(GpuMode.CHOSEN, device_ids=("0", "2")), 2, "the chosen GPUs 0, 2 become a count of 2"),
    ],
)
def test_gpus_kubernetes_cannot_pick_become_a_count(gpus, count, said):
    exported = to_kubernetes("web", _run(gpus=gpus))
    assert _container(exported.text)["resources"]["limits"]["nvidia.com/gpu"] == count
    assert any(said in note for note in exported.notes)
    assert from_kubernetes(exported.text).gpus == GpuSpec(GpuMode.COUNT, count)


def test_probes_check_the_first_published_tcp_port():
    spec = _run(ports=(PortSpec("53", "53", "udp"), PortSpec("8000", "5000"), PortSpec("9000", "9000")))
    container = _container(to_kubernetes("web", spec).text)
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["tcpSocket"] == {"port": 8000}


def test_without_ports_there_is_no_service_and_no_probe():
    exported = to_kubernetes("web", _run())
    documents = _documents(exported.text)
    assert [document["kind"] for document in documents] == ["Deployment"]
    assert "readinessProbe" not in _container(exported.text)
    assert any("No port is published, so there is no Service" in note for note in exported.notes)


def test_the_service_publishes_each_port_by_name():
    spec = _run(ports=(PortSpec("8000", "5000"), PortSpec("53", "5353", "udp")))
    service = _documents(to_kubernetes("web", spec).text)[1]
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "web"}
    assert service["spec"]["ports"] == [
        {"name": "tcp-5000", "protocol": "TCP", "port": 5000, "targetPort": 8000},
        {"name": "udp-5353", "protocol": "UDP", "port": 5353, "targetPort": 53},
    ]


def test_a_service_port_reads_back_on_127_0_0_1():
    spec = _run(ports=(PortSpec("80", "8080", all_interfaces=True),))
    exported = to_kubernetes("web", spec)
    (row,) = from_kubernetes(exported.text).ports
    assert row == PortSpec("80", "8080")  # no address: Portside's default, 127.0.0.1
    assert any("kubectl port-forward service/web 8080:8080" in note for note in exported.notes)


def test_volumes_claims_host_paths_and_shared_memory():
    spec = _run(
        mounts=(MountSpec("volume", "models", "/models", True), MountSpec("bind", "/srv/data", "/data")),
        shm_size="2g",
    )
    exported = to_kubernetes("web", spec)
    pod = _documents(exported.text)[0]["spec"]["template"]["spec"]
    assert pod["volumes"] == [
        {"name": "models", "persistentVolumeClaim": {"claimName": "models"}},
        {"name": "host-2", "hostPath": {"path": "/srv/data"}},
        {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "2Gi"}},
    ]
    assert pod["containers"][0]["volumeMounts"] == [
        {"name": "models", "mountPath": "/models", "readOnly": True},
        {"name": "host-2", "mountPath": "/data"},
        {"name": "dshm", "mountPath": "/dev/shm"},
    ]
    assert any("Create the PersistentVolumeClaim models first" in note for note in exported.notes)
    assert any("ties the pod to one node" in note for note in exported.notes)
    # Only one pod may hold the claim: the old pod stops before the new one starts.
    assert _documents(exported.text)[0]["spec"]["strategy"] == {"type": "Recreate"}


def test_restart_never_is_noted():
    exported = to_kubernetes("job", RunSpec(image="busybox"))
    assert any("A Deployment always restarts its container" in note for note in exported.notes)
    assert from_kubernetes(exported.text).restart == "always"


def test_privileged_tty_and_user():
    spec = _run(privileged=True, interactive_tty=True, user="1000:2000")
    container = _container(to_kubernetes("web", spec).text)
    assert container["securityContext"] == {"runAsUser": 1000, "runAsGroup": 2000, "privileged": True}
    assert container["stdin"] is True and container["tty"] is True


def test_the_schema_check_would_catch_a_mistake():
    deployment = _documents(to_kubernetes("web", KEPT["everything"]).text)[0]
    deployment["spec"]["template"]["spec"]["containers"][0]["gpus"] = 1  # a key Kubernetes does not have
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


# --- names and units ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "name"),
    [
        ("web", "web"),
        ("My_Web.App", "my-web-app"),
        ("  spaces  here ", "spaces-here"),
        ("--web--", "web"),
        ("1st", "app-1st"),  # a Service name starts with a letter
        ("x" * 80, "x" * 63),
        ("a" * 62 + "-b", "a" * 62),  # cut at 63 without a trailing "-"
        ("___", "app"),
        ("", "app"),
    ],
)
def test_names_made_dns_safe(given, name):
    assert dns_label(given) == name


@pytest.mark.parametrize(
    ("docker", "kubernetes"),
    [
        ("2g", "2Gi"),
        ("512m", "512Mi"),
        ("1.5g", "1536Mi"),
        ("1k", "1Ki"),
        ("1t", "1Ti"),
        ("1000", "1000"),
        ("1073741824", "1Gi"),
        ("100000000", "100000000"),
    ],
)
def test_memory_in_binary_units_exactly(docker, kubernetes):
    from gui.core.run.values import parse_size

    assert memory_quantity(parse_size(docker)) == kubernetes
    assert parse_quantity(kubernetes, "memory") == parse_size(docker)


@pytest.mark.parametrize(
    ("cpus", "kubernetes"),
    [("1.5", "1500m"), ("2", "2"), ("0.25", "250m"), ("3/2", "1500m"), ("0.001", "1m"), ("16", "16")],
)
def test_cpus_in_kubernetes_units(cpus, kubernetes):
    from gui.core.run.values import parse_cpus

    assert cpu_quantity(parse_cpus(cpus)) == kubernetes


@pytest.mark.parametrize(
    ("quantity", "memory"),
    [("2G", "1953125k"), ("1e9", "1000000000"), ("128974848", "123m"), ("129M", "129000000"), ("1.5Gi", "1536m")],
)
def test_hand_written_memory_quantities_read_back(quantity, memory):
    assert from_kubernetes(_hand_written(limits={"memory": quantity})).memory == memory


@pytest.mark.parametrize(("quantity", "cpus"), [("500m", "0.5"), ("0.5", "0.5"), (2, "2"), ("1.25", "1.25")])
def test_hand_written_cpu_quantities_read_back(quantity, cpus):
    assert from_kubernetes(_hand_written(limits={"cpu": quantity})).cpus == cpus


# --- reading files --------------------------------------------------------------------------------------------


def test_a_hand_written_file_with_named_target_ports():
    text = _hand_written(
        ports=[{"name": "http", "containerPort": 8080}],
        service_ports=[{"port": 80, "targetPort": "http"}],
        env=[{"name": "DB_URL", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "url"}}}],
    )
    spec = from_kubernetes(text)
    assert spec.image == "nginx:1.27"
    assert spec.ports == (PortSpec("8080", "80"),)
    assert spec.env == (EnvVar("DB_URL", "${DB_URL}"),)  # a reference: the value is elsewhere


def test_the_service_that_selects_the_pods_is_read():
    other = {"apiVersion": "v1", "kind": "Service", "spec": {"selector": {"app": "db"}, "ports": [{"port": 5432}]}}
    exported = to_kubernetes("web", _run(ports=(PortSpec("80", "8080"),)))
    text = yaml.safe_dump(other) + "---\n" + exported.text
    assert from_kubernetes(text).ports == (PortSpec("80", "8080"),)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("kind: [unclosed", "The file is not valid YAML near line 1"),
        ("apiVersion: v1\nkind: Service\n", "The file has no Deployment"),
        ("- just\n- a list\n", "must be a Kubernetes object"),
    ],
)
def test_files_it_cannot_read_say_why(text, said):
    with pytest.raises(ValueError, match=said):
        from_kubernetes(text)


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"limits": {"memory": "lots"}}, 'memory limit is "lots", which is not a Kubernetes quantity'),
        ({"service_ports": [{"port": 80, "targetPort": "web"}]}, 'targets "web", a port'),
        ({"service_ports": [{"port": 70000}]}, "not a port number"),
        ({"image": ""}, "has no image"),
        ({"limits": {"nvidia.com/gpu": "0.5"}}, "GPUs are counted in whole ones"),
    ],
)
def test_parts_it_cannot_read_are_named(changes, said):
    with pytest.raises(ValueError, match=said):
        from_kubernetes(_hand_written(**changes))


# --- helpers ----------------------------------------------------------------------------------------------


def _documents(text: str) -> list[dict]:
    return list(yaml.safe_load_all(text))


def _container(text: str) -> dict:
    return _documents(text)[0]["spec"]["template"]["spec"]["containers"][0]


def _hand_written(image="nginx:1.27", limits=None, ports=None, service_ports=None, env=None) -> str:
    container = {"name": "site", "image": image, "ports": ports or [{"containerPort": 80}]}
    if limits:
        container["resources"] = {"limits": limits}
    if env:
        container["env"] = env
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "site"},
        "spec": {"template": {"spec": {"containers": [container]}}},
    }
    service = {"apiVersion": "v1", "kind": "Service", "spec": {"ports": service_ports or [{"port": 80}]}}
    return yaml.safe_dump_all([deployment, service])
