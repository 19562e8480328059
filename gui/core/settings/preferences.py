"""The user's preferences: a frozen `Preferences`, each field's default, choices and check, and their reading and
writing through any store with `value(key)`, `setValue(key, value)` and `remove(key)` (QSettings in the app, a dict
in tests).

A saved value that does not pass its check is never used: the default takes its place, and `load` says so in a
sentence naming the value, so the user hears why a setting looks different from what they chose."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, Protocol

GROUP = "preferences"

SYSTEM, LIGHT, DARK = "system", "light", "dark"
APPEARANCES = {SYSTEM: "Follow the system", LIGHT: "Light", DARK: "Dark"}

LOOPBACK, EVERY_INTERFACE = "127.0.0.1", "0.0.0.0"
BIND_ADDRESSES = {LOOPBACK: "This computer only (127.0.0.1)", EVERY_INTERFACE: "Every interface (0.0.0.0)"}

# The order the docker CLI's documentation gives them, from the least to the most insistent.
RESTART_POLICIES = {
    "no": "Never (no)",
    "on-failure": "When it fails (on-failure)",
    "unless-stopped": "Always, unless you stopped it (unless-stopped)",
    "always": "Always, also when Docker starts (always)",
}

NO_GPU, ALL_GPUS, FIRST_FREE_GPU = "none", "all", "first-free"
GPU_DEFAULTS = {
    NO_GPU: "No GPU",
    ALL_GPUS: "All GPUs (--gpus all)",
    FIRST_FREE_GPU: "The first free GPU (GPU 0 when none is known to be free)",
}

DETECTED_ENGINE = ""  # no context chosen: the engine the docker CLI would use
# Docker's own rule for a context's name (cli/context/store: restrictedNamePattern).
CONTEXT_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$")


class Store(Protocol):
    def value(self, key: str) -> Any: ...
    def setValue(self, key: str, value: Any) -> None: ...  # QSettings' name
    def remove(self, key: str) -> None: ...


@dataclass(frozen=True)
class Preferences:
    engine: str = DETECTED_ENGINE  # a docker context's name, or "" for the detected engine
    appearance: str = SYSTEM
    bind_address: str = LOOPBACK  # where new containers publish their ports
    restart: str = "no"  # new containers' restart policy
    gpus: str = NO_GPU  # which GPUs new containers get


@dataclass(frozen=True)
class FieldRule:
    """How one preference is named to the user and checked when read back."""

    name: str  # the Preferences field
    title: str  # how a sentence names it: "appearance", "restart policy"
    choices: dict[str, str] | None  # value -> label, or None for a free value
    check: Callable[[str], str | None]  # why a text is not a valid value ("not an IP address"), or None

    @property
    def key(self) -> str:
        return f"{GROUP}/{self.name}"

    def default_label(self) -> str:
        default = getattr(Preferences(), self.name)
        if self.choices is not None:
            return self.choices[default]
        return "the engine Portside finds" if self.name == "engine" else default


def _one_of(choices: dict[str, str]) -> Callable[[str], str | None]:
    return lambda value: None if value in choices else "was not understood"


def _bind_address(value: str) -> str | None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return "is not an IP address"
    return None if value in BIND_ADDRESSES else "is not one Portside offers (127.0.0.1 or 0.0.0.0)"


def _context_name(value: str) -> str | None:
    if value == DETECTED_ENGINE or CONTEXT_NAME.match(value):
        return None
    return "is not a docker context's name"


RULES = (
    FieldRule("engine", "engine", None, _context_name),
    FieldRule("appearance", "appearance", APPEARANCES, _one_of(APPEARANCES)),
    FieldRule("bind_address", "bind address", BIND_ADDRESSES, _bind_address),
    FieldRule("restart", "restart policy", RESTART_POLICIES, _one_of(RESTART_POLICIES)),
    FieldRule("gpus", "GPU default", GPU_DEFAULTS, _one_of(GPU_DEFAULTS)),
)
assert [rule.name for rule in RULES] == [field.name for field in fields(Preferences)]


def rule_for(name: str) -> FieldRule:
    return next(rule for rule in RULES if rule.name == name)


def read_value(rule: FieldRule, raw: Any) -> tuple[str | None, str | None]:
    """A stored value as (value, None), or (None, the sentence saying it was not used). Nothing stored: (None, None)."""
    if raw is None:
        return None, None
    text = raw if isinstance(raw, str) else None
    reason = rule.check(text) if text is not None else "was not understood"
    if reason is None:
        return text, None
    shown = text if text is not None else str(raw)
    return None, f"The saved {rule.title} '{shown}' {reason}; using {rule.default_label()}."


def load(store: Store) -> tuple[Preferences, list[str]]:
    """The saved preferences, each broken value replaced by its default, and a sentence for each one replaced."""
    prefs, problems = load_by_field(store)
    return prefs, list(problems.values())


def load_by_field(store: Store) -> tuple[Preferences, dict[str, str]]:
    """As `load`, with each sentence under its field's name (a page drops it once the user picks a value)."""
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for rule in RULES:
        value, problem = read_value(rule, store.value(rule.key))
        if value is not None:
            values[rule.name] = value
        if problem:
            problems[rule.name] = problem
    return Preferences(**values), problems


def save(store: Store, prefs: Preferences) -> None:
    """Writes each preference; a default is removed instead, so a later Portside's better default applies."""
    defaults = Preferences()
    for rule in RULES:
        value = getattr(prefs, rule.name)
        if value == getattr(defaults, rule.name):
            store.remove(rule.key)
        else:
            store.setValue(rule.key, value)


def save_one(store: Store, prefs: Preferences, name: str, value: str) -> Preferences:
    """`prefs` with one field changed, written to `store` (the other fields are left as they are stored)."""
    rule = rule_for(name)
    reason = rule.check(value)
    if reason is not None:
        raise ValueError(f"{rule.title} {value!r} {reason}")
    if value == getattr(Preferences(), name):
        store.remove(rule.key)
    else:
        store.setValue(rule.key, value)
    return replace(prefs, **{name: value})
