"""The Monitor history's keys: typed, frozen values that compare by what they name and never across kinds."""

from __future__ import annotations

import dataclasses

import pytest

from gui.core.monitor.keys import HOST, ContainerKey, GpuKey, HostKey
from gui.core.monitor.timeseries import SeriesBook

CONTAINER_ID = "ab12" * 16


def test_same_container_same_key():
    assert ContainerKey(CONTAINER_ID) == ContainerKey(CONTAINER_ID)
    assert hash(ContainerKey(CONTAINER_ID)) == hash(ContainerKey(CONTAINER_ID))
    assert ContainerKey(CONTAINER_ID) != ContainerKey("cd34" * 16)
    assert GpuKey(0) == GpuKey(0) and GpuKey(0) != GpuKey(1)
    assert HostKey() == HOST


def test_distinct_kinds_are_never_equal():
    keys = [HOST, GpuKey(0), ContainerKey("0"), ContainerKey("host"), ContainerKey("gpu:0")]
    for i, key in enumerate(keys):
        for other in keys[i + 1 :]:
            assert key != other
    assert ContainerKey("host") != HOST and ContainerKey("0") != GpuKey(0)
    assert ContainerKey(CONTAINER_ID) != f"container:{CONTAINER_ID}"  # the old string keys are not mistaken for one


def test_usable_as_dict_and_set_keys():
    seen = {HOST: "host", GpuKey(0): "gpu 0", ContainerKey(CONTAINER_ID): "web"}
    assert seen[HostKey()] == "host"
    assert seen[GpuKey(0)] == "gpu 0"
    assert seen[ContainerKey(CONTAINER_ID)] == "web"
    assert GpuKey(1) not in seen
    assert len({ContainerKey(CONTAINER_ID), ContainerKey(CONTAINER_ID), GpuKey(0), GpuKey(0), HOST}) == 3


def test_frozen():
    key = ContainerKey(CONTAINER_ID)
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.container_id = "other"  # type: ignore[misc]


def test_a_book_finds_a_series_by_an_equal_key():
    book = SeriesBook()
    book.record(ContainerKey(CONTAINER_ID), 1.0, {"cpu": 5.0})
    book.record(GpuKey(0), 1.0, {"util": 50.0})
    assert book.get(ContainerKey(CONTAINER_ID), "cpu").last() == 5.0
    assert book.get(ContainerKey("0"), "util") is None  # a container is not the GPU of the same number
    assert [key for key in book if isinstance(key, ContainerKey)] == [ContainerKey(CONTAINER_ID)]
