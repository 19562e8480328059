"""Docker credential helpers for tests, put on PATH by the caller.

- install_script_helper(): a tiny docker-credential-<name> in Python speaking the helper protocol
  (store/get/erase/list on stdin/stdout), keeping its entries in a JSON file. Always available.
- PassStore: Debian's real docker-credential-pass with a throwaway GnuPG key and password store
  (packages pass, gnupg, golang-docker-credential-helpers). Entries are gpg-encrypted files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_SCRIPT = """\
#!{python}
# docker-credential-{name}: a test helper that keeps its entries in plain JSON ({store}).
import json, pathlib, sys
STORE = pathlib.Path({store!r})
NOT_FOUND = "credentials not found in native keychain"
data = json.loads(STORE.read_text()) if STORE.exists() else {{}}
command = sys.argv[1] if len(sys.argv) > 1 else ""
if command == "store":
    request = json.loads(sys.stdin.read())
    data[request["ServerURL"]] = [request["Username"], request["Secret"]]
    STORE.write_text(json.dumps(data))
elif command in ("get", "erase"):
    server = sys.stdin.read().strip()
    if server not in data:
        print(NOT_FOUND)
        sys.exit(1)
    if command == "get":
        print(json.dumps({{"ServerURL": server, "Username": data[server][0], "Secret": data[server][1]}}))
    else:
        del data[server]
        STORE.write_text(json.dumps(data))
elif command == "list":
    print(json.dumps({{server: entry[0] for server, entry in data.items()}}))
else:
    print("unknown command " + command)
    sys.exit(1)
"""


def install_script_helper(bin_dir: Path, name: str, store: Path) -> Path:
    """Writes bin_dir/docker-credential-<name>; its entries go to `store` (JSON)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    program = bin_dir / f"docker-credential-{name}"
    program.write_text(_SCRIPT.format(python=sys.executable, name=name, store=str(store)))
    program.chmod(0o755)
    return program


PASS_TOOLS = ("pass", "gpg", "gpgconf", "docker-credential-pass")


def pass_tools_missing() -> list[str]:
    return [tool for tool in PASS_TOOLS if shutil.which(tool) is None]


class PassStore:
    """A GnuPG home with one passphrase-less key, and `pass init` done in a store folder.
    .environment() gives GNUPGHOME and PASSWORD_STORE_DIR for the helper; .close() stops gpg-agent."""

    def __init__(self, store_dir: Path):
        # A short GnuPG home: gpg-agent's socket path must fit in 108 bytes, pytest's tmp paths may not.
        self.gnupg_home = Path(tempfile.mkdtemp(prefix="psgpg-"))
        self.store_dir = store_dir
        self.key = ""

    def environment(self) -> dict[str, str]:
        return {"GNUPGHOME": str(self.gnupg_home), "PASSWORD_STORE_DIR": str(self.store_dir)}

    def _run(self, *args: str) -> str:
        env = {**os.environ, **self.environment()}
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> PassStore:
        self._run(
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "Portside Test <test@portside.invalid>",
            "default",
            "default",
            "never",
        )
        listing = self._run("gpg", "--list-keys", "--with-colons")
        self.key = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
        self._run("pass", "init", self.key)
        return self

    def close(self) -> None:
        subprocess.run(
            ["gpgconf", "--kill", "gpg-agent"],
            env={**os.environ, **self.environment()},
            capture_output=True,
            timeout=30,
        )
        shutil.rmtree(self.gnupg_home, ignore_errors=True)
