"""Networks on the real engine: create with a subnet through the action, a labelled container connected shows as
attached, the engine's refusal to remove the network while it is reads as a sentence, then disconnect and remove."""

from __future__ import annotations

import ipaddress
import random

import pytest

from gui.core.engine.networks import ConnectContainer, CreateNetwork, DisconnectContainer, RemoveNetwork
from gui.core.errors import EngineError
from tests.engine import engine_helpers as eh


def free_subnet(engine) -> str:
    """A /24 in 172.28-31 that no network on the engine overlaps (other tests may be making networks too)."""
    used = [ipaddress.ip_network(s) for row in engine.networks() for s in row.subnets]
    candidates = [ipaddress.ip_network(f"172.{b}.{c}.0/24") for b in range(28, 32) for c in range(256)]
    random.shuffle(candidates)
    return str(next(net for net in candidates if not any(net.overlaps(u) for u in used if u.version == 4)))


def ours(engine, name: str):
    return next((row for row in engine.networks() if row.name == name), None)


def test_create_connect_refused_removal_disconnect_remove(engine, docker_client, busybox_image, test_labels):
    case = test_labels[eh.CASE_LABEL]
    labels = tuple(sorted(test_labels.items()))
    name = f"portside-test-net-{case}"
    subnet = free_subnet(engine)
    assert len(engine.perform(CreateNetwork(name, subnet, labels))) == 64
    row = ours(engine, name)
    assert row.subnets == (subnet,) and row.driver == "bridge" and row.attached == () and not row.builtin

    user = docker_client.containers.run(
        busybox_image, ["sleep", "300"], name=f"portside-test-net-user-{case}", labels=test_labels, detach=True
    )
    engine.perform(ConnectContainer(name, user.name))
    assert ours(engine, name).attached == (user.name,)

    # Removing it while a container is attached: the engine refuses, in a sentence that says what to do.
    with pytest.raises(EngineError) as refused:
        engine.perform(RemoveNetwork(name))
    assert refused.value.message.startswith(
        "Could not remove the network: containers are still attached to this network. Disconnect them first"
    )

    engine.perform(DisconnectContainer(name, user.name))
    assert ours(engine, name).attached == ()
    engine.perform(RemoveNetwork(name))
    assert ours(engine, name) is None
