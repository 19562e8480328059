"""An engine typed in the Add engine dialog: its kind and address turned into a docker endpoint URL (each checked as
typed, with a sentence for what is wrong), and one diagnosis of it before it is kept as a docker context."""

from __future__ import annotations

import ipaddress
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gui.core.engine.connection import DEFAULT_UNIX_HOST, Diagnosis, Endpoint, diagnose
from gui.core.engine.context_writer import NewContext, check_tls_files

LOCAL, SSH, TLS, PLAIN = "local", "ssh", "tls", "plain"
KINDS = {
    LOCAL: "This computer's socket",
    SSH: "SSH (user@host[:port])",
    TLS: "TCP with TLS",
    PLAIN: "TCP without TLS",
}
PLACEHOLDERS = {
    LOCAL: DEFAULT_UNIX_HOST[len("unix://") :],
    SSH: "user@host or user@host:22",
    TLS: "host:2376",
    PLAIN: "host:2375",
}
DEFAULT_PORTS = {TLS: 2376, PLAIN: 2375}
PLAIN_WARNING = (
    "Without TLS, anyone on the network who can reach this port can run containers as root on that computer. Use "
    "it only on a network you trust, or choose TCP with TLS or SSH."
)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_USER = re.compile(r"^[A-Za-z0-9._][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class TypedEngine:
    kind: str
    address: str  # as typed, for this kind; "" for the local kind means the default socket
    ca: str = ""
    cert: str = ""
    key: str = ""

    def problem(self) -> str | None:
        """What is wrong with what is typed, as a sentence, or None."""
        return address_problem(self.kind, self.address) or self.tls_problem()

    def tls_problem(self) -> str | None:
        if self.kind != TLS:
            return None
        if not self.ca:
            return "Choose the CA certificate (ca.pem) that signed the engine's certificate."
        if bool(self.cert) != bool(self.key):
            return "Choose both the client certificate (cert.pem) and its key (key.pem), or neither."
        for path in (self.ca, self.cert, self.key):
            if path and not Path(path).is_absolute():
                return f"{path} is not a full path: choose the file with Browse…"
        return None

    def host(self) -> str:
        """The docker endpoint's URL (call it when problem() is None)."""
        return host_url(self.kind, self.address)

    @property
    def tls_files(self) -> tuple[str, str, str]:
        return (self.ca, self.cert, self.key) if self.kind == TLS else ("", "", "")


def _strip_scheme(address: str, scheme: str) -> str:
    return address[len(scheme) :] if address.lower().startswith(scheme) else address


def _split_port(text: str) -> tuple[str, str | None]:
    """host and port of "host", "host:port", "[v6]" or "[v6]:port"."""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        return host, (rest[1:] if rest.startswith(":") else rest or None)
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        return host, port
    return text, None


def _host_problem(host: str) -> str | None:
    if not host:
        return "Enter the engine's computer: a host name or an IP address."
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if _HOST_NAME.match(host):
        return None
    return f"'{host}' is not a host name or an IP address."


def _port_problem(port: str | None) -> str | None:
    if port is None:
        return None
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"'{port}' is not a port: use a number from 1 to 65535."
    return None


def address_problem(kind: str, address: str) -> str | None:
    address = address.strip()
    if kind == LOCAL:
        path = _strip_scheme(address, "unix://") or PLACEHOLDERS[LOCAL]
        return None if path.startswith("/") else f"'{path}' is not a full path to a socket, such as /run/docker.sock."
    if kind == SSH:
        user, at, rest = _strip_scheme(address, "ssh://").rpartition("@")
        if at and not _USER.match(user):
            return f"'{user}' is not a user name."
        host, port = _split_port(rest)
        return _host_problem(host) or _port_problem(port)
    if kind in (TLS, PLAIN):
        host, port = _split_port(_strip_scheme(address, "tcp://"))
        return _host_problem(host) or _port_problem(port)
    return "Choose how Portside reaches the engine."


def host_url(kind: str, address: str) -> str:
    address = address.strip()
    if kind == LOCAL:
        return "unix://" + (_strip_scheme(address, "unix://") or PLACEHOLDERS[LOCAL])
    if kind == SSH:
        return "ssh://" + _strip_scheme(address, "ssh://")
    host, port = _split_port(_strip_scheme(address, "tcp://"))
    shown = f"[{host}]" if ":" in host else host
    return f"tcp://{shown}:{port or DEFAULT_PORTS[kind]}"


def diagnose_typed(engine: TypedEngine, name: str = "") -> Diagnosis:
    """One full check of a typed engine, before it is a context (blocking: a worker's job). TLS files are copied
    under the docker CLI's names into a folder of their own for the check, as they will be in the context; files
    the docker CLI would refuse are refused first (ContextRefused)."""
    source = f"typed {name}".strip()
    if engine.kind != TLS:
        return diagnose(Endpoint(engine.host(), source))
    files = check_tls_files(NewContext("typed", engine.host(), "", *engine.tls_files))  # refused in a sentence
    with tempfile.TemporaryDirectory(prefix="portside-tls-") as folder:
        for file_name, data in files.items():
            (Path(folder) / file_name).write_bytes(data)
        return diagnose(Endpoint(engine.host(), source, tls=True, cert_path=folder))
