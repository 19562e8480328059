"""tests.fakes.secret_forms: the scan finds a password in each form a file can hold it, and nothing else."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from tests.fakes.secret_forms import leaks, secret_forms, text_leaks

PASSWORD = 'p@ss w/rd+"é??>'  # base64 writes + and / and pads it; URLs and JSON escape it
USER = "alice"


def test_every_form_is_listed():
    forms = secret_forms(PASSWORD, USER)
    assert forms["raw"] == PASSWORD.encode()
    login = f"{USER}:{PASSWORD}".encode()
    assert forms["base64 of user:password"] == base64.b64encode(login)
    assert forms["base64 of user:password, unpadded"] == base64.b64encode(login).rstrip(b"=")
    assert forms["urlsafe base64 of user:password"] == base64.urlsafe_b64encode(login)
    assert forms["base64 of the password"] == base64.b64encode(PASSWORD.encode())
    assert forms["urlsafe base64 of the password, unpadded"] == base64.urlsafe_b64encode(PASSWORD.encode()).rstrip(b"=")
    assert forms["URL-encoded"] == quote(PASSWORD, safe="").encode()
    assert forms["JSON-escaped"] == json.dumps(PASSWORD)[1:-1].encode()


def test_forms_that_are_the_same_bytes_are_listed_once():
    forms = secret_forms("plain123")  # nothing to escape or quote: the URL and JSON forms are the raw one
    assert list(forms.values()).count(b"plain123") == 1
    assert "URL-encoded" not in forms and "base64 of user:password" not in forms


@pytest.mark.parametrize(
    "written",
    [
        PASSWORD,
        json.dumps({"password": PASSWORD}),
        json.dumps({"auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}),
        base64.urlsafe_b64encode(f"{USER}:{PASSWORD}".encode()).decode().rstrip("="),
        base64.b64encode(PASSWORD.encode()).decode(),
        f"https://{USER}:{quote(PASSWORD, safe='')}@registry.example.com/",
    ],
    ids=["raw", "json", "docker-auth", "urlsafe-unpadded-login", "base64-password", "url"],
)
def test_each_form_is_found_in_a_file(tmp_path, written):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "settings.json").write_text(written, encoding="utf-8")
    (tmp_path / "clean.txt").write_text("nothing here")
    found = leaks([tmp_path], PASSWORD, USER)
    assert found and all(line.startswith(str(tmp_path / "sub" / "settings.json")) for line in found)
    assert leaks([tmp_path / "sub" / "settings.json"], PASSWORD, USER) == found  # a file is scanned as given
    assert leaks([tmp_path / "clean.txt"], PASSWORD, USER) == []


def test_nothing_is_found_where_the_password_is_not():
    assert text_leaks("user alice signed in; password ••••••", PASSWORD, USER) == []
    assert text_leaks(base64.b64encode(b"alice:other"), PASSWORD, USER) == []
