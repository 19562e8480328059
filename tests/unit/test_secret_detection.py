"""gui.core.secrets: secrets found by name (word parts, any case and spelling) and by value (token shapes, JWTs,
private keys, passwords in URLs), and masked in free text. Table-driven: real-looking secrets and the harmless
names and values that look a little like them. (All tokens here are made up.)"""

from __future__ import annotations

import pytest

from gui.core.secrets import (
    _KNOWN_LIMIT,
    MASK,
    is_secret,
    is_secret_name,
    is_secret_value,
    mask_env,
    mask_known,
    mask_text,
    masked_payload,
    masked_value,
    remember_secret,
)

# --- names -------------------------------------------------------------------------------------------------------

SECRET_NAMES = [
    # Found: missed when only whole words counted.
    "GITHUBTOKEN",
    "MY_PASS",
    "PWD",
    "DB_PWD",
    "AUTH_HEADER",
    "PRIVATE_KEY",
    "OAUTH",
    "BASICAUTH",
    "dbpass",
    "HFToken",
    "gitlabToken",
    "SLACKBOTTOKEN",
    "CREDS",
    # Always caught.
    "db_password",
    "HF_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "API_KEY",
    "APIKEY",
    "apiKey",
    "api-key",
    "CREDENTIALS",
    "GOOGLE_CREDENTIALS",
    "OPENAI_API_KEY",
    "PASSWD",
    "DB_PASSWORD2",
    "SECRET_KEY_BASE",
    "client_secret",
    "SSH_PASSPHRASE",
    "ACCESSKEY",
    "SSHKEY",
    "KEY",
    "TOKENS",
    "AUTHORIZATION",
    "x-auth-token",
    "MYSQL_ROOT_PASSWORD",
    "REDIS_PASS",
    "DB_PW",
    "HF_TOKEN2",  # a trailing number is not part of the word
    "API_KEY_2",
    "DB_PASS1",
]

# Harmless, though they contain a secret's letters: decided here, so a change is a choice, not an accident.
HARMLESS_NAMES = [
    "KEYBOARD_LAYOUT",  # KEY only as a whole part, or with a known first half (APIKEY, SSHKEY)
    "MONKEY",
    "TURKEY_MODE",
    "HOTKEY",
    "XKEY",
    "KEYSPACE",
    "TOKENIZERS_PARALLELISM",  # Hugging Face's: TOKEN must end the part
    "TOKENIZER_PATH",
    "MAX_TOKENS",  # a count of tokens (LLM servers), not a token
    "MAX_NEW_TOKENS",
    "PASSWORD_MIN_LENGTH",  # a rule about passwords
    "POSTGRES_PASSWORD_FILE",  # a path to the secret, the Docker convention
    "AUTH_TYPE",
    "TOKEN_TTL",
    "COMPASS_URL",
    "BYPASS_CACHE",
    "PASSENGER_APP_ENV",
    "AUTHOR",
    "AUTHORITY",
    "OLDPWD",  # the shell's previous folder
    "PASSIVE_MODE",
    "MODEL_NAME",
    "PATH",
    "PORT",
    "HOME",
    "",
]


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_secret_names(name):
    assert is_secret_name(name)
    assert masked_value(name, "anything") == MASK
    assert mask_text(f"docker run -e {name}=anything app") == f"docker run -e {name}={MASK} app"


@pytest.mark.parametrize("name", HARMLESS_NAMES)
def test_harmless_names(name):
    assert not is_secret_name(name)
    assert masked_value(name, "plain value") == "plain value"
    if name:
        assert mask_text(f"docker run -e {name}=plain app") == f"docker run -e {name}=plain app"


# --- values ------------------------------------------------------------------------------------------------------

GITHUB = "ghp_R4nd0mL00k1ngT0k3nW1thDigits0123456"
TOKENS = {
    "github classic": GITHUB,
    "github oauth": "gho_16C7e42F292c6912E7710c838347Ae178B4a",
    "github fine-grained": "github_pat_11ABCDEFG0abcdefghijkl_MNOPQRSTUVwxyz0123456789abcdefghijklmnopqrstuvwxyz01",
    "gitlab": "glpat-Xy9zAbCdEfGh12345678",
    "hugging face": "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567",
    "openai": "sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ABCDEFGH",
    "openai project": "sk-proj-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv",
    "anthropic": "sk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv-AbCd",
    "slack bot": "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "slack user": "xoxp-1234567890-0987654321-abcdef",
    "aws access key id": "AKIAIOSFODNN7EXAMPLE",
    "aws temporary key id": "ASIAY34FZKBOKMUTVV7A",
    "gitlab, a dash in its body": "glpat-Xy9zAbCdEfGh-ijklmnopqr",
    # The body mixes any two of upper case, lower case and digits, wherever they are.
    "hugging face, letters only": "hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf",
    "hugging face, lower case and digits": "hf_abcdefghijklmnopqrstuvwxyz01234567",
    "hugging face, one capital first": "hf_Qbcdefghijklmnopqrstuvwxyzabcdefgh",
    "openai, upper case and digits": "sk-ABCDEFGHIJ0123456789KLMNOP",
    "pypi": "pypi-AgEIcHlwaS5vcmcCJGU3YjA4MjM5LTM1ZGEtNGZmMy05ZjU3LTE",
    "jwt": (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    ),
    "pem rsa": "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\nabc+/=\n-----END RSA PRIVATE KEY-----",
    "pem pkcs8": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----",
    "pem openssh": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
    "pem encrypted, cut short": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkq",
}

URLS = [  # (value, masked): only the password goes
    ("postgres://app:s3cr3t@db:5432/x", f"postgres://app:{MASK}@db:5432/x"),
    ("mysql+pymysql://root:hunter2@127.0.0.1/shop", f"mysql+pymysql://root:{MASK}@127.0.0.1/shop"),
    ("redis://:p%40ss@cache:6379/0", f"redis://:{MASK}@cache:6379/0"),
    ("https://oauth2:glpat-xyz@gitlab.example.com/g/r.git", f"https://oauth2:{MASK}@gitlab.example.com/g/r.git"),
    ("amqp://guest:guest@rabbit//", f"amqp://guest:{MASK}@rabbit//"),
]

HARMLESS_VALUES = [
    "sk-learn-intro-course-materials",  # words, not a random key
    "glpat-XXXXXXXXXXXXXXXXXXXX",  # a placeholder in a README, not a key
    "sk-xxxxxxxxxxxxxxxxxxxxxxxx",
    "task-runner-abcdefghijklmnopqrstuvwxyz",  # sk- inside a word
    "hf_transfer",
    "ghp_short",
    "disk-AbCdEfGhIjKlMnOpQrStUvWxYz0123",
    "AKIAIOSFODNN7EXAMPLEXYZ",  # too long to be a key id
    "https://user@registry.example.com/v2/",  # a user, no password
    "http://localhost:8080/path@v2",  # an @ in the path
    "postgres://db:5432/x",
    "python:3.12-slim",
    "sha256:4f9c0c1a2e1b5d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e",
    "3f2a1b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b",
    "d6cd1e2bd19e03a81132a23b2025920577f84e37",  # a git commit
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----",
    "eyJhbGciOiJIUzI1NiJ9",  # one part of a JWT is not a JWT
    "www.example.com",
    "llama-3-8b-instruct",
    "true",
    "",
]


@pytest.mark.parametrize("token", TOKENS.values(), ids=TOKENS.keys())
def test_token_shapes_are_secret_values(token):
    assert is_secret_value(token)
    assert is_secret("SOME_SETTING", token)
    assert masked_value("SOME_SETTING", token) == MASK
    if "-----END" in token or not token.startswith("-----"):
        assert mask_text(f"run with {token} now") == f"run with {MASK} now"
    else:  # a key cut short: everything after its start may be key, so all of it is masked
        assert mask_text(f"run with {token} now") == f"run with {MASK}"


@pytest.mark.parametrize("value, masked", URLS)
def test_a_password_in_a_url_is_masked_alone(value, masked):
    assert is_secret_value(value) and is_secret("DATABASE_URL", value)
    assert masked_value("DATABASE_URL", value) == masked
    assert mask_env(f"DATABASE_URL={value}") == f"DATABASE_URL={masked}"


@pytest.mark.parametrize("value", HARMLESS_VALUES)
def test_harmless_values(value):
    assert not is_secret_value(value)
    assert not is_secret("SOME_SETTING", value)
    assert masked_value("SOME_SETTING", value) == value
    assert mask_text(value) == value


def test_an_empty_value_is_never_a_secret():
    assert not is_secret("HF_TOKEN", "") and masked_value("HF_TOKEN", "") == ""


# --- free text: command lines, log lines, JSON -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, masked",
    [
        ("docker run -e HF_TOKEN=abc123 -e MODE=fast app", f"docker run -e HF_TOKEN={MASK} -e MODE=fast app"),
        ("docker run -e 'DB_PASSWORD=a b c' app", f"docker run -e 'DB_PASSWORD={MASK}' app"),
        ("docker build --build-arg NPM_TOKEN=xyz .", f"docker build --build-arg NPM_TOKEN={MASK} ."),
        ("app --password=hunter2 --port=80", f"app --password={MASK} --port=80"),
        ('{"username": "bob", "password": "hunter2"}', f'{{"username": "bob", "password": "{MASK}"}}'),
        ("{'auth': 'Ym9iOmh1bnRlcjI='}", f"{{'auth': '{MASK}'}}"),
        ("Authorization: Bearer abc.def.ghi-123", f"Authorization: Bearer {MASK}"),
        ("Authorization: Basic Ym9iOmh1bnRlcjI=", f"Authorization: Basic {MASK}"),
        ("GET https://api.example.com/?token=abc123&page=2", f"GET https://api.example.com/?token={MASK}&page=2"),
        (f"git clone https://x:{GITHUB}@github.com/a/b", f"git clone https://x:{MASK}@github.com/a/b"),
        ("|1 HF_TOKEN=abc /bin/sh -c pip install x", f"|1 HF_TOKEN={MASK} /bin/sh -c pip install x"),
        ("MAX_TOKENS=512 TOKENIZERS_PARALLELISM=false", "MAX_TOKENS=512 TOKENIZERS_PARALLELISM=false"),
        ("pulled 3 layers in 2.1 s", "pulled 3 layers in 2.1 s"),
    ],
)
def test_mask_text(text, masked):
    assert mask_text(text) == masked


def test_every_token_in_a_line_is_masked_even_after_a_lookalike_or_inside_a_key():
    openai = TOKENS["openai"]
    line = f"pip install sk-learn-intro-course-materials; export OPENAI={openai}"
    assert mask_text(line) == f"pip install sk-learn-intro-course-materials; export OPENAI={MASK}"
    # A JWT-shaped line inside a private key, then a token after it: one mask for the key, one for the token.
    key = "-----BEGIN PRIVATE KEY-----\n" + TOKENS["jwt"] + "\n-----END PRIVATE KEY-----"
    assert mask_text(f"key {key} and {GITHUB} done") == f"key {MASK} and {MASK} done"
    assert masked_value("SETTINGS", f"{GITHUB},{TOKENS['gitlab']}") == f"{MASK},{MASK}"


def test_masked_payload_masks_env_and_labels_by_name_and_every_string_by_shape():
    payload = {
        "Config": {
            "Env": ["GITHUBTOKEN=abc", "DATABASE_URL=postgres://a:pw@db/x", "MODE=fast"],
            "Cmd": ["serve", "--token", GITHUB],
            "Labels": {"deploy.api_key": "k", "version": "1.0"},
        },
        "NetworkSettings": {"SandboxKey": "/var/run/docker/netns/abc"},  # a key name, but not a user's label
    }
    masked = masked_payload(payload)
    assert masked["Config"]["Env"] == [f"GITHUBTOKEN={MASK}", f"DATABASE_URL=postgres://a:{MASK}@db/x", "MODE=fast"]
    assert masked["Config"]["Cmd"] == ["serve", "--token", MASK]
    assert masked["Config"]["Labels"] == {"deploy.api_key": MASK, "version": "1.0"}
    assert masked["NetworkSettings"] == payload["NetworkSettings"]
    assert masked_payload({"Labels": {"replicas": 3, "tokens": [GITHUB]}}) == {
        "Labels": {"replicas": 3, "tokens": [MASK]}
    }
    assert payload["Config"]["Cmd"][2] == GITHUB  # a copy


def test_values_masked_once_are_known_to_the_log():
    assert masked_value("MY_PASS", "correct horse battery") == MASK
    assert mask_known("login with correct horse battery failed") == f"login with {MASK} failed"
    masked_value("DATABASE_URL", "postgres://app:Zz9-long-pw@db/x")
    assert mask_known("retrying with Zz9-long-pw") == f"retrying with {MASK}"
    remember_secret("abc")  # too short to mask everywhere: it would garble the log
    assert mask_known("abc def") == "abc def"


def test_a_four_character_secret_is_masked_in_the_log():
    remember_secret("pw12")
    assert mask_known("signing in with pw12") == f"signing in with {MASK}"


def test_a_secret_that_holds_another_is_masked_whole():
    remember_secret("zeta-pass")
    remember_secret("alpha-zeta-pass")
    assert mask_known("tried alpha-zeta-pass, then zeta-pass") == f"tried {MASK}, then {MASK}"


def test_the_log_keeps_masking_the_latest_secrets_and_one_seen_again():
    first = "first-secret-value"
    remember_secret(first)
    for number in range(1, _KNOWN_LIMIT):
        remember_secret(f"secret-number-{number}")
    assert mask_known(f"{first} secret-number-1") == f"{MASK} {MASK}"  # all of the latest _KNOWN_LIMIT
    remember_secret(first)  # used again: it is one of the latest once more
    remember_secret("one-more-secret")
    assert mask_known(f"{first} one-more-secret") == f"{MASK} {MASK}"
