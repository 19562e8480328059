"""Preferences read back with validation: a broken saved value falls back to its default, with a sentence naming it."""

from __future__ import annotations

import pytest

from gui.core.settings import preferences
from gui.core.settings.preferences import Preferences, load, save, save_one


class DictStore:
    """QSettings' three calls over a dict."""

    def __init__(self, values: dict | None = None):
        self.values = dict(values or {})

    def value(self, key):
        return self.values.get(key)

    def setValue(self, key, value):  # QSettings' name
        self.values[key] = value

    def remove(self, key):
        self.values.pop(key, None)


def test_nothing_saved_gives_the_defaults_without_a_word():
    prefs, problems = load(DictStore())
    assert prefs == Preferences()
    assert (prefs.engine, prefs.appearance, prefs.bind_address, prefs.restart, prefs.gpus) == (
        "",
        "system",
        "127.0.0.1",
        "no",
        "none",
    )
    assert problems == []


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("engine", ["", "rootless", "my-remote.ctx"]),
        ("appearance", ["system", "light", "dark"]),
        ("bind_address", ["127.0.0.1", "0.0.0.0"]),
        ("restart", ["no", "on-failure", "unless-stopped", "always"]),
        ("gpus", ["none", "all", "first-free"]),
    ],
)
def test_every_valid_value_is_read_back(field, values):
    for value in values:
        prefs, problems = load(DictStore({f"preferences/{field}": value}))
        assert getattr(prefs, field) == value
        assert problems == []


@pytest.mark.parametrize(
    ("field", "saved", "message"),
    [
        ("appearance", "purple", "The saved appearance 'purple' was not understood; using Follow the system."),
        ("restart", "sometimes", "The saved restart policy 'sometimes' was not understood; using Never (no)."),
        (
            "bind_address",
            "localhost:80",
            "The saved bind address 'localhost:80' is not an IP address; using This computer only (127.0.0.1).",
        ),
        (
            "bind_address",
            "10.0.0.5",
            "The saved bind address '10.0.0.5' is not one Portside offers (127.0.0.1 or 0.0.0.0); "
            "using This computer only (127.0.0.1).",
        ),
        ("gpus", "most", "The saved GPU default 'most' was not understood; using No GPU."),
        (
            "engine",
            "-no such/name",
            "The saved engine '-no such/name' is not a docker context's name; using the engine Portside finds.",
        ),
        (
            "appearance",
            ["dark", "light"],
            "The saved appearance '['dark', 'light']' was not understood; using Follow the system.",
        ),
    ],
)
def test_a_broken_value_falls_back_to_its_default_and_says_so(field, saved, message):
    other, other_value = ("gpus", "all") if field != "gpus" else ("restart", "always")
    prefs, problems = load(DictStore({f"preferences/{field}": saved, f"preferences/{other}": other_value}))
    assert getattr(prefs, field) == getattr(Preferences(), field)
    assert problems == [message]
    assert getattr(prefs, other) == other_value  # the other values are kept


def test_every_field_has_a_rule():
    assert [rule.name for rule in preferences.RULES] == list(Preferences.__dataclass_fields__)


def test_save_writes_what_differs_from_the_defaults_and_reads_back():
    store = DictStore({"preferences/appearance": "dark"})
    chosen = Preferences(engine="remote", appearance="system", bind_address="0.0.0.0", restart="unless-stopped")
    save(store, chosen)
    assert "preferences/appearance" not in store.values  # a default is removed, so a better default applies later
    assert store.values["preferences/bind_address"] == "0.0.0.0"
    assert load(store) == (chosen, [])


def test_save_one_changes_one_field_and_refuses_a_broken_value():
    store = DictStore()
    prefs = save_one(store, Preferences(), "gpus", "all")
    assert prefs.gpus == "all" and store.values == {"preferences/gpus": "all"}
    prefs = save_one(store, prefs, "gpus", "none")
    assert store.values == {}
    with pytest.raises(ValueError, match="restart policy 'sometimes' was not understood"):
        save_one(store, prefs, "restart", "sometimes")
