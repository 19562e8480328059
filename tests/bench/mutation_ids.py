"""A pytest plugin for the mutation benchmark (bench_mutation.py loads it): runs tests named by node id even when
the case's id holds escapes ("C:\\models", "\\u2013", "\\x00").

mutmut records which tests cover each function by node id and later asks pytest for exactly those ids. mutmut
collects the tests once in its fork server, and pytest escapes a case's id again when the same module is
collected a second time in one process ("a\\b" becomes "a\\\\b"), so in the forked run such an id matches
nothing: pytest says "not found" and mutmut counts the mutant as killed without running a test. Here every such
id is collected as its whole function and the cases not asked for are deselected, comparing ids with runs of
backslashes made one.
"""

from __future__ import annotations

import re


def _canonical(node_id: str) -> str:
    return re.sub(r"\\+", r"\\", node_id)


def pytest_configure(config) -> None:
    functions, wanted = [], set()
    for arg in config.args:
        function, bracket, _ = arg.partition("[")
        if bracket and "::" in function:
            wanted.add(_canonical(arg))
            if function not in functions:
                functions.append(function)
        else:
            functions.append(arg)
    config.args[:] = functions
    config.portside_wanted_ids = wanted  # per run: mutmut runs many sessions in one process


def pytest_collection_modifyitems(config, items) -> None:
    wanted = getattr(config, "portside_wanted_ids", set())
    if not wanted:
        return
    asked_functions = {one.partition("[")[0] for one in wanted}  # no backslash before the "["
    keep, drop = [], []
    for item in items:
        whole = item.nodeid.partition("[")[0] in asked_functions and "[" in item.nodeid
        (drop if whole and _canonical(item.nodeid) not in wanted else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
