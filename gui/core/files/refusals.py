"""The engine's refusals about a container's paths, said as sentences with what to do next. Anything else goes to
gui.core.errors.explain, which words every engine error the same way across the app."""

from __future__ import annotations

from gui.core.errors import EngineError, NotFound, explain


def path_refusal(exc: BaseException, path: str, doing: str, *, writing: bool = False) -> EngineError:
    """`exc` (anything docker-py raised while reading or writing `path`) as an EngineError.
    `writing`: the path is a folder being copied into, so a missing one is named as a folder."""
    import docker.errors  # here, not at the top: keeps docker-py off the start-up path
    import requests.exceptions

    if isinstance(exc, requests.exceptions.ChunkedEncodingError):  # the answer broke off midway
        return EngineError(
            f"The engine stopped sending {path} partway. Try again; if it keeps happening, check that Docker is "
            "healthy (run docker info in a terminal).",
            str(exc),
        )
    if not isinstance(exc, docker.errors.APIError):
        return explain(exc, doing)
    text = str(exc.explanation or exc)
    lowered = text.lower()
    if exc.status_code == 404 and "no such container" in lowered:
        return NotFound("The container no longer exists. Close this window; the list has been refreshed.", text)
    if exc.status_code == 404 and writing:
        return NotFound(
            f"The folder {path} does not exist in the container. Create it first, or pick another folder.", text
        )
    if exc.status_code == 404:
        return NotFound(
            f"There is no {path} in the container. It may have been moved or removed; refresh the folder.", text
        )
    if "not a directory" in lowered:
        return EngineError(f"{path} is a file in the container, not a folder. Pick a folder to copy into.", text)
    if "read-only" in lowered or "read only" in lowered:
        return EngineError(
            "The container's file system is read-only (it was started with --read-only), so nothing can be copied "
            "into it. Copy into a volume or folder it mounts instead.",
            text,
        )
    if "permission denied" in lowered or "operation not permitted" in lowered:
        return EngineError(
            f"The engine was refused access to {path}. Pick another folder, or check how the container's files "
            "and mounts are set up (a mount from the host may not allow it).",
            text,
        )
    return explain(exc, doing)
