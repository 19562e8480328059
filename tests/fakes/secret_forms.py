"""Every form a password can take in a file, for the "no secret in plain text" scans.

A password leaks as much in base64 (docker's config.json "auth" is base64 of user:password), in a URL
(percent-encoded) or in JSON (escaped) as in the clear. secret_forms() lists each form as bytes; leaks() scans
files and text for any of them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus


def _base64_forms(label: str, data: bytes) -> dict[str, bytes]:
    standard, urlsafe = base64.b64encode(data), base64.urlsafe_b64encode(data)
    return {
        f"base64 of {label}": standard,
        f"base64 of {label}, unpadded": standard.rstrip(b"="),
        f"urlsafe base64 of {label}": urlsafe,
        f"urlsafe base64 of {label}, unpadded": urlsafe.rstrip(b"="),
    }


def secret_forms(secret: str, username: str | None = None) -> dict[str, bytes]:
    """Form name -> the bytes a file would hold: raw, base64 of the password and of user:password (standard and
    urlsafe, padded and not), URL-encoded, JSON-escaped. Forms that come out the same bytes are listed once."""
    forms = {"raw": secret.encode()}
    forms |= _base64_forms("the password", secret.encode())
    if username is not None:
        forms |= _base64_forms("user:password", f"{username}:{secret}".encode())
    forms |= {
        "URL-encoded": quote(secret, safe="").encode(),
        "URL-encoded (form)": quote_plus(secret).encode(),
        "JSON-escaped": json.dumps(secret)[1:-1].encode(),
        "JSON-escaped (non-ASCII kept)": json.dumps(secret, ensure_ascii=False)[1:-1].encode(),
    }
    unique: dict[str, bytes] = {}
    for name, form in forms.items():
        if form and form not in unique.values():
            unique[name] = form
    return unique


def text_leaks(data: bytes | str, secret: str, username: str | None = None) -> list[str]:
    """The names of the forms of `secret` found in `data`."""
    data = data.encode() if isinstance(data, str) else data
    return [name for name, form in secret_forms(secret, username).items() if form in data]


def files_under(places: Iterable[Path]) -> list[Path]:
    """The files under each folder of `places`, and each file of `places` itself."""
    found = []
    for place in map(Path, places):
        found += [place] if place.is_file() else [path for path in place.rglob("*") if path.is_file()]
    return sorted(found)


def leaks(places: Iterable[Path], secret: str, username: str | None = None) -> list[str]:
    """'path: form' for every file in or under `places` that holds the secret in any form; [] when none does."""
    return [
        f"{path}: {name}" for path in files_under(places) for name in text_leaks(path.read_bytes(), secret, username)
    ]
