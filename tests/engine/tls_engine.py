"""A second dockerd that listens on tcp://127.0.0.1:PORT with --tlsverify, and the certificates it needs.

Plain Python, no fixtures; the `tls_engine` fixture in conftest.py wraps TlsEngine. The certificates are made with
the `cryptography` package (paramiko, which docker-py's ssh support needs, brings it): a CA, the engine's certificate
for 127.0.0.1 and localhost, and three client folders in the docker CLI's layout (ca.pem, cert.pem, key.pem):
`good`, `expired` (a client certificate that ran out yesterday) and `wrong_ca` (a CA and a client certificate
that have nothing to do with the engine's).
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import socket
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.engine import engine_helpers as eh
from tests.engine.private_engine import PrivateDockerd

DAY = datetime.timedelta(days=1)
_CA_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


class _Authority:
    def __init__(self, name: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.UTC)
        self.cert = (
            self._builder(self.name, self.key, now - DAY, now + 30 * DAY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(_CA_USAGE, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
            .sign(self.key, hashes.SHA256())
        )

    def _builder(self, subject, key, begins, ends) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(begins)
            .not_valid_after(ends)
        )

    def issue(self, folder: Path, name: str, *, server: bool = False, expired: bool = False) -> None:
        """cert.pem and key.pem (and this CA as ca.pem) in `folder`, the docker CLI's layout."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        begins, ends = (now - 30 * DAY, now - DAY) if expired else (now - DAY, now + 30 * DAY)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        # Python 3.13's ssl checks strictly (VERIFY_X509_STRICT): key identifiers and key usage as RFC 5280 asks.
        builder = (
            self._builder(subject, key, begins, ends)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
        )
        if server:
            names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ca.pem").write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (folder / "key.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        (folder / "key.pem").chmod(0o600)


def make_certificates(root: Path) -> dict[str, Path]:
    """{'server', 'good', 'expired', 'wrong_ca'} -> folders holding ca.pem, cert.pem, key.pem."""
    ca, stranger = _Authority("Portside test CA"), _Authority("Some other CA")
    folders = {name: root / name for name in ("server", "good", "expired", "wrong_ca")}
    ca.issue(folders["server"], "127.0.0.1", server=True)
    ca.issue(folders["good"], "portside-client")
    ca.issue(folders["expired"], "portside-client", expired=True)
    stranger.issue(folders["wrong_ca"], "portside-client")
    return folders


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TlsEngine:
    """A private dockerd (its own data root, exec root and bridge) that also listens on tcp://127.0.0.1:PORT with
    --tlsverify: .host ('tcp://127.0.0.1:PORT'), .certs[name] (client folders), .endpoint(name), .daemon."""

    def __init__(self) -> None:
        self.port = free_port()
        self.host = f"tcp://127.0.0.1:{self.port}"
        self.daemon: PrivateDockerd | None = None
        self.certs: dict[str, Path] = {}

    def start(self) -> TlsEngine:
        server = None
        daemon = PrivateDockerd()
        self.daemon = daemon
        self.certs = make_certificates(daemon.root / "certs")
        server = self.certs["server"]
        daemon.extra_args = (
            "--tlsverify",
            f"--tlscacert={server / 'ca.pem'}",
            f"--tlscert={server / 'cert.pem'}",
            f"--tlskey={server / 'key.pem'}",
            f"--host={self.host}",
        )
        daemon.start()
        if not eh.wait_until(self._listening, 30):
            raise RuntimeError(f"the TLS dockerd does not listen on {self.host}\n{daemon.log_tail()}")
        return self

    def _listening(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True
        return False

    def endpoint(self, certs: str = "good"):
        """Portside's Endpoint for this engine with one of the client folders, as DOCKER_HOST +
        DOCKER_TLS_VERIFY=1 + DOCKER_CERT_PATH would give it."""
        from gui.core.engine.connection import Endpoint

        return Endpoint(self.host, "DOCKER_HOST", tls=True, cert_path=str(self.certs[certs]))

    def destroy(self) -> None:
        if self.daemon is not None:
            self.daemon.destroy()
