"""The Run dialog's context: defaults from the image, and the checks that need the engine and the host."""

from __future__ import annotations

import os
from dataclasses import replace
from types import SimpleNamespace

import docker.errors
import pytest
import requests

from gui.core.engine import help as engine_help
from gui.core.engine.rows import ContainerRow, PublishedPort
from gui.core.run import context as run_context
from gui.core.run import ports
from gui.core.run.context import (
    RunContext,
    default_spec,
    engine_is_local,
    gpu_unavailable_reason,
    load_context,
    preflight,
)
from gui.core.run.gpus import GpuInfo, GpuInventory
from gui.core.run.ports import PortUse
from gui.core.run.spec import GpuMode, GpuSpec, PortSpec, Problem, RunSpec

GIB = 1024**3
TWO_GPUS = GpuInventory(
    gpus=(
        GpuInfo(0, "NVIDIA H100 80GB HBM3", "GPU-aaaa", 80 * GIB),
        GpuInfo(1, "NVIDIA H100 80GB HBM3", "GPU-bbbb", 80 * GIB),
    ),
    driver_version="535.104.05",
    cuda_version=(12, 2),
    unavailable_reason=None,
)
NO_DRIVER = GpuInventory(
    gpus=(),
    driver_version=None,
    cuda_version=None,
    unavailable_reason="No NVIDIA driver is installed on this computer, so there are no GPUs to give to containers.",
)
IMAGE_INSPECT = {
    "Id": "sha256:" + "1" * 64,
    "Config": {
        "ExposedPorts": {"80/tcp": {}, "8000/tcp": {}, "53/udp": {}, "9000/sctp": {}},
        "Cmd": ["python", "-m", "app", "--name", "my app"],
        "Entrypoint": ["/entry.sh"],
        "WorkingDir": "/srv",
        "User": "1000:1000",
        "Env": ["PATH=/usr/bin", "NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=470"],
    },
}


def context(**changes) -> RunContext:
    base = RunContext(
        image="my-ai-app:1",
        image_inspect=IMAGE_INSPECT,
        container_names=frozenset({"web", "db"}),
        ports_in_use={},
        host_cpus=8,
        gpu_support="nvidia runtime",
        gpus=TWO_GPUS,
    )
    return replace(base, **changes)


@pytest.fixture
def bound(monkeypatch) -> set[tuple[int, str]]:
    """Host ports a bind probe finds taken: a set the test fills, instead of whatever this machine runs."""
    taken: set[tuple[int, str]] = set()

    def probe(port: int, protocol: str = "tcp", address: str = "127.0.0.1") -> bool:
        return (port, protocol) not in taken

    monkeypatch.setattr(ports, "port_is_free", probe)
    monkeypatch.setattr(run_context, "port_is_free", probe)
    return taken


def messages(problems: list[Problem]) -> list[str]:
    return [problem.message for problem in problems]


# --- what the image says -------------------------------------------------------------------------------------


def test_exposed_ports_are_sorted_tcp_and_udp():
    assert context().exposed_ports == [(53, "udp"), (80, "tcp"), (8000, "tcp")]
    assert context(image_inspect=None).exposed_ports == []
    assert context(image_inspect={"Config": {"ExposedPorts": None}}).exposed_ports == []


def test_image_defaults_fill_the_placeholders():
    assert context().image_defaults == {
        "command": "python -m app --name 'my app'",
        "entrypoint": "/entry.sh",
        "workdir": "/srv",
        "user": "1000:1000",
    }
    assert context(image_inspect=None).image_defaults == {"command": "", "entrypoint": "", "workdir": "", "user": ""}


# --- default_spec: the seed's port rule ----------------------------------------------------------------------


def test_default_spec_publishes_every_exposed_port_on_loopback(bound):
    spec = default_spec("my-ai-app:1", context())
    assert spec == RunSpec(
        "my-ai-app:1",
        ports=(PortSpec("53", "5000", "udp"), PortSpec("80", "5000", "tcp"), PortSpec("8000", "8000", "tcp")),
    )
    assert not any(row.all_interfaces for row in spec.ports)
    assert spec.errors == []


def test_default_spec_moves_on_from_taken_ports(bound):
    bound.update({(5000, "tcp"), (8001, "tcp")})
    in_use = {(8000, "tcp"): PortUse(8000, "tcp", "container web"), (5001, "tcp"): PortUse(5001, "tcp", "x")}
    spec = default_spec("my-ai-app:1", context(ports_in_use=in_use))
    assert [(row.container, row.host, row.protocol) for row in spec.ports] == [
        ("53", "5000", "udp"),
        ("80", "5002", "tcp"),
        ("8000", "8002", "tcp"),
    ]


def test_two_privileged_ports_get_two_host_ports(bound):
    inspect = {"Config": {"ExposedPorts": {"80/tcp": {}, "443/tcp": {}}}}
    spec = default_spec("web", context(image_inspect=inspect))
    assert [(row.container, row.host) for row in spec.ports] == [("80", "5000"), ("443", "5001")]


@pytest.mark.parametrize("port", [8000, 5000])
def test_a_fresh_build_keeps_its_port_number_on_loopback_when_free(bound, port):
    """The sample app (8000) and Flask's usual 5000: published as -p 127.0.0.1:N:N."""
    inspect = {"Config": {"ExposedPorts": {f"{port}/tcp": {}}}}
    (row,) = default_spec("portside-sample-app:1.0", context(image_inspect=inspect)).ports
    assert row == PortSpec(str(port), str(port), "tcp") and not row.all_interfaces


def test_a_port_that_can_keep_its_number_chooses_before_a_privileged_one(bound):
    """80 goes to 5000 and up, but not at the expense of an exposed 5000, which keeps its own number."""
    inspect = {"Config": {"ExposedPorts": {"80/tcp": {}, "5000/tcp": {}}}}
    spec = default_spec("web", context(image_inspect=inspect))
    assert [(row.container, row.host) for row in spec.ports] == [("80", "5001"), ("5000", "5000")]


def test_default_spec_sees_a_real_listener(tcp_listener):
    inspect = {"Config": {"ExposedPorts": {f"{tcp_listener}/tcp": {}}}}
    (row,) = default_spec("web", context(image_inspect=inspect)).ports
    assert row.container == str(tcp_listener) and row.host != str(tcp_listener)
    assert ports.port_is_free(int(row.host))


def test_default_spec_for_an_image_without_exposed_ports_or_not_pulled():
    assert default_spec("busybox", context(image_inspect={"Config": {}})) == RunSpec("busybox")
    assert default_spec("busybox", context(image_inspect=None)) == RunSpec("busybox")


def test_default_spec_for_a_remote_engine_trusts_only_the_engine(bound):
    bound.add((8000, "tcp"))  # a listener on this computer says nothing about the engine's host
    spec = default_spec("my-ai-app:1", context(host_is_local=False))
    assert spec.ports[2] == PortSpec("8000", "8000")


# --- preflight -----------------------------------------------------------------------------------------------


def test_a_clean_spec_passes(bound):
    spec = RunSpec("my-ai-app:1", name="chat", ports=(PortSpec("8000", "8000"),), gpus=GpuSpec(GpuMode.ALL))
    assert preflight(spec, context(image_inspect={"Config": {}})) == []


def test_the_image_must_be_on_the_engine(bound):
    (problem,) = preflight(RunSpec("my-ai-app:1"), context(image_inspect=None))
    assert problem == Problem("image", "my-ai-app:1 is not on this engine. Pull it first (Images > Pull) or build it.")


def test_a_taken_name_comes_with_a_free_one(bound):
    (problem,) = preflight(RunSpec("my-ai-app:1", name="web"), context(container_names=frozenset({"web", "web-2"})))
    assert problem == Problem("name", "web is taken by another container. Try web-3.")


def test_a_port_used_by_a_container_says_which_and_offers_a_free_one(bound):
    in_use = {(5000, "tcp"): PortUse(5000, "tcp", "container web")}
    spec = RunSpec("my-ai-app:1", ports=(PortSpec("80", "5000"), PortSpec("81", "5001"), PortSpec("53", "5000", "udp")))
    (problem,) = preflight(spec, context(ports_in_use=in_use))
    # 5001 is free on the host but the form's next row asks for it: 5002 is offered.
    assert problem == Problem("ports", "Port 5000 is already used by container web. Port 5002 is free.", row=0)


def test_a_port_held_by_a_real_program_is_caught_by_the_bind_probe(tcp_listener):
    spec = RunSpec("my-ai-app:1", ports=(PortSpec("8000", str(tcp_listener)),))
    (problem,) = preflight(spec, context())
    assert problem.field == "ports" and problem.row == 0 and not problem.warning
    assert problem.message.startswith(f"Port {tcp_listener} is already used by another program. Port ")
    free = int(problem.message.split("Port ")[-1].split()[0])
    assert free != tcp_listener and ports.port_is_free(free)


def test_a_listed_program_is_named(bound):
    in_use = {(7860, "tcp"): PortUse(7860, "tcp", "python3 (pid 4242)")}
    (problem,) = preflight(RunSpec("x", ports=(PortSpec("7860", "7860"),)), context(ports_in_use=in_use))
    assert problem.message == "Port 7860 is already used by python3 (pid 4242). Port 7861 is free."


def test_udp_and_tcp_ports_are_separate(bound):
    in_use = {(5353, "udp"): PortUse(5353, "udp", "container dns")}
    tcp_row = RunSpec("x", ports=(PortSpec("53", "5353", "tcp"),))
    udp_row = RunSpec("x", ports=(PortSpec("53", "5353", "udp"),))
    assert preflight(tcp_row, context(ports_in_use=in_use)) == []
    assert messages(preflight(udp_row, context(ports_in_use=in_use))) == [
        "Port 5353 (UDP) is already used by container dns. Port 5354 is free."
    ]


def test_a_range_with_a_taken_port_offers_a_free_range(bound):
    bound.add((6013, "tcp"))
    in_use = {(6005, "tcp"): PortUse(6005, "tcp", "container web")}
    (problem,) = preflight(RunSpec("x", ports=(PortSpec("8000-8009", "6000-6009"),)), context(ports_in_use=in_use))
    assert problem.message == (
        "Port 6005 is already used by container web. Pick another range for 6000-6009. Try 6014-6023."
    )


def test_all_interfaces_probe_the_wildcard_address(monkeypatch):
    asked = []

    def probe(port, protocol="tcp", address="127.0.0.1"):
        asked.append((port, protocol, address))
        return True

    monkeypatch.setattr(run_context, "port_is_free", probe)
    spec = RunSpec(
        "x",
        ports=(
            PortSpec("80", "5080", all_interfaces=True),
            PortSpec("81", "5081"),
            PortSpec("82"),
            PortSpec("83", "abc"),
        ),
    )
    assert preflight(spec, context()) == []
    assert asked == [(5080, "tcp", "0.0.0.0"), (5081, "tcp", "127.0.0.1")]


def test_a_remote_engine_is_not_probed_on_this_computer(monkeypatch):
    monkeypatch.setattr(run_context, "port_is_free", lambda *args: pytest.fail("probed this computer"))
    in_use = {(5000, "tcp"): PortUse(5000, "tcp", "container web")}
    spec = RunSpec("x", ports=(PortSpec("80", "5000"), PortSpec("81", "5005")))
    assert messages(preflight(spec, context(ports_in_use=in_use, host_is_local=False))) == [
        "Port 5000 is already used by container web. Port 5001 is free."
    ]


# --- preflight: GPUs -----------------------------------------------------------------------------------------


def test_gpus_without_the_toolkit_are_an_error_with_the_fix(bound):
    (problem,) = preflight(RunSpec("x", gpus=GpuSpec(GpuMode.ALL)), context(gpu_support=None))
    assert problem.field == "gpus" and not problem.warning
    assert "Install the NVIDIA Container Toolkit, then let Docker use it" in problem.message
    assert engine_help.GPU_TOOLKIT_STEPS.splitlines()[0].rstrip(":") in problem.message
    assert "run without GPUs" in problem.message


def test_no_gpus_asked_no_gpu_checks(bound):
    assert preflight(RunSpec("x"), context(gpu_support=None, gpus=NO_DRIVER)) == []


def test_more_gpus_than_the_computer_has(bound):
    (problem,) = preflight(RunSpec("x", gpus=GpuSpec(GpuMode.COUNT, count=3)), context(image_inspect={}))
    assert problem == Problem("gpus", "This computer has 2 GPUs. Ask for 2 or fewer, or choose all GPUs.")
    assert preflight(RunSpec("x", gpus=GpuSpec(GpuMode.COUNT, count=2)), context(image_inspect={})) == []


def test_chosen_gpus_must_exist_by_index_or_uuid(bound):
    ok = RunSpec("x", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("0", "GPU-bbbb")))
    assert preflight(ok, context(image_inspect={})) == []
    bad = RunSpec("x", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("1", "2", "GPU-zzzz")))
    assert messages(preflight(bad, context(image_inspect={}))) == [
        "There is no GPU 2, GPU-zzzz on this computer. Choose from: 0, 1."
    ]


def test_an_image_needing_a_newer_cuda_is_a_warning(bound):
    (problem,) = preflight(RunSpec("x", gpus=GpuSpec(GpuMode.ALL)), context())
    assert problem.field == "gpus" and problem.warning
    assert "CUDA 12.4" in problem.message and "12.2" in problem.message
    newer_driver = replace(TWO_GPUS, cuda_version=(12, 4))
    assert preflight(RunSpec("x", gpus=GpuSpec(GpuMode.ALL)), context(gpus=newer_driver)) == []


def test_no_driver_on_this_computer_is_a_warning(bound):
    (problem,) = preflight(RunSpec("x", gpus=GpuSpec(GpuMode.ALL)), context(gpus=NO_DRIVER))
    assert problem == Problem("gpus", NO_DRIVER.unavailable_reason, warning=True)


def test_a_remote_engine_skips_this_computers_gpus(bound):
    spec = RunSpec("x", gpus=GpuSpec(GpuMode.CHOSEN, device_ids=("5",)))
    assert preflight(spec, context(gpus=NO_DRIVER, host_is_local=False)) == []


# --- why the GPU section is disabled -------------------------------------------------------------------------


def test_gpu_section_reasons():
    assert gpu_unavailable_reason(context()) is None
    assert gpu_unavailable_reason(context(gpus=NO_DRIVER)) == NO_DRIVER.unavailable_reason
    assert "reports no GPUs" in gpu_unavailable_reason(context(gpus=replace(TWO_GPUS, gpus=())))
    no_toolkit = gpu_unavailable_reason(context(gpu_support=None))
    assert no_toolkit.startswith("Docker cannot give GPUs to containers yet")
    assert no_toolkit.endswith(engine_help.GPU_TOOLKIT_STEPS)
    assert gpu_unavailable_reason(context(gpus=NO_DRIVER, host_is_local=False)) is None
    assert gpu_unavailable_reason(context(gpus=NO_DRIVER, host_is_local=False, gpu_support=None)) == no_toolkit


# --- load_context --------------------------------------------------------------------------------------------


def api_error(status: int, text: str) -> docker.errors.APIError:
    response = requests.Response()
    response.status_code = status
    return docker.errors.APIError(text, response=response, explanation=text)


class FakeApi:
    def __init__(self, inspect: dict | Exception):
        self.inspect = inspect

    def inspect_image(self, image: str) -> dict:
        if isinstance(self.inspect, Exception):
            raise self.inspect
        return self.inspect

    def info(self) -> dict:
        return {"NCPU": 64}


class FakeEngine:
    def __init__(self, inspect: dict | Exception, host: str = "unix:///var/run/docker.sock"):
        self.api = FakeApi(inspect)
        self.endpoint = SimpleNamespace(host=host)
        self.rows = [
            ContainerRow(
                "id1",
                "web",
                "nginx",
                "sha256:2",
                "",
                "running",
                "Up",
                0.0,
                ports=(PublishedPort(5000, 80, "tcp", "127.0.0.1"),),
            ),
            ContainerRow("id2", "old", "nginx", "sha256:2", "", "exited", "Exited (0)", 0.0),
        ]

    def containers(self) -> list[ContainerRow]:
        return self.rows


@pytest.fixture
def inventory(monkeypatch):
    monkeypatch.setattr(run_context, "read_inventory", lambda: TWO_GPUS)


def test_load_context_gathers_everything(inventory, tcp_listener):
    loaded = load_context(FakeEngine(IMAGE_INSPECT), "my-ai-app:1", "CDI devices")
    assert loaded.image == "my-ai-app:1" and loaded.image_inspect is IMAGE_INSPECT
    assert loaded.container_names == frozenset({"web", "old"})
    assert loaded.ports_in_use[(5000, "tcp")].owner == "container web"
    assert (tcp_listener, "tcp") in loaded.ports_in_use  # the host's own listeners too
    assert loaded.host_cpus == os.cpu_count()
    assert loaded.gpu_support == "CDI devices" and loaded.gpus == TWO_GPUS and loaded.host_is_local


@pytest.mark.parametrize(
    "missing", [api_error(404, "No such image: my-ai-app:1"), docker.errors.ImageNotFound("No such image: my-ai-app:1")]
)
def test_an_image_not_on_the_engine_is_none(inventory, missing):
    if missing.response is None:
        missing.response = requests.Response()
        missing.response.status_code = 404
    loaded = load_context(FakeEngine(missing), "my-ai-app:1", None)
    assert loaded.image_inspect is None
    assert messages(preflight(RunSpec("my-ai-app:1"), loaded))[0].startswith("my-ai-app:1 is not on this engine")


def test_other_engine_errors_reach_the_caller(inventory):
    with pytest.raises(docker.errors.APIError):
        load_context(FakeEngine(api_error(500, "boom")), "x", None)


def test_a_remote_engine_reports_its_own_cpus_and_no_local_gpus(monkeypatch, tcp_listener):
    monkeypatch.setattr(run_context, "read_inventory", lambda: pytest.fail("read this computer's GPUs"))
    loaded = load_context(FakeEngine(IMAGE_INSPECT, host="ssh://me@gpu-box"), "x", "nvidia runtime")
    assert not loaded.host_is_local and loaded.host_cpus == 64
    assert set(loaded.ports_in_use) == {(5000, "tcp")}  # only what the engine publishes
    assert not loaded.gpus.available and gpu_unavailable_reason(loaded) is None


@pytest.mark.parametrize(
    "host, local",
    [
        ("unix:///var/run/docker.sock", True),
        ("npipe:////./pipe/docker_engine", True),
        ("tcp://127.0.0.1:2375", True),
        ("tcp://localhost:2376", True),
        ("tcp://[::1]:2375", True),
        ("ssh://me@gpu-box", False),
        ("tcp://gpu-box:2376", False),
    ],
)
def test_which_engines_are_on_this_computer(host, local):
    assert engine_is_local(SimpleNamespace(endpoint=SimpleNamespace(host=host))) is local


def test_variables_the_image_asks_for_wait_as_empty_rows_and_are_warned_about():
    from gui.core.run.spec import EnvVar
    from gui.core.secrets import RUN_ENV_LABEL

    ctx = context(image_inspect={"Config": {"Labels": {RUN_ENV_LABEL: "HF_TOKEN,OPENAI_API_KEY"}}})
    spec = default_spec("my-ai-app:1", ctx)
    assert spec.env == (EnvVar("HF_TOKEN", ""), EnvVar("OPENAI_API_KEY", ""))
    warnings = [p.message for p in preflight(spec, ctx) if p.field == "env"]
    assert len(warnings) == 2 and "expects HF_TOKEN" in warnings[0]
    given = replace(spec, env=(EnvVar("HF_TOKEN", "hf_x"), EnvVar("OPENAI_API_KEY", "sk")))
    assert [p for p in preflight(given, ctx) if p.field == "env"] == []
