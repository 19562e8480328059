"""gui.core.dockerfile.base_image_size: the rough size note the wizard's base image page shows."""

from __future__ import annotations

import pytest

from gui.core.dockerfile.base_image_size import size_note


@pytest.mark.parametrize(
    ("image", "says"),
    [
        ("python:3.12-slim", "slim Python base is about 45 MB"),
        ("python:3.12-slim@sha256:" + "a" * 64, "slim Python base"),
        ("python:3.12-alpine", "Alpine is small"),
        ("python:3.12", "full Python image is about 380 MB"),
        ("python", "full Python image"),
        ("nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04", "CUDA devel image is several GB"),
        ("nvidia/cuda:12.4.1-runtime-ubuntu22.04", "CUDA runtime image is about 1.5 GB"),
        ("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime", "framework images are large"),
        ("tensorflow/tensorflow:2.17.0-gpu", "framework images are large"),
        ("ubuntu:24.04", "check the image's size on its registry page"),
    ],
)
def test_size_note_says_what_the_base_costs(image, says):
    note = size_note(image)
    assert note.startswith("Size: ")
    assert says in note
