"""The build request: what Engine.build sends for a BuildSpec (POST /build, the way docker-py's
APIClient.build makes it, with the build folder tarred without what .dockerignore excludes), opening that
stream with its early failures worded like the ones inside it, and the extra tags applied after a build. No Qt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gui.core.build.failures import BuildError, parse_error_line, plain_build_error
from gui.core.reference import parse

if TYPE_CHECKING:
    import docker

    from gui.core.build.spec import BuildSpec
    from gui.core.engine.client import Engine, Stream

__all__ = ["apply_extra_tags", "build_request", "dockerignore_patterns", "open_build"]


def build_request(client: docker.APIClient, spec: BuildSpec) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """(context tar file, query parameters, headers) for POST /build, as docker-py's APIClient.build makes
    them from spec.api_kwargs() with rm=True, forcerm=True: the folder tarred without what .dockerignore
    excludes, the proxy settings of ~/.docker/config.json as build arguments, and the user's registry
    logins so a private base image can be pulled. The caller closes the file once the request is sent.
    Blocking: it reads the whole build folder."""
    from docker import utils
    from docker.api.build import process_dockerfile

    kwargs = spec.api_kwargs()
    path = kwargs["path"]
    dockerfile = process_dockerfile(kwargs["dockerfile"], path)
    context = utils.tar(path, exclude=dockerignore_patterns(Path(path)), dockerfile=dockerfile)
    params: dict[str, Any] = {
        "t": kwargs["tag"],
        "q": False,
        "nocache": kwargs["nocache"],
        "rm": True,
        "forcerm": True,
        "pull": kwargs["pull"],
        "dockerfile": dockerfile[0],
    }
    buildargs = dict(kwargs["buildargs"])
    for name, value in client._proxy_configs.get_environment().items():
        buildargs.setdefault(name, value)
    if buildargs:
        params["buildargs"] = json.dumps(buildargs)
    if kwargs["labels"]:
        params["labels"] = json.dumps(kwargs["labels"])
    if kwargs["target"]:
        params["target"] = kwargs["target"]
    headers = {"Content-Type": "application/tar"}
    client._set_auth_headers(headers)
    return context, params, headers


def dockerignore_patterns(context: Path) -> list[str] | None:
    """The patterns of the folder's .dockerignore, read the way docker-py reads them."""
    path = context / ".dockerignore"
    if not path.exists():
        return None
    lines = (line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def open_build(engine: Engine, spec: BuildSpec) -> Stream:
    """engine.build, with what fails before the stream starts (a Dockerfile the engine cannot parse, a
    missing target stage, an unreadable file in the folder) as a BuildError worded like the failures inside
    the stream. Runs in the stream's thread."""
    import docker.errors

    from gui.core.errors import explain

    try:
        return engine.build(spec)
    except docker.errors.APIError as exc:
        detail = str(exc.explanation or exc)
        raise BuildError(plain_build_error(detail), detail, line=parse_error_line(detail)) from exc
    except OSError as exc:  # tarring the folder: a file vanished or cannot be read
        if exc.__class__.__module__.startswith(("requests", "urllib3")):
            raise explain(exc, "build the image") from exc
        where = f" {exc.filename}" if exc.filename else ""
        raise BuildError(
            f"Could not read{where} in the build folder: {exc.strerror or exc}. Check its "
            "permissions, or exclude it in .dockerignore.",
            str(exc),
        ) from exc


def apply_extra_tags(api: docker.APIClient, image_id: str, tags: tuple[str, ...] | list[str]) -> None:
    """Tags the built image with the tags after the first (the build API takes one): what
    `docker build -t a -t b` does after its build."""
    for tag in tags:
        ref = parse(tag)
        api.tag(image_id, ref.repository, ref.tag_or_latest)
