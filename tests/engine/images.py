"""Test images for engine tests: built from a throw-away context, and the
shared busybox image (FROM scratch plus the host's busybox-static binary, so no
registry is needed). Also copies an image from one engine to another.

Plain Python, no fixtures (`from tests.engine import images`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import docker
import docker.errors

from tests.engine import engine_helpers as eh

BUSYBOX_TAG = f"{eh.BUSYBOX_REPO}:1"
BUSYBOX_BINARY = Path("/bin/busybox")  # from Debian's busybox-static


def build_image(
    client: docker.DockerClient,
    tag: str,
    dockerfile_text: str,
    labels: Mapping[str, str],
    files: Mapping[str, str | bytes | os.PathLike] | None = None,
):
    """Build `tag` from a throw-away context holding `dockerfile_text` plus
    `files` ({relative path: text | bytes | path of a file to copy}).

    Images built FROM the shared busybox inherit its labels, so the shared
    marker is reset here unless the caller sets it: otherwise the session
    sweep would mistake a test's image for the shared one.
    Returns the docker-py Image.
    """
    all_labels = {eh.SHARED_LABEL: "0", **labels}
    with tempfile.TemporaryDirectory(prefix="psd-ctx-") as ctx:
        root = Path(ctx)
        (root / "Dockerfile").write_text(dockerfile_text)
        for rel, content in (files or {}).items():
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                dest.write_bytes(content)
            elif isinstance(content, str):
                dest.write_text(content)
            else:
                shutil.copy2(content, dest)  # keeps the exec bit
        try:
            image, _logs = client.images.build(path=ctx, tag=tag, labels=all_labels, rm=True, forcerm=True, pull=False)
        except docker.errors.BuildError as exc:
            log = "".join(str(chunk.get("stream") or chunk.get("error") or "") for chunk in exc.build_log)
            raise RuntimeError(f"building {tag} failed: {exc.msg}\n{log}") from exc
    return image


BUSYBOX_DOCKERFILE = """\
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/sh", "-c", "mkdir -p /tmp /root /etc /var/www && chmod 1777 /tmp"]
CMD ["sh"]
"""


def _busybox_recipe() -> str:
    """Changes when the Dockerfile or the host's busybox binary changes."""
    h = hashlib.sha256(BUSYBOX_DOCKERFILE.encode())
    h.update(hashlib.sha256(BUSYBOX_BINARY.read_bytes()).digest())
    return h.hexdigest()[:16]


def ensure_busybox_image(client: docker.DockerClient, tag: str = BUSYBOX_TAG) -> str:
    """Build the shared busybox image unless an up-to-date one exists."""
    if not BUSYBOX_BINARY.exists():
        raise RuntimeError(f"{BUSYBOX_BINARY} missing: apt-get install busybox-static")
    recipe = _busybox_recipe()
    with contextlib.suppress(docker.errors.ImageNotFound):
        if client.images.get(tag).labels.get(eh.RECIPE_LABEL) == recipe:
            return tag
    build_image(
        client,
        tag,
        BUSYBOX_DOCKERFILE,
        {eh.TEST_LABEL: "1", eh.SHARED_LABEL: "1", eh.RECIPE_LABEL: recipe},
        files={"busybox": BUSYBOX_BINARY},
    )
    return tag


def copy_image(src: docker.DockerClient, dst: docker.DockerClient, tag: str):
    """`docker save` from one engine piped into `docker load` on another."""
    tarball = b"".join(src.images.get(tag).save(named=tag))  # named=True would pick the first tag, maybe another
    (image,) = dst.images.load(tarball)
    return image
