"""The sample AI app the Dockerfile wizard offers a beginner, and the Dockerfile answers that suit it. No Qt.

The sample is a sentiment "model" served over HTTP with Python's standard library only, so its image builds
without a package index or any other download. create_sample_project() writes it into a new folder (blocking:
call it from a worker); sample_spec() gives the wizard's answers for it: an HTTP API started with
`python app.py`, its port exposed.
"""

from __future__ import annotations

import dataclasses
import errno
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from gui.core.dockerfile.base_choices import with_local_base
from gui.core.dockerfile.recipe import AppKind, DockerfileSpec, default_spec
from gui.core.errors import EngineError
from gui.core.fileio import atomic_write

if TYPE_CHECKING:
    from gui.core.dockerfile.project_scan import ProjectScan
    from gui.core.engine.rows import ImageRow

__all__ = [
    "SAMPLE_COMMAND",
    "SAMPLE_FILES",
    "SAMPLE_FOLDER_NAME",
    "SAMPLE_KIND",
    "SAMPLE_PORT",
    "create_sample_project",
    "free_folder",
    "sample_spec",
    "sample_target",
    "with_sample_defaults",
]

SAMPLE_FOLDER_NAME = "portside-sample-app"
SAMPLE_PORT = 8000
SAMPLE_KIND = AppKind.HTTP_API
SAMPLE_COMMAND = ("python", "app.py")
MAX_FOLDER_TRIES = 1000

APP_PY = '''\
"""A tiny AI app: a sentiment model served over HTTP, with Python's standard library only.

GET /          a short page that says what this is, with a form to try the model
POST /predict  JSON in, like {"text": "I love this"}; JSON out: the label and the score
GET /health    {"status": "ok"}, for Docker's HEALTHCHECK

The "model" is a handful of rules (it counts happy and unhappy words), so it needs no download and
no GPU. A real app loads a trained model the same way: once, when the server starts.
"""

import json
import os
import re
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# 0.0.0.0: every network interface of the container. 127.0.0.1 would be the container itself only,
# and nothing outside it could reach the app.
HOST = os.environ.get("HOST", "0.0.0.0")
PORT = int(os.environ.get("PORT", "__PORT__"))

POSITIVE = {"good", "great", "love", "like", "happy", "excellent", "nice", "wonderful", "best", "fun"}
NEGATIVE = {"bad", "terrible", "hate", "awful", "sad", "poor", "worst", "boring", "broken", "slow"}


def predict(text):
    """The model: +1 for each happy word, -1 for each unhappy one."""
    words = re.findall(r"[a-z']+", text.lower())
    score = sum(word in POSITIVE for word in words) - sum(word in NEGATIVE for word in words)
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return {"label": label, "score": score}


PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Portside sample AI app</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>Portside sample AI app</h1>
<p>A tiny sentiment model served over HTTP from a Docker container. Type a sentence and ask it.</p>
<form id="ask"><input id="text" size="40" value="I love this"> <button>Predict</button></form>
<pre id="answer"></pre>
<p>From a terminal: <code>curl -X POST -d '{"text": "I love this"}' http://127.0.0.1:__PORT__/predict</code></p>
<script>
document.getElementById("ask").onsubmit = async (event) => {
  event.preventDefault();
  const text = document.getElementById("text").value;
  const answer = await fetch("/predict", {method: "POST", body: JSON.stringify({text})});
  document.getElementById("answer").textContent = JSON.stringify(await answer.json(), null, 2);
};
</script>
</body>
</html>
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "PortsideSample/1.0"

    def do_GET(self):
        if self.path == "/":
            self._send(200, PAGE.encode(), "text/html; charset=utf-8")
        elif self.path == "/health":
            self._send_json(200, {"status": "ok"})
        else:
            self._send_json(404, {"error": "Nothing here. Try GET / or POST /predict."})

    def do_POST(self):
        if self.path != "/predict":
            self._send_json(404, {"error": "Nothing here. Try POST /predict."})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            text = json.loads(self.rfile.read(length) or b"{}")["text"]
            if not isinstance(text, str):
                raise TypeError(text)
        except (ValueError, KeyError, TypeError):
            self._send_json(400, {"error": 'Send JSON with a text, like {"text": "I love this"}.'})
            return
        self._send_json(200, {"text": text, **predict(text)})

    def _send_json(self, status, data):
        self._send(status, json.dumps(data).encode(), "application/json")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    # `docker stop` sends SIGTERM. As the container's first process (PID 1), Python would ignore it,
    # and Docker would kill the app after 10 seconds: say what to do with it, and stop at once.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(0))
    server = ThreadingHTTPServer((HOST, PORT), Handler)
    print(f"Sample AI app listening on {HOST}:{PORT}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
'''.replace("__PORT__", str(SAMPLE_PORT))

REQUIREMENTS_TXT = """\
# No packages: the sample app uses only Python's standard library, so its image
# builds without downloading anything from the Python Package Index.
# Your own app lists its packages here, one a line, with a version: flask==3.0.3
"""

README_MD = f"""\
# Portside sample AI app

A tiny app to learn Docker with: a sentiment "model" served over HTTP. It counts happy and unhappy
words, so it needs no download and no GPU. It uses only Python's standard library, so its image
builds without internet access.

## Files

- `app.py`: the web server and the model.
- `requirements.txt`: the Python packages to install; none, on purpose.
- `Dockerfile` and `.dockerignore`: written by Portside's Dockerfile wizard.

## What it answers

- `GET /`: a short page that says what this is, with a form to try the model.
- `POST /predict`: JSON in, like `{{"text": "I love this"}}`; JSON out, like
  `{{"text": "I love this", "label": "positive", "score": 1}}`.
- `GET /health`: `{{"status": "ok"}}`, for Docker's health check.

## Try it

Without Docker: `python app.py`, then open http://127.0.0.1:{SAMPLE_PORT}

With Docker, from this folder:

    docker build -t {SAMPLE_FOLDER_NAME}:1.0 .
    docker run --rm -p 127.0.0.1:{SAMPLE_PORT}:{SAMPLE_PORT} {SAMPLE_FOLDER_NAME}:1.0

then open http://127.0.0.1:{SAMPLE_PORT}, or ask the model from a terminal:

    curl -X POST -d '{{"text": "I love this"}}' http://127.0.0.1:{SAMPLE_PORT}/predict
"""

SAMPLE_FILES: dict[str, str] = {"app.py": APP_PY, "requirements.txt": REQUIREMENTS_TXT, "README.md": README_MD}


# -- where ----------------------------------------------------------------------


def free_folder(parent: Path, name: str = SAMPLE_FOLDER_NAME) -> Path:
    """parent/name, or parent/name-2, name-3... : the first that does not exist yet. Reads the disk."""
    for number in range(1, MAX_FOLDER_TRIES + 1):
        candidate = parent / (name if number == 1 else f"{name}-{number}")
        if not os.path.lexists(candidate):
            return candidate
    raise EngineError(f"{parent} already has {MAX_FOLDER_TRIES} folders named {name}. Remove the ones you do not need.")


def sample_target(typed: str, home: Path) -> Path:
    """Where the sample goes: the folder typed in the wizard when it is a full path that does not exist yet
    or is empty, else a free portside-sample-app folder in `home`. Reads the disk."""
    text = typed.strip()
    if text:
        path = Path(text).expanduser()
        if path.is_absolute() and (not os.path.lexists(path) or (path.is_dir() and not any(path.iterdir()))):
            return path
    return free_folder(home)


# -- writing --------------------------------------------------------------------


def create_sample_project(folder: Path) -> Path:
    """Write app.py, requirements.txt and README.md into `folder` (made when missing) and return the folder,
    resolved. Never overwrites: when one of the files is there already, nothing is written.
    Raises EngineError with a sentence for the user."""
    folder = Path(folder).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        there = [name for name in SAMPLE_FILES if os.path.lexists(folder / name)]
        if there:
            raise EngineError(
                f"{folder} already has {' and '.join(there)}. Portside never overwrites your files: "
                "choose an empty or new folder for the sample."
            )
        for name, text in SAMPLE_FILES.items():
            atomic_write(folder / name, text)
    except OSError as exc:
        raise EngineError(_problem(exc, folder), str(exc)) from exc
    return folder.resolve()


def _problem(exc: OSError, folder: Path) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"Could not write the sample into {folder}: you may not write there. Choose a folder you own."
    if exc.errno == errno.ENOSPC:
        return f"Could not write the sample into {folder}: the disk is full."
    if exc.errno == errno.EROFS:
        return f"Could not write the sample into {folder}: the disk is read-only."
    if exc.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"Could not write the sample into {folder}: part of that path is a file, not a folder."
    return f"Could not write the sample into {folder}: {exc.strerror or exc}."


# -- the Dockerfile's answers ---------------------------------------------------


def with_sample_defaults(spec: DockerfileSpec) -> DockerfileSpec:
    """The sample's own start command and port for the kinds that can run it (HTTP API, script)."""
    if spec.kind not in (AppKind.HTTP_API, AppKind.SCRIPT):
        return spec
    return dataclasses.replace(spec, port=SAMPLE_PORT, command=SAMPLE_COMMAND, extra_packages=())


def sample_spec(scan: ProjectScan | None, images: Iterable[ImageRow] = ()) -> DockerfileSpec:
    """The wizard's answers for the sample: an HTTP API on SAMPLE_PORT, on a Python image already on the
    engine when there is one (`images`: the session's image rows)."""
    return with_sample_defaults(with_local_base(default_spec(SAMPLE_KIND, scan), images))
