"""Names that look like secrets, and what Portside says about them. No Qt.

Used to mask values in inspect views and to keep secrets out of generated
Dockerfiles: a value written with ENV (or ARG) is stored in the image, where
anyone who pulls it can read it with `docker inspect` or `docker history`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

__all__ = ["MASK", "RUN_ENV_LABEL", "is_secret_name", "mask_env", "masked_payload", "secret_problem"]

MASK = "••••••"

# The names (never the values) of the variables to give at `docker run`, kept as an image label by the
# Dockerfile wizard, so the Run dialog can ask for them.
RUN_ENV_LABEL = "io.portside.run-env"

# Secret-looking words, matched as a whole part of the name: HF_TOKEN and
# apiKey match, MONKEY and KEYBOARD_LAYOUT do not.  A plural 's' still counts.
_SECRET_WORD_RE = re.compile(r"(?<![A-Z])(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)S?(?![A-Z])")
_CAMEL_BOUNDARY_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_secret_name(name: str) -> bool:
    """True when an environment variable's name suggests its value is a secret."""
    words = _CAMEL_BOUNDARY_RE.sub("_", name).upper()
    return _SECRET_WORD_RE.search(words) is not None


def secret_problem(name: str) -> str | None:
    """Why `name` must not be given a value in a Dockerfile, or None when it looks harmless."""
    if not is_secret_name(name):
        return None
    return (
        f"{name} looks like a secret. A value set with ENV is stored in the image, and anyone who gets "
        f"the image can read it with docker inspect or docker history. Leave the value out: Portside asks "
        f"for {name} when you run the container (docker run -e {name}=...)."
    )


def mask_env(entry: str) -> str:
    """'API_TOKEN=abc' -> 'API_TOKEN=••••••'; other entries come back unchanged."""
    name, sep, value = entry.partition("=")
    return f"{name}{sep}{masked_value(name, value)}" if sep else entry


def masked_value(name: str, value: str) -> str:
    """The value to show for variable `name`: masked when the name looks secret."""
    # An empty value is shown as empty: "it is unset" is useful and not secret.
    return MASK if value and is_secret_name(name) else value


def masked_payload(payload: Any) -> Any:
    """A deep copy of an inspect payload with secret values in every "Env" list masked."""
    payload = copy.deepcopy(payload)
    _mask_env_lists(payload)
    return payload


def _mask_env_lists(node: Any) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Env" and isinstance(value, list):
                node[key] = [mask_env(entry) if isinstance(entry, str) else entry for entry in value]
            else:
                _mask_env_lists(value)
    elif isinstance(node, list):
        for item in node:
            _mask_env_lists(item)
