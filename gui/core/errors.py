"""Engine errors as plain sentences with what to do next. Typed where the view can offer the fix."""
from __future__ import annotations


class EngineError(Exception):
    """An error the user can read: what happened, then what to do."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail  # the engine's own words, for the details pane and the log


class NotFound(EngineError):
    pass


class ImageInUse(EngineError):
    """Removing needs force: a container uses the image. The view offers force with a confirmation."""


class ContainerRunning(EngineError):
    """Removing needs force: the container is running."""


class EngineGone(EngineError):
    """The engine stopped answering; the app goes back to its connection screen and retries."""


class StreamError(EngineError):
    """An error reported inside a pull/push/build stream (a 200 response with errorDetail)."""


def explain(exc: BaseException, doing: str = "") -> EngineError:
    """Turn anything docker-py raises into an EngineError with a plain sentence."""
    import docker.errors  # here, not at the top: keeps docker-py off the start-up path
    import requests.exceptions
    if isinstance(exc, EngineError):
        return exc
    prefix = f"Could not {doing}: " if doing else ""
    if isinstance(exc, (requests.exceptions.ConnectionError, ConnectionError)):
        return EngineGone(f"{prefix}the Docker engine stopped answering. Portside reconnects when it is back.",
                          str(exc))
    if isinstance(exc, requests.exceptions.Timeout):
        return EngineError(f"{prefix}the engine took too long to answer. Try again; if it keeps happening, "
                           "check that Docker is healthy (`docker info`).", str(exc))
    if isinstance(exc, docker.errors.APIError):
        return _explain_api_error(exc, prefix)
    if isinstance(exc, docker.errors.DockerException):
        return EngineError(f"{prefix}{exc}", str(exc))
    return EngineError(f"{prefix}{exc}", repr(exc))


def _explain_api_error(exc, prefix: str) -> EngineError:
    text = str(exc.explanation or exc)
    lowered = text.lower()
    status = exc.status_code
    if status == 404:
        return NotFound(f"{prefix}it no longer exists on the engine. The list has been refreshed.", text)
    if status == 409 and ("being used by" in lowered or "is using its referenced image" in lowered
                          or "image has dependent child images" in lowered):
        if "running container" in lowered:
            return ImageInUse(f"{prefix}a running container uses this image. Stop and remove that container "
                              "first, then remove the image.", text)
        return ImageInUse(f"{prefix}a container (stopped) still uses this image. Remove the container first, "
                          "or force removal, which untags the image and leaves the container as it is.", text)
    if status == 409 and "running container" in lowered and "stop" in lowered:
        return ContainerRunning(f"{prefix}the container is running. Stop it first, or force removal "
                                "(which kills it).", text)
    if status == 409 and "already in progress" in lowered:
        return EngineError(f"{prefix}the engine is already doing that. Wait a moment and try again.", text)
    if status == 401 or "unauthorized" in lowered or "authentication required" in lowered:
        return EngineError(f"{prefix}the registry refused access. Sign in to the registry, or check the name.",
                           text)
    if "no space left" in lowered:
        return EngineError(f"{prefix}the disk is full. Remove unused images and containers, then try again.",
                           text)
    if status == 500 and ("connection refused" in lowered or "no such host" in lowered
                          or "dial tcp" in lowered or "i/o timeout" in lowered):
        return EngineError(f"{prefix}the engine could not reach the registry. Check the address and your "
                           "network; a self-hosted registry may need to be added to insecure-registries.", text)
    return EngineError(f"{prefix}{text}", text)
