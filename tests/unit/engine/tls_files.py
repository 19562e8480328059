"""TLS files as an engine's administrator hands them out (a CA, a client certificate it signed, the client's key),
made by the openssl CLI for the tests that write docker contexts."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.unavailable import unavailable

EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]  # quick to make, unlike RSA


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path
    key: Path
    other_key: Path  # a key of another certificate


def make_tls_files(folder: Path) -> TlsFiles:
    openssl = shutil.which("openssl")
    if openssl is None:
        unavailable("the openssl CLI is not installed (apt-get install openssl)")
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=folder, check=True, capture_output=True, timeout=60)

    run("req", "-x509", *EC_KEY, "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test CA")
    run("req", *EC_KEY, "-keyout", "key.pem", "-out", "client.csr", "-subj", "/CN=client")
    signed_by_ca = ["-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial"]
    run("x509", "-req", "-in", "client.csr", *signed_by_ca, "-out", "cert.pem", "-days", "2")
    run("req", "-x509", *EC_KEY, "-keyout", "other-key.pem", "-out", "other.pem", "-days", "2", "-subj", "/CN=other")
    return TlsFiles(folder / "ca.pem", folder / "cert.pem", folder / "key.pem", folder / "other-key.pem")
