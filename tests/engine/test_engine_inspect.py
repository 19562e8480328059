"""Engine.inspect_container on the real engine's socket (gui.core.engine.local_json): the same data docker-py reads,
and a container that is gone said as gone."""

from __future__ import annotations

import pytest

from gui.core.errors import NotFound, explain


def test_inspect_reads_what_docker_py_reads(engine, docker_client, busybox_image, test_labels):
    assert engine.endpoint.socket_path, "the test engine is reached on its Unix socket"
    container = docker_client.containers.run(
        busybox_image, ["sleep", "600"], detach=True, labels=test_labels, network_mode="none"
    )
    lean = engine.inspect_container(container.id)
    full = docker_client.api.inspect_container(container.id)
    for key in ("Id", "Name", "Config", "HostConfig", "NetworkSettings"):
        assert lean[key] == full[key]
    assert lean["State"]["Pid"] == full["State"]["Pid"] > 0
    container.remove(force=True)
    with pytest.raises(Exception) as raised:
        engine.inspect_container(container.id)
    assert isinstance(explain(raised.value, "look up the container"), NotFound)
