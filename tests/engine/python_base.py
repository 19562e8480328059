"""A local Python base image for engine tests, made without any registry.

No registry is reachable, so the base is a Debian rootfs made by debootstrap and
`docker import`ed. The
rootfs tarball is cached outside the repository (PORTSIDE_TEST_CACHE, default
/var/cache/portside-tests) and reused by later sessions; the images made from
it are rebuilt from the tarball when missing (the session sweep removes test
images, see below).

    portside-test/pybase:bookworm     the imported rootfs (Debian's python3 + pip)
    portside-test/python:3.11-slim    that, shaped like the official python:3.11-slim:
                                      `python` on PATH, pip allowed to install into
                                      the system Python (PEP 668)
    portside-test/python:3.11         the same image, as the builder of a
                                      multi-stage Dockerfile (python:X-slim -> python:X)

The first run needs root and a Debian mirror (about a minute); later runs only
`docker import` the cached tarball when the images are gone.

Plain Python, no fixtures: the python_base fixture in tests/engine/conftest.py wraps it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import docker
import docker.errors

from tests.engine import engine_helpers as eh
from tests.engine import images

SUITE = "bookworm"


def _apt_mirror() -> str | None:
    """The Debian mirror this machine's apt already uses (its sources), so the tests need no address of their own."""
    sources = sorted(Path("/etc/apt/sources.list.d").glob("*.sources")) + [Path("/etc/apt/sources.list")]
    for path in sources:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split()
            uri = (
                words[1]
                if line.startswith("URIs:") and len(words) > 1
                else (words[1] if words[:1] == ["deb"] and len(words) > 2 and not words[1].startswith("[") else None)
            )
            if uri and uri.rstrip("/").endswith("/debian"):
                return uri
    return None


MIRROR = os.environ.get("PORTSIDE_TEST_DEBIAN_MIRROR") or _apt_mirror() or ""
# python3-minimal + python3-pip: what a Python app's image needs; passwd for useradd/groupadd, which
# the generated Dockerfiles' non-root step uses (python:slim has them too).
INCLUDE = ("python3-minimal", "python3-pip", "passwd")
CACHE_DIR = Path(os.environ.get("PORTSIDE_TEST_CACHE", "/var/cache/portside-tests"))
TARBALL = CACHE_DIR / f"{SUITE}-python.tar"

ROOTFS_TAG = "portside-test/pybase:bookworm"
PYTHON_TAG = "portside-test/python:3.11-slim"
BUILDER_TAG = "portside-test/python:3.11"

# What the official python:3.11-slim gives a Dockerfile, on top of Debian's python3.
PYTHON_DOCKERFILE = f"""\
FROM {ROOTFS_TAG}
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    LANG=C.UTF-8 \\
    PIP_BREAK_SYSTEM_PACKAGES=1
RUN ln -s /usr/bin/python3 /usr/local/bin/python
CMD ["python3"]
"""

# Timings of the last ensure_python_base() call, for reports: step -> seconds.
timings: dict[str, float] = {}


class Unavailable(RuntimeError):
    """The base image cannot be made here (no debootstrap, not root, no mirror)."""


@contextlib.contextmanager
def _locked(path: Path):
    """One session at a time makes the tarball / the images (others wait, then reuse them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _debootstrap_binary() -> str:
    found = shutil.which("debootstrap") or (Path("/usr/sbin/debootstrap").exists() and "/usr/sbin/debootstrap")
    if found:
        return found
    if os.geteuid() != 0:
        raise Unavailable("debootstrap is missing (apt-get install debootstrap, or bash packaging/setup.sh --test)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "debootstrap"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        result = subprocess.run(install, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise Unavailable(f"could not install debootstrap: {result.stderr.strip()[-500:]}")
    return shutil.which("debootstrap") or "/usr/sbin/debootstrap"


def ensure_tarball(report: Callable[[str], None] = print) -> Path:
    """The cached rootfs tarball, made with debootstrap when absent."""
    with _locked(CACHE_DIR / ".tarball.lock"):
        if TARBALL.is_file() and TARBALL.stat().st_size > 0:
            return TARBALL
        if os.geteuid() != 0:
            raise Unavailable(f"{TARBALL} is missing and making it needs root (debootstrap)")
        if not MIRROR:
            raise Unavailable("no Debian mirror found in /etc/apt/sources*; set PORTSIDE_TEST_DEBIAN_MIRROR")
        binary = _debootstrap_binary()
        report(f"making {TARBALL} with debootstrap from {MIRROR} (once; about a minute)")
        with tempfile.TemporaryDirectory(prefix="pybase-", dir=CACHE_DIR) as work:
            root = Path(work) / "rootfs"
            started = time.monotonic()
            result = subprocess.run(
                [binary, "--variant=minbase", f"--include={','.join(INCLUDE)}", SUITE, str(root), MIRROR],
                capture_output=True,
                text=True,
                timeout=900,
            )
            timings["debootstrap_s"] = time.monotonic() - started
            if result.returncode != 0:
                raise Unavailable(
                    f"debootstrap failed ({result.returncode}): {(result.stdout + result.stderr)[-1500:]}"
                )
            # Package downloads and indexes are not needed in the image (python:slim has none either).
            for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for item in (root / leftover).glob("*"):
                    if item.is_file():
                        item.unlink()
            started = time.monotonic()
            partial = Path(work) / "rootfs.tar"
            result = subprocess.run(
                ["tar", "--numeric-owner", "-C", str(root), "-cf", str(partial), "."],
                capture_output=True,
                text=True,
                timeout=600,
            )
            if result.returncode != 0:
                raise Unavailable(f"tar of the rootfs failed: {result.stderr[-1000:]}")
            os.replace(partial, TARBALL)  # atomic: a killed run leaves no half tarball behind
            timings["tar_s"] = time.monotonic() - started
        return TARBALL


def _recipe(tarball: Path) -> str:
    stat = tarball.stat()
    text = f"{PYTHON_DOCKERFILE}\n{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _current(client: docker.DockerClient, tag: str, recipe: str) -> bool:
    try:
        image = client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return image.labels.get(eh.RECIPE_LABEL) == recipe


def ensure_python_base(client: docker.DockerClient, report: Callable[[str], None] = print) -> str:
    """Tag of the local python:3.11-slim stand-in (PYTHON_TAG), made when missing or stale.

    Labelled io.portside.test=1 and io.portside.test.shared=1 like the shared busybox image.
    """
    timings.clear()
    tarball = ensure_tarball(report)
    recipe = _recipe(tarball)
    labels = {eh.TEST_LABEL: "1", eh.SHARED_LABEL: "1", eh.RECIPE_LABEL: recipe}
    with _locked(CACHE_DIR / ".images.lock"):
        if _current(client, PYTHON_TAG, recipe) and _current(client, BUILDER_TAG, recipe):
            return PYTHON_TAG
        if not _current(client, ROOTFS_TAG, recipe):
            started = time.monotonic()
            repository, tag = ROOTFS_TAG.rsplit(":", 1)
            changes = [f"LABEL {key}={value}" for key, value in labels.items()]
            client.api.import_image_from_file(str(tarball), repository=repository, tag=tag, changes=changes)
            timings["import_s"] = time.monotonic() - started
        started = time.monotonic()
        images.build_image(client, PYTHON_TAG, PYTHON_DOCKERFILE, labels)
        client.images.get(PYTHON_TAG).tag(BUILDER_TAG)
        timings["build_s"] = time.monotonic() - started
    return PYTHON_TAG
