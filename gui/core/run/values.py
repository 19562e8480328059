"""Values typed in the Run dialog, read the way the docker CLI reads them: sizes (--memory, --shm-size),
CPU counts (--cpus) and the address part of a published port (-p). No Qt, no engine.

The CLI is written in Go, so each reader follows the Go function it uses (named below); the engine test
tests/engine/test_run_referee.py holds them to the real CLI.
"""

from __future__ import annotations

import ipaddress
import re
from fractions import Fraction

SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
# Go's strconv.ParseFloat, which go-units' RAMInBytes uses for the number: decimal with an exponent, or hex
# with a p exponent; a sign; no spaces.
_GO_FLOAT_RE = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)"
)
# Go's big.Rat.SetString, which the docker CLI uses for --cpus: a decimal (digits may be split by single _)
# with an exponent, an integer with a 0x/0o/0b prefix, or a fraction a/b.
_GO_DIGITS = r"\d+(?:_\d+)*"
_GO_DECIMAL_RE = re.compile(rf"[+-]?(?:{_GO_DIGITS}(?:\.(?:{_GO_DIGITS})?)?|\.{_GO_DIGITS})(?:[eE][+-]?\d+)?")
_GO_PREFIXED_RE = re.compile(r"([+-]?)0([xXoObB])_?([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)")
_GO_FRACTION_RE = re.compile(rf"[+-]?{_GO_DIGITS}/{_GO_DIGITS}")


def parse_size(text: str) -> int | None:
    """Bytes from a size the way the docker CLI reads --memory and --shm-size (go-units RAMInBytes: "512m",
    "1.5g", "2GiB", "1024", "1 g", "1e9"); None when Docker would refuse the text. Spaces around it are
    ignored (the command line leaves them out). Negative sizes are refused, but "-0" is 0, as in Go."""
    text = text.strip()
    split = max(text.rfind(ch) for ch in "0123456789. ")
    if split < 0:
        return None
    number, suffix = (text[:split], text[split + 1 :]) if text[split] == " " else (text[: split + 1], text[split + 1 :])
    if not _GO_FLOAT_RE.fullmatch(number):
        return None
    size = float.fromhex(number) if "x" in number.lower() else float(number)
    if size < 0 or size != size or size in (float("inf"), float("-inf")):
        return None
    suffix = suffix.lower()
    if suffix in ("", "b"):
        return int(size)
    if len(suffix) > 3 or suffix[0] not in SIZE_UNITS or suffix[1:] not in ("", "b", "ib"):
        return None
    return int(size * SIZE_UNITS[suffix[0]])  # float then truncate, as Go does


def cpus_value(text: str) -> Fraction | None:
    """The exact number of CPUs in `text`, read the way the docker CLI reads --cpus (Go's big.Rat: "1.5",
    ".5", "1e0", "3/2", "0x2"); None when the CLI would refuse it as not a number."""
    text = text.strip()
    prefixed = _GO_PREFIXED_RE.fullmatch(text)
    if prefixed:
        sign, base, digits = prefixed.groups()
        try:
            value = int(digits.replace("_", ""), {"x": 16, "o": 8, "b": 2}[base.lower()])
        except ValueError:
            return None
        return Fraction(-value if sign == "-" else value)
    if _GO_FRACTION_RE.fullmatch(text):
        numerator, denominator = (int(part.replace("_", "")) for part in text.split("/"))
        return Fraction(numerator, denominator) if denominator else None
    if _GO_DECIMAL_RE.fullmatch(text):
        return Fraction(text.replace("_", ""))
    return None


def parse_cpus(text: str) -> int | None:
    """Nano CPUs from a CPU count ("1.5" -> 1_500_000_000); None when it is not a number, or finer than one
    billionth of a CPU (the CLI refuses that as too precise). May be negative: the checks refuse that."""
    value = cpus_value(text)
    if value is None:
        return None
    nano = value * 10**9
    return int(nano) if nano.denominator == 1 else None


def split_host(text: str) -> tuple[str | None, str]:
    """(address, port text) from a Ports row's host field: "5000" -> (None, "5000"), "[::1]:8080" ->
    ("::1", "8080"), "10.0.0.2:5000" -> ("10.0.0.2", "5000"), "::1" or "[::1]" -> ("::1", ""). None: no
    address typed; the address is not checked here (see checks)."""
    text = text.strip()
    if text.startswith("["):
        inside, bracket, rest = text[1:].partition("]")
        if bracket and (not rest or rest.startswith(":")):
            return inside, rest[1:]
        return text, ""  # not a bracketed address: the checks say so
    if is_ip(text):
        return text, ""  # an address alone: a random port on it
    address, colon, port = text.rpartition(":")
    return (address, port) if colon else (None, text)


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
