"""gui.core.secrets: which names look secret, masking, and the sentence shown when one is refused."""

import pytest

import gui.core.engine.inspect_summary as inspect_summary
from gui.core.secrets import MASK, is_secret_name, mask_env, masked_payload, masked_value, secret_problem


@pytest.mark.parametrize(
    "name",
    [
        "HF_TOKEN",
        "OPENAI_API_KEY",
        "apiKey",
        "DB_PASSWORD",
        "PASSWD",
        "AWS_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "GOOGLE_CREDENTIALS",
        "KEY",
        "TOKENS",
        "hf_token",
    ],
)
def test_secret_names(name):
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["MONKEY", "KEYBOARD_LAYOUT", "MODEL_NAME", "PATH", "TOKENIZER_PATH", "PORT", "HOME", ""]
)
def test_harmless_names(name):
    assert not is_secret_name(name)


def test_secret_problem_explains_why_and_what_to_do_instead():
    text = secret_problem("HF_TOKEN")
    assert text is not None and "HF_TOKEN" in text
    assert "docker inspect" in text and "docker history" in text  # why: the image gives it away
    assert "docker run -e HF_TOKEN=" in text  # what instead: a runtime variable
    assert secret_problem("MODEL_NAME") is None


def test_masking():
    assert mask_env("API_TOKEN=abc123") == f"API_TOKEN={MASK}"
    assert mask_env("GREETING=hello") == "GREETING=hello"
    assert mask_env("TOKEN=") == "TOKEN="
    assert masked_value("PASSWORD", "x") == MASK and masked_value("USER", "x") == "x"
    payload = {"Config": {"Env": ["HF_TOKEN=abc", "A=b", 3]}, "List": [{"Env": ["PASSWORD=p"]}]}
    masked = masked_payload(payload)
    assert masked == {"Config": {"Env": [f"HF_TOKEN={MASK}", "A=b", 3]}, "List": [{"Env": [f"PASSWORD={MASK}"]}]}
    assert payload["Config"]["Env"][0] == "HF_TOKEN=abc"  # a copy: the original is untouched


def test_the_helpers_imported_from_inspect_summary_still_mask():
    # Callers import these from gui.core.engine.inspect_summary too: there they must hide secrets just the same.
    assert inspect_summary.is_secret_name("HF_TOKEN") and not inspect_summary.is_secret_name("MODEL_NAME")
    assert inspect_summary.mask_env("HF_TOKEN=hf_abc") == f"HF_TOKEN={MASK}"
    payload = {"Config": {"Env": ["HF_TOKEN=hf_abc", "MODEL_NAME=llama"]}}
    masked = inspect_summary.masked_payload(payload)
    assert masked["Config"]["Env"] == [f"HF_TOKEN={inspect_summary.MASK}", "MODEL_NAME=llama"]
    assert inspect_summary.MASK == MASK
