"""An engine on this computer whose containers' files are fake cgroup trees: what the kernel reader asks of an engine
(`docker info`, each container's inspect data, its socket), for tests of gui.workers.monitor.kernel_stats."""

from __future__ import annotations

import threading

from tests.fakes.cgroup_trees import Tree
from tests.fakes.fake_engine import api_error


class TreeApi:
    """engine.api: `docker info` from the first tree, each container's inspect data from its own tree (None there: the
    container is gone, a 404). Inspects are counted; those of the containers in `held` wait until the test sets
    `answer` (a slow engine), `asked` set when one is waiting; `info_error`, when set, is raised by info()."""

    def __init__(self, trees: dict[str, Tree]):
        self.trees = trees
        self.inspects = 0
        self.info_error: Exception | None = None
        self.held: set[str] = set()
        self.asked = threading.Event()
        self.answer = threading.Event()

    def info(self) -> dict:
        if self.info_error is not None:
            raise self.info_error
        return next(iter(self.trees.values())).info

    def inspect_container(self, container_id: str) -> dict:
        self.inspects += 1
        if container_id in self.held:
            self.asked.set()
            assert self.answer.wait(10), "the test never let the inspect answer"
        tree = self.trees.get(container_id)
        if tree is None or tree.inspect is None:
            raise api_error(404, f"No such container: {container_id}")
        return tree.inspect


class TreeEngine:
    """The engine: its API, its socket (the first tree's: its owner is a rootless engine's user) and its inspects."""

    def __init__(self, *trees: Tree):
        self.api = TreeApi({tree.numbers["container_id"]: tree for tree in trees})
        self._socket = str(trees[0].socket)

    def stats_socket(self) -> str:
        return self._socket

    def inspect_container(self, container_id: str) -> dict:
        return self.api.inspect_container(container_id)
