"""A remote engine's failures (ssh://, tcp:// with TLS) as plain sentences that say what to do next.

The words come from three places: `ssh`'s own messages on stderr (the probe runs it with BatchMode, so it never
asks), Python's ssl module (what this side found wrong with the engine's certificate) and the TLS alert the engine
sent back (what it found wrong with ours). Pure text work: the probe in `connection` gathers the facts.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse


def host_key_fingerprint(key_line: str) -> str | None:
    """'SHA256:…' of a public host key, as `ssh` and `ssh-keygen -l` print it, from a line of `ssh-keyscan` or
    known_hosts ('[host]:port ssh-ed25519 AAAA…'); None when the line holds no key."""
    for word in key_line.split():
        if word.startswith("AAAA"):
            try:
                blob = base64.b64decode(word, validate=True)
            except ValueError:
                return None
            return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return None


def unknown_host_key_type(ssh_stderr: str) -> str | None:
    """The key type ssh wanted ('ssh-ed25519') when it knows no host key for the server, else None."""
    match = re.search(r"No (\S+) host key is known for", ssh_stderr)
    if match:
        kind = match.group(1).lower()
        return {"ed25519": "ssh-ed25519", "rsa": "ssh-rsa", "ecdsa": "ecdsa-sha2-nistp256"}.get(kind, kind)
    return "" if "host key verification failed" in ssh_stderr.lower() else None


def _ssh_place(host_url: str) -> tuple[str, str, str]:
    """('root@server', 'ssh -p 2222 root@server', 'ssh-keyscan -p 2222 server') for ssh://root@server:2222."""
    parsed = urlparse(host_url)
    name = parsed.hostname or "the server"
    dest = f"{parsed.username}@{name}" if parsed.username else name
    port = f"-p {parsed.port} " if parsed.port else ""
    return dest, f"ssh {port}{dest}", f"ssh-keyscan {port}{name} >> ~/.ssh/known_hosts"


def ssh_sentence(host_url: str, stderr: str, fingerprint: str | None = None) -> str:
    """What went wrong reaching the engine over SSH, from ssh's stderr (and the server's host key fingerprint when
    ssh did not know it). Always a sentence: an unknown message is quoted."""
    dest, login, keyscan = _ssh_place(host_url)
    text = stderr.strip()
    lowered = text.lower()
    if "remote host identification has changed" in lowered:
        return (
            f"The SSH host key of {dest} has changed since you last connected: the server was reinstalled, or "
            "someone is in between. Ask the server's owner; when the new key is right, remove the old one "
            f"(ssh-keygen -R {urlparse(host_url).hostname}) and connect again."
        )
    if unknown_host_key_type(text) is not None:
        seen = f" Its fingerprint is {fingerprint}." if fingerprint else ""
        return (
            f"This computer does not know the SSH host key of {dest} yet, so Portside did not connect.{seen} If the "
            f"server's owner confirms that fingerprint, trust it by connecting once in a terminal ({login}, answer "
            f"yes) or with {keyscan}, then try again."
        )
    if "permission denied" in lowered and ("publickey" in lowered or "password" in lowered):
        return (
            f"{dest} refused your SSH key. Add your public key to the server's ~/.ssh/authorized_keys "
            f"(ssh-copy-id {dest}), or load the right key into your SSH agent (ssh-add), then try again."
        )
    if any(words in lowered for words in ("connection refused", "timed out", "no route to host", "could not resolve")):
        return unreachable_sentence(host_url, text)
    if "command not found" in lowered or "docker: not found" in lowered:
        return f"{dest} has no docker command. Install Docker on that computer, then try again."
    if "permission denied" in lowered and "docker" in lowered:
        return (
            f"The account {dest} may not use Docker on that computer. Add it to the docker group there "
            "(sudo usermod -aG docker USER, then log in again), or connect as another user."
        )
    if "cannot connect to the docker daemon" in lowered:
        return f"Docker is installed on {dest} but its engine is not running. Start it there, then try again."
    return f"Portside could not reach the engine over SSH ({login}): {text or 'ssh gave no reason'}."


def unreachable_sentence(host_url: str, detail: str = "") -> str:
    parsed = urlparse(host_url)
    where = f"{parsed.hostname}:{parsed.port}" if parsed.port else (parsed.hostname or host_url)
    if "could not resolve" in detail.lower() or "name or service not known" in detail.lower():
        return f"The name {parsed.hostname} is not known to this computer. Check the address of the engine."
    return (
        f"Nothing answers at {where}. Check that the computer is on and reachable, that the engine listens on that "
        "port, and that no firewall is in the way."
    )


def tls_sentence(host_url: str, text: str, cert_path: str | None = None) -> str | None:
    """A TLS failure between Portside and the engine as a sentence, or None when `text` is not one."""
    lowered = text.lower()
    folder = cert_path or "the context's TLS folder"
    hostname = urlparse(host_url).hostname or host_url
    if "mismatch" in lowered and ("hostname" in lowered or "ip address" in lowered or "not valid for" in lowered):
        return (
            f"The engine's certificate is not made out for {hostname}. Connect with the name the certificate was made "
            f"for, or make the engine a certificate that names {hostname}."
        )
    if "certificate verify failed" in lowered and "expired" in lowered:
        return f"The engine's certificate at {hostname} has expired. Renew it on that computer, then try again."
    if "certificate verify failed" in lowered:
        return (
            f"The engine at {hostname} showed a certificate that your CA certificate ({folder}/ca.pem) did not sign. "
            "Put the CA of that engine in the folder, then try again."
        )
    expired_on = _expired_on(cert_path)
    if any(alert in lowered for alert in ("alert certificate expired", "alert bad certificate", "alert unknown ca")):
        if expired_on:
            return (
                f"Your client certificate ({folder}/cert.pem) expired on {expired_on}, so the engine refused it. "
                "Get a new one from whoever runs the engine, then try again."
            )
        return (
            f"The engine at {hostname} refused your client certificate ({folder}/cert.pem): its CA did not sign it. "
            "Get a certificate from whoever runs the engine, then try again."
        )
    if "certificate required" in lowered:
        return (
            f"The engine at {hostname} asks for a client certificate and found none. Put cert.pem and key.pem in "
            f"{folder}, then try again."
        )
    if "wrong version number" in lowered or "record layer failure" in lowered:
        return (
            f"The engine at {hostname} does not speak TLS on that port. Check the port (2376 is TLS, 2375 plain), "
            "or turn TLS off for this engine."
        )
    return None


def _expired_on(cert_path: str | None) -> str | None:
    """The day the client certificate in `cert_path` expired, or None (not expired, unreadable, no folder)."""
    if not cert_path:
        return None
    try:
        from cryptography import x509  # comes with paramiko, which docker-py's ssh support needs

        cert = x509.load_pem_x509_certificate((Path(cert_path) / "cert.pem").read_bytes())
    except (ImportError, OSError, ValueError):
        return None
    ends = cert.not_valid_after_utc
    return ends.strftime("%Y-%m-%d") if ends < datetime.now(UTC) else None


def engine_too_old_sentence(server_api: str, needed: str) -> str:
    return (
        f"The engine speaks Docker API {server_api}; Portside needs {needed} (Docker 19.03) or newer to give GPUs "
        "to containers. Update Docker on that computer."
    )


def connection_sentence(text: str) -> str | None:
    """For errors.explain: a TLS refusal met in the middle of the work (a certificate that expired since the
    connection was made), else None. The address comes from requests' words: host='…', port=…."""
    host = re.search(r"host='([^']+)'(?:, port=(\d+))?", text)
    url = f"tcp://{host.group(1)}:{host.group(2) or 2376}" if host else "tcp://the-engine"
    sentence = tls_sentence(url, text)
    return sentence[:1].lower() + sentence[1:] if sentence else None
