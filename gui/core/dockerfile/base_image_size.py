"""A rough note on what a base image costs in download and disk, for the wizard's base image page. No Qt."""

from __future__ import annotations


def size_note(image: str) -> str:
    """A rough idea of what the base costs in download and disk, in plain words."""
    name = image.split("@")[0].rsplit(":", 1)
    repository, tag = name[0], name[1] if len(name) > 1 else ""
    if repository.endswith("python") and "slim" in tag:
        return "Size: a slim Python base is about 45 MB to download (about 130 MB on disk); your packages come on top."
    if repository.endswith("python") and "alpine" in tag:
        return (
            "Size: Alpine is small (about 20 MB), but many AI packages have no wheels for it and compile "
            "for a long time."
        )
    if repository.endswith("python"):
        return (
            "Size: the full Python image is about 380 MB to download (about 1 GB on disk), because it "
            "carries compilers and many libraries. The -slim variant is usually enough."
        )
    if "nvidia/cuda" in repository:
        if "devel" in tag:
            return (
                "Size: a CUDA devel image is several GB: it carries the compilers. Use it in a builder "
                "stage and a -runtime image to run."
            )
        return (
            "Size: a CUDA runtime image is about 1.5 GB to download (3 GB and more on disk with cuDNN); "
            "the frameworks add several GB."
        )
    if "pytorch" in repository or "tensorflow" in repository:
        return "Size: framework images are large, often 3 to 8 GB on disk, because they bring CUDA with them."
    return "Size: check the image's size on its registry page; each layer you add comes on top."
