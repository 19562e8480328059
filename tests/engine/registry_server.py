"""A real registry for engine tests: Debian's docker-registry on
127.0.0.1:<free port>, with htpasswd auth and storage in a tmp dir.

Plain Python, no fixtures (`from tests.engine import registry_server`); the
`local_registry` fixture in conftest.py wraps LocalRegistry.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tests.engine import engine_helpers as eh
from tests.engine import processes


class MissingTool(RuntimeError):
    """A host tool the fixture needs is not installed."""


def htpasswd_line(user: str, password: str) -> str:
    """A bcrypt htpasswd entry (the registry accepts bcrypt only)."""
    if shutil.which("htpasswd"):
        # -i reads the password from stdin, keeping it out of `ps`.
        out = subprocess.run(
            ["htpasswd", "-B", "-i", "-n", user], input=password, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    try:
        import bcrypt  # optional fallback
    except ImportError:
        raise MissingTool("need `htpasswd` (apt-get install apache2-utils) or the python bcrypt package") from None
    return f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()}"


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def _http_status(url: str) -> int | None:
    try:
        with _DIRECT.open(url, timeout=2) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


class LocalRegistry:
    """Debian's docker-registry (distribution 2.8) on 127.0.0.1:<free port>,
    htpasswd auth, storage in a tmp dir. The engine treats 127.0.0.0/8 as an
    insecure registry by default, so plain HTTP works without daemon config."""

    START_DEADLINE_S = 30.0

    def __init__(self, username: str = "portside") -> None:
        if not shutil.which("docker-registry"):
            raise MissingTool("need `docker-registry` (apt-get install docker-registry)")
        self.root = Path(tempfile.mkdtemp(prefix="psr-"))
        self.username = username
        self.password = secrets.token_hex(16)
        self.log_path = self.root / "registry.log"
        self.port = 0
        self._proc: subprocess.Popen | None = None
        (self.root / "htpasswd").write_text(htpasswd_line(self.username, self.password) + "\n")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        # JSON is valid YAML, so no yaml dependency is needed.
        config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(self.root / "storage")},
                "delete": {"enabled": True},
            },
            "http": {"addr": self.address, "secret": secrets.token_hex(16)},
            "auth": {"htpasswd": {"realm": "portside-test", "path": str(self.root / "htpasswd")}},
        }
        path = self.root / "config.yml"
        path.write_text(json.dumps(config, indent=2))
        return path

    def start(self) -> None:
        # eh.free_port() can race with another process grabbing the port; retry.
        for _attempt in range(3):
            self.port = eh.free_port()
            config = self._write_config()
            with open(self.log_path, "ab") as log:
                self._proc = subprocess.Popen(
                    ["docker-registry", "serve", str(config)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            # 401 on /v2/ means: up, and auth is on.
            if (
                eh.wait_until(
                    lambda: self._proc.poll() is not None or _http_status(f"http://{self.address}/v2/") == 401,
                    self.START_DEADLINE_S,
                )
                and self._proc.poll() is None
            ):
                return
            processes.stop_process(self._proc, 5)
        raise RuntimeError(f"docker-registry did not come up\n--- {self.log_path}\n{processes.tail(self.log_path)}")

    def log_tail(self, limit: int = 8000) -> str:
        return processes.tail(self.log_path, limit)

    def destroy(self) -> None:
        if self._proc is not None:
            processes.stop_process(self._proc, 10)
        shutil.rmtree(self.root, ignore_errors=True)
