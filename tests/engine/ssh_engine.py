"""A real sshd on 127.0.0.1:<free port> in front of the shared engine: ssh://root@127.0.0.1:PORT, as a docker context
for a remote computer would name it. The remote side runs `docker system dial-stdio` (the docker CLI), which talks
to the shared engine's socket.

Plain Python, no fixtures; the `ssh_engine` fixture in conftest.py wraps SshEngine.

Everything lives in one folder: the server's host key and config, key authentication only, for root only, with a
fresh key. The client side is the real `ssh` program, as Portside runs it (and the docker CLI): it reads the user's
~/.ssh, which a test must leave alone, so each client "profile" is a folder holding an `ssh` that runs the real one
with `-F <its own config>`; putting that folder first on PATH picks the profile:
- `good`: the right key, the server's host key known;
- `unknown_host`: the right key, no host key known (ssh refuses: the sentence must show the fingerprint);
- `refused_key`: the host key known, a key the server does not accept.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.engine import engine_helpers as eh
from tests.engine import processes
from tests.engine.tls_engine import free_port

SSHD = "/usr/sbin/sshd"


class MissingTool(RuntimeError):
    pass


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path.with_suffix(".pub").read_text().strip()


class SshEngine:
    """.host ('ssh://root@127.0.0.1:PORT'), .path_for(profile) (a PATH with that profile's ssh first),
    .profile(name) (the same, for a block), .host_key_fingerprint ('SHA256:…', as ssh prints it), .logins(),
    .start(), .destroy()."""

    def __init__(self) -> None:
        for tool in (SSHD, "ssh", "ssh-keygen", "docker"):
            if not shutil.which(tool):
                raise MissingTool(f"{tool} is not installed (apt-get install openssh-server openssh-client)")
        self.port = free_port()
        self.host = f"ssh://root@127.0.0.1:{self.port}"
        self.root = Path(tempfile.mkdtemp(prefix="pss-", dir="/tmp"))
        self.log_path = self.root / "sshd.log"
        self._proc: subprocess.Popen | None = None
        self.host_key_fingerprint = ""

    def start(self) -> SshEngine:
        host_key = self.root / "host_ed25519"
        host_pub = _keygen(host_key)
        self.host_key_fingerprint = subprocess.run(
            ["ssh-keygen", "-l", "-E", "sha256", "-f", f"{host_key}.pub"], capture_output=True, text=True, check=True
        ).stdout.split()[1]
        authorized = _keygen(self.root / "client_key")
        _keygen(self.root / "stranger_key")
        (self.root / "authorized_keys").write_text(authorized + "\n")
        (self.root / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_pub}\n")
        (self.root / "no_known_hosts").write_text("")
        config = self.root / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"ListenAddress 127.0.0.1:{self.port}",
                    f"HostKey {host_key}",
                    f"PidFile {self.root / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.root / 'authorized_keys'}",
                    "PermitRootLogin prohibit-password",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",  # the folder is /tmp's, not root's home
                    # The remote docker CLI talks to the shared engine, whatever context root's ~/.docker names.
                    f"SetEnv DOCKER_HOST={eh.engine_url()}",
                    "LogLevel VERBOSE",
                ]
            )
            + "\n"
        )
        for profile, key, known in (
            ("good", "client_key", "known_hosts"),
            ("unknown_host", "client_key", "no_known_hosts"),
            ("refused_key", "stranger_key", "known_hosts"),
        ):
            self._client_profile(profile, self.root / key, self.root / known)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not eh.wait_until(lambda: self._answers() or self._proc.poll() is not None, 20) or self._proc.poll():
            raise RuntimeError(f"sshd did not start\n{processes.tail(self.log_path)}")
        return self

    def _client_profile(self, profile: str, key: Path, known_hosts: Path) -> None:
        folder = self.root / profile
        folder.mkdir()
        config = folder / "ssh_config"
        config.write_text(
            "Host *\n"
            f"  IdentityFile {key}\n"
            "  IdentitiesOnly yes\n"
            "  IdentityAgent none\n"
            f"  UserKnownHostsFile {known_hosts}\n"
            "  GlobalKnownHostsFile /dev/null\n"
            "  StrictHostKeyChecking yes\n"
            "  BatchMode yes\n"
            "  LogLevel ERROR\n"
        )
        wrapper = folder / "ssh"
        wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("ssh")} -F {config} "$@"\n')
        wrapper.chmod(0o755)

    def _answers(self) -> bool:
        done = subprocess.run(
            [str(self.root / "good" / "ssh"), "-p", str(self.port), "root@127.0.0.1", "true"],
            capture_output=True,
            timeout=20,
        )
        return done.returncode == 0

    def path_for(self, profile: str = "good") -> str:
        return os.pathsep.join([str(self.root / profile), os.environ.get("PATH", os.defpath)])

    @contextlib.contextmanager
    def profile(self, name: str = "good") -> Iterator[None]:
        """Run the block with `name`'s ssh first on PATH (docker-py's ssh and Portside's probe both find it)."""
        before = os.environ.get("PATH", "")
        os.environ["PATH"] = self.path_for(name)
        try:
            yield
        finally:
            os.environ["PATH"] = before

    def logins(self) -> int:
        """How many times a client has logged in so far (sshd's log, LogLevel VERBOSE)."""
        return self.log_path.read_text(errors="replace").count("Accepted publickey for")

    def log_tail(self, limit: int = 8000) -> str:
        return processes.tail(self.log_path, limit)

    def destroy(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            processes.stop_process(self._proc, 10)
        # Sessions still open (an ssh of docker-py's that outlived its client) belong to sshd's children.
        for pid in processes.pids_mentioning(str(self.root)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        shutil.rmtree(self.root, ignore_errors=True)
