"""The real docker CLI, run by engine tests in an environment of its own: a
private DOCKER_CONFIG and, where `pass` is installed, a throwaway password
store, so `docker login` in tests never touches the developer's credentials.

Plain Python, no fixtures (`from tests.engine import cli_env`); the
`docker_cli` fixture in conftest.py hands out `cli_env.docker_cli`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from tests.engine import engine_helpers as eh

CLI_TIMEOUT_S = 120

_cli_config_dir: str | None = None


def _cli_config() -> str:
    """A private DOCKER_CONFIG, so `docker login` in tests never writes the
    developer's ~/.docker/config.json."""
    global _cli_config_dir
    if _cli_config_dir is None:
        _cli_config_dir = tempfile.mkdtemp(prefix="psd-cli-")
        atexit.register(shutil.rmtree, _cli_config_dir, True)
    return _cli_config_dir


_cli_pass_store = None


def cli_credential_environment() -> dict[str, str]:
    """What the docker CLI needs to keep a login. On Linux it uses `pass` whenever pass and docker-credential-pass
    are installed (the test packages install them), and `docker login` fails while the password store is not
    set up. The tests' CLI gets a store of its own, with a throwaway GnuPG key; without those tools, {} (the CLI
    then writes config.json)."""
    global _cli_pass_store
    from tests.fakes import credential_helpers

    if credential_helpers.pass_tools_missing():
        return {}
    if _cli_pass_store is None:
        store_dir = Path(tempfile.mkdtemp(prefix="psd-pass-"))
        _cli_pass_store = credential_helpers.PassStore(store_dir / "store").start()
        atexit.register(shutil.rmtree, store_dir, True)
        atexit.register(_cli_pass_store.close)
    return _cli_pass_store.environment()


def docker_cli(
    *args: str,
    check: bool = True,
    host: str | None = None,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = CLI_TIMEOUT_S,
) -> subprocess.CompletedProcess:
    """Run the real `docker` CLI as a user at a terminal would.

    Talks to `host` (default: the engine the tests use). With check=True a
    non-zero exit raises AssertionError carrying the CLI's stdout/stderr,
    which reads better in a test failure than CalledProcessError.
    """
    full_env = {
        **os.environ,
        "DOCKER_HOST": host or eh.engine_url(),
        "DOCKER_CONFIG": _cli_config(),
        **cli_credential_environment(),
    }
    full_env.update(env or {})
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, input=input, env=full_env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"docker {' '.join(args)} exited {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
        )
    return proc
