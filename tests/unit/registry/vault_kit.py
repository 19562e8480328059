"""Shared pieces of the credential vault's tests: a registry, a secret, and docker config.json contents."""

from __future__ import annotations

import base64
import json

REGISTRY = "127.0.0.1:5000"
SECRET = "s3cret-Pa55word-do-not-leak"


def write_config(docker_dir, **config) -> bytes:
    """Writes docker's config.json (credsStore=, credHelpers=, auths=) into `docker_dir`; returns its bytes."""
    text = json.dumps(config).encode()
    (docker_dir / "config.json").write_bytes(text)
    return text


def plain_auth(username: str, secret: str) -> dict:
    """An "auths" entry as `docker login` writes it without a credential helper."""
    return {"auth": base64.b64encode(f"{username}:{secret}".encode()).decode()}


def helper_entries(store) -> dict:
    """What a script helper (tests/fakes/credential_helpers.py) keeps: server -> [user name, secret]."""
    return json.loads(store.read_text()) if store.exists() else {}
