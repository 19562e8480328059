"""Which names and values are secrets, and masking them wherever Portside shows or writes text. No Qt.

A value is a secret when its variable's name says so (HF_TOKEN, GITHUBTOKEN, MY_PASS, db_password, apiKey…) or
when the value itself has the shape of one: a known token (ghp_…, github_pat_…, glpat-…, hf_…, sk-…, xoxb-…,
AKIA…), a JWT, a PEM private key, or a password inside a URL (postgres://app:pw@db/x, where only pw is masked).

Used to mask values in the Run dialog, command lines, inspect views and the log, and to keep secrets out of
generated Dockerfiles: a value written with ENV (or ARG) is stored in the image, where anyone who pulls it can
read it with `docker inspect` or `docker history`.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable
from typing import Any

__all__ = [
    "MASK",
    "RUN_ENV_LABEL",
    "forget_known",
    "is_secret",
    "is_secret_name",
    "is_secret_value",
    "mask_env",
    "mask_known",
    "mask_text",
    "masked_payload",
    "masked_value",
    "remember_secret",
    "secret_problem",
]

MASK = "••••••"

# The names (never the values) of the variables to give at `docker run`, kept as an image label by the
# Dockerfile wizard, so the Run dialog can ask for them.
RUN_ENV_LABEL = "io.portside.run-env"

# --- names ---------------------------------------------------------------------------------------------------

# Anywhere in a word part: GITHUBTOKEN is one part, and no harmless word hides these letters.
_STRONG_PARTS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "CREDENTIAL", "APIKEY", "PRIVATEKEY")
_WHOLE_PARTS = frozenset({"KEY", "KEYS", "TOKEN", "TOKENS", "PASS", "PWD", "PW", "AUTH", "AUTHORIZATION", "PRIVATE"})
_CREDS_PARTS = frozenset({"CREDS"})
# A part that ends with one of these is a secret (GITHUBTOKEN, DBPASS, OAUTH, DBPWD), except the words that just
# happen to end that way. KEY needs a known first half: MONKEY, TURKEY and HOTKEY are not secrets.
_SUFFIXES = ("TOKEN", "PASS", "PWD", "AUTH")
_NOT_SECRET_WORDS = frozenset(
    {"COMPASS", "BYPASS", "SURPASS", "TRESPASS", "OVERPASS", "UNDERPASS", "ENCOMPASS", "OLDPWD"}
)
_KEY_COMPOUND_RE = re.compile(
    r"(?:API|ACCESS|SECRET|PRIVATE|SSH|LICENSE|LICENCE|MASTER|SIGNING|ENCRYPTION|CLIENT|APP|SERVICE|SESSION"
    r"|DEPLOY|GPG|PGP|AES|HMAC|JWT|ADMIN|ROOT|AUTH)KEYS?"
)
# A name about a secret rather than one: MAX_TOKENS=512, PASSWORD_MIN_LENGTH=8, POSTGRES_PASSWORD_FILE=/run/…
# (a path), AUTH_TYPE=basic. Their values are still checked by shape.
_ABOUT_SECRET_PARTS = frozenset(
    {
        "MAX",
        "MIN",
        "NUM",
        "COUNT",
        "LIMIT",
        "LENGTH",
        "LEN",
        "SIZE",
        "TTL",
        "TIMEOUT",
        "EXPIRY",
        "EXPIRES",
        "EXPIRATION",
        "FILE",
        "PATH",
        "DIR",
        "ENABLED",
        "DISABLED",
        "REQUIRED",
        "TYPE",
        "MODE",
        "METHOD",
        "URL",
        "HOST",
        "PORT",
        "USER",
        "USERNAME",
    }
)
_CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS_RE = re.compile(r"[^A-Za-z0-9]+")


def _parts(name: str) -> list[str]:
    """'apiKey' -> ['API', 'KEY']; 'db-password2' -> ['DB', 'PASSWORD']; 'GITHUBTOKEN' -> ['GITHUBTOKEN']."""
    spaced = _CAMEL_BOUNDARY_RE.sub("_", name)
    return [part.upper().rstrip("0123456789") for part in _SEPARATORS_RE.split(spaced) if part]


def _secret_part(part: str) -> bool:
    if not part or part in _NOT_SECRET_WORDS:
        return False
    if part in _WHOLE_PARTS or part in _CREDS_PARTS or any(word in part for word in _STRONG_PARTS):
        return True
    return part.endswith(_SUFFIXES) or _KEY_COMPOUND_RE.fullmatch(part) is not None


def is_secret_name(name: str) -> bool:
    """True when an environment variable's (or build argument's) name says its value is a secret."""
    parts = _parts(name)
    if any(part in _ABOUT_SECRET_PARTS for part in parts):
        return False
    return any(_secret_part(part) for part in parts)


# --- values ----------------------------------------------------------------------------------------------------

_EDGE = r"(?<![\w-])"  # a token starts a word: "task-…" holds no "sk-" token
_TOKEN_PATTERNS = (
    re.compile(_EDGE + r"gh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub classic and app tokens
    re.compile(_EDGE + r"github_pat_[A-Za-z0-9_]{22,}"),  # GitHub fine-grained
    re.compile(_EDGE + r"glpat-[A-Za-z0-9_-]{20,}"),  # GitLab
    re.compile(_EDGE + r"hf_[A-Za-z0-9]{30,}"),  # Hugging Face
    re.compile(_EDGE + r"sk-[A-Za-z0-9_-]{20,}"),  # OpenAI (sk-…, sk-proj-…), Anthropic (sk-ant-…)
    re.compile(_EDGE + r"xox[abpr]-[A-Za-z0-9-]{10,}"),  # Slack
    re.compile(_EDGE + r"pypi-[A-Za-z0-9_-]{40,}"),  # PyPI
    re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])"),  # AWS access key ids
    re.compile(_EDGE + r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),  # JWT: three base64url parts
)
# The body of a random token mixes at least two of upper case, lower case and digits: sk-learn-intro-course
# is a name, not a key.
_RANDOM_CHECKED = ("sk-", "hf_", "glpat-")
_PEM_RE = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----.*?(?:-----END (?P=kind)-----|\Z)", re.DOTALL
)
# scheme://user:password@host: only the password is masked, the rest still tells where the URL goes.
_URL_PASSWORD_RE = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*:)(?P<password>[^\s@/]+)(?P<at>@)")
# An HTTP header's credentials ("Authorization: Basic …", "Authorization: token …") and any Bearer token.
_BEARER_RE = re.compile(
    r"(?P<head>\b(?:(?:proxy-)?authorization:\s*(?:[A-Za-z]+\s+)?|bearer\s+))(?P<secret>[A-Za-z0-9._~+/=-]{8,})",
    re.IGNORECASE,
)
# NAME=value with a secret NAME, quoted as a shell writes it ('HF_TOKEN=a b') or bare (HF_TOKEN=abc).
_QUOTED_ASSIGNMENT_RE = re.compile(r"(?P<quote>['\"])(?P<name>-{0,2}[A-Za-z_][\w.-]*)=(?P<value>.*?)(?P=quote)")
_BARE_ASSIGNMENT_RE = re.compile(r"(?<![\w.-])(?P<name>-{0,2}[A-Za-z_][\w.-]*)=(?P<value>[^\s'\"&]+)")
# "password": "x" in JSON or a Python dict.
_KEY_VALUE_RE = re.compile(
    r"(?P<q>['\"])(?P<name>[\w.-]+)(?P=q)\s*:\s*(?P<vq>['\"])(?P<value>(?:\\.|(?!(?P=vq)).)*)(?P=vq)"
)


def _random_looking(token: str) -> bool:
    body = token.split("-", 1)[1] if token.startswith(("sk-", "glpat-")) else token[3:]
    classes = sum(bool(re.search(pattern, body)) for pattern in ("[A-Z]", "[a-z]", "[0-9]"))
    return classes >= 2


def _token_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in _TOKEN_PATTERNS:
        for match in pattern.finditer(text):
            token = match.group()
            if token.startswith(_RANDOM_CHECKED) and not _random_looking(token):
                continue
            spans.append(match.span())
    spans += [match.span() for match in _PEM_RE.finditer(text)]
    return spans


def is_secret_value(value: str) -> bool:
    """True when the value holds a known token shape, a JWT, a private key or a password inside a URL."""
    return bool(value) and (bool(_token_spans(value)) or _URL_PASSWORD_RE.search(value) is not None)


def is_secret(name: str, value: str) -> bool:
    """True when a variable named `name` holding `value` must be masked and never written in plain text."""
    return bool(value) and (is_secret_name(name) or is_secret_value(value))


# --- masking -----------------------------------------------------------------------------------------------------


def _mask_shapes(text: str) -> str:
    """Token shapes and PEM keys become MASK; a URL keeps everything but its password."""
    spans = sorted(_token_spans(text))
    if spans:
        pieces, last = [], 0
        for start, end in spans:
            if start < last:  # overlapping matches (a JWT inside a PEM block…): already masked
                last = max(last, end)
                continue
            pieces += [text[last:start], MASK]
            last = end
        text = "".join([*pieces, text[last:]])
    text = _URL_PASSWORD_RE.sub(lambda m: m["head"] + MASK + m["at"], text)
    return _BEARER_RE.sub(lambda m: m["head"] + (m["secret"] if m["secret"] == MASK else MASK), text)


def _masked_assignment(match: re.Match, build: Callable[[str], str]) -> str:
    name, value = match["name"], match["value"]
    if not value or not is_secret_name(name.lstrip("-")):
        return match.group()
    return build(name)


def mask_text(text: str) -> str:
    """Free text (a command line, a log line, an inspect field) with every secret it shows masked: token shapes,
    private keys, URL passwords, Bearer tokens, and the values of NAME=value and "name": "value" pairs whose
    name is a secret's."""
    if not text:
        return text
    text = _mask_shapes(text)
    text = _QUOTED_ASSIGNMENT_RE.sub(
        lambda m: _masked_assignment(m, lambda name: f"{m['quote']}{name}={MASK}{m['quote']}"), text
    )
    text = _BARE_ASSIGNMENT_RE.sub(lambda m: _masked_assignment(m, lambda name: f"{name}={MASK}"), text)
    return _KEY_VALUE_RE.sub(
        lambda m: _masked_assignment(m, lambda name: f"{m['q']}{name}{m['q']}: {m['vq']}{MASK}{m['vq']}"), text
    )


def masked_value(name: str, value: str) -> str:
    """The value to show for variable `name`: all of it masked when the name is a secret's, else only the secret
    parts it holds (postgres://app:pw@db/x -> postgres://app:••••••@db/x). Masked values become known to the log
    filter (mask_known)."""
    # An empty value is shown as empty: "it is unset" is useful and not secret.
    if not value:
        return value
    if is_secret_name(name):
        remember_secret(value)
        return MASK
    masked = _mask_shapes(value)
    if masked != value:  # the log learns the secret parts only: the rest of a URL still tells where it goes
        for start, end in _token_spans(value):
            remember_secret(value[start:end])
        for match in _URL_PASSWORD_RE.finditer(value):
            remember_secret(match["password"])
    return masked


def mask_env(entry: str) -> str:
    """'API_TOKEN=abc' -> 'API_TOKEN=••••••'; other entries come back with only their secret parts masked."""
    name, sep, value = entry.partition("=")
    return f"{name}{sep}{masked_value(name, value)}" if sep else entry


def masked_payload(payload: Any) -> Any:
    """A deep copy of an inspect payload with secrets masked: "Env" lists and "Labels" by name and value, every
    other string by value (a token in Cmd, a URL with a password in a label)."""
    return _masked_node(copy.deepcopy(payload))


def _masked_node(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Env" and isinstance(value, list):
                node[key] = [mask_env(entry) if isinstance(entry, str) else entry for entry in value]
            elif key == "Labels" and isinstance(value, dict):
                node[key] = {
                    label: masked_value(str(label), text) if isinstance(text, str) else _masked_node(text)
                    for label, text in value.items()
                }
            else:
                node[key] = _masked_node(value)
        return node
    if isinstance(node, list):
        return [_masked_node(item) for item in node]
    return _mask_shapes(node) if isinstance(node, str) else node


# --- values Portside has seen, for the log ----------------------------------------------------------------------

_KNOWN_LIMIT = 256  # the most recent ones; an old secret still matches every shape rule
_KNOWN_MIN_LENGTH = 4  # masking "a" or "no" everywhere would garble the log and hide nothing
_known: dict[str, None] = {}  # ordered: the oldest is dropped first
_known_lock = threading.Lock()


def remember_secret(value: str) -> None:
    """Makes mask_known() hide `value` wherever it appears (a password typed at sign-in, a secret variable)."""
    if len(value) < _KNOWN_MIN_LENGTH:
        return
    with _known_lock:
        _known.pop(value, None)
        _known[value] = None
        while len(_known) > _KNOWN_LIMIT:
            del _known[next(iter(_known))]


def mask_known(text: str) -> str:
    """`text` with every value given to remember_secret() replaced by MASK (the longest first)."""
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return text


def forget_known() -> None:
    """Forgets every value given to remember_secret() (tests start from a clean slate)."""
    with _known_lock:
        _known.clear()


def secret_problem(name: str) -> str | None:
    """Why `name` must not be given a value in a Dockerfile, or None when it looks harmless."""
    if not is_secret_name(name):
        return None
    return (
        f"{name} looks like a secret. A value set with ENV is stored in the image, and anyone who gets "
        f"the image can read it with docker inspect or docker history. Leave the value out: Portside asks "
        f"for {name} when you run the container (docker run -e {name}=...)."
    )
