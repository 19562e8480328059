"""Values typed in the Run dialog, read the way the docker CLI reads them: sizes (--memory, --shm-size),
CPU counts (--cpus) and the address part of a published port (-p). No Qt, no engine.

The CLI is written in Go, so each reader follows the Go function it uses (named below); the engine test
tests/engine/test_run_referee.py holds them to the real CLI.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass

SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}
# Go's strconv.ParseFloat, which go-units' RAMInBytes uses for the number: decimal with an exponent, or hex
# with a p exponent; a sign; no spaces.
_GO_FLOAT_RE = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+)"
)


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


# --cpus: the docker CLI reads it with Go's big.Rat.SetString (math/big ratconv.go and natconv.go, rebuilt below),
# then keeps the count in billionths of a CPU in an int64.
NANO_CPUS_MAX = 2**63 - 1
_DIGIT_VALUES = {ch: value for value, ch in enumerate("0123456789abcdefghijklmnopqrstuvwxyz")} | {
    ch: value for value, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
}
_PREFIX_BASES = {"b": 2, "B": 2, "o": 8, "O": 8, "x": 16, "X": 16}
_MAX_EXP5, _MAX_EXP2 = 10**6, 10**7  # larger powers of 5 or 2 Go refuses ("avoid excessively large exponents")
_EXPONENT_MAX = 2**63 - 1  # the exponent itself is read into an int64


@dataclass(frozen=True)
class _GoRat:
    """A number as big.Rat reads it: numerator / denominator * 2**exp2 * 5**exp5, kept in parts so that an exponent
    of a million costs nothing until the value is needed."""

    numerator: int
    denominator: int = 1
    exp2: int = 0
    exp5: int = 0


def _go_int(digits: str, base: int) -> int:
    """int(digits, base) without Python's limit on the length of decimal strings."""
    if base != 10 or len(digits) <= 4000:
        return int(digits, base)
    return _go_int(digits[:-4000], 10) * 10**4000 + int(digits[-4000:])


def _scan_unsigned(text: str, i: int, fraction_ok: bool) -> tuple[int, int, int, int] | None:
    """Go's nat.scan with base 0 from text[i]: (value, base, digits after the point, where it stopped), or None
    for a syntax error. 0b, 0o and 0x pick the base; a leading 0 is the octal prefix unless fraction_ok (which also
    allows one point); a single _ may follow a digit or the prefix."""
    base, octal_prefix, digits, point, previous, bad_separator = 10, False, [], -1, ".", False
    if text.startswith("0", i):
        previous, digits, i = "0", ["0"], i + 1
        if i < len(text) and text[i] in _PREFIX_BASES:
            base, digits, i = _PREFIX_BASES[text[i]], [], i + 1
        elif i < len(text) and not fraction_ok:
            base, digits, octal_prefix = 8, [], True
    while i < len(text):
        ch = text[i]
        if ch == "." and fraction_ok and point < 0:
            bad_separator |= previous == "_"
            previous, point = ".", len(digits)
        elif ch == "_":
            bad_separator |= previous != "0"
            previous = "_"
        elif _DIGIT_VALUES.get(ch, 99) < base:
            previous = "0"
            digits.append(ch)
        else:
            break
        i += 1
    if bad_separator or previous == "_":
        return None
    if not digits:
        return (0, 10, 0, i) if octal_prefix else None  # "0" alone, read as the octal prefix
    return _go_int("".join(digits), base), base, len(digits) - point if point >= 0 else 0, i


def _scan_exponent(text: str, i: int) -> tuple[int, int, int] | None:
    """Go's scanExponent: (exponent, its base 10 or 2, where it stopped); (0, 10, i) when there is none."""
    if i >= len(text) or text[i] not in "eEpP":
        return 0, 10, i
    base, i = (10 if text[i] in "eE" else 2), i + 1
    sign = -1 if text.startswith("-", i) else 1
    i += text.startswith(("+", "-"), i)
    digits, previous, bad_separator = [], ".", False
    while i < len(text) and (text[i] in "0123456789_"):
        bad_separator |= text[i] == "_" and previous != "0"
        previous = "0" if text[i] != "_" else "_"
        digits += [text[i]] if text[i] != "_" else []
        i += 1
    if not digits or bad_separator or previous == "_":
        return None
    exponent = sign * int("".join(digits))
    return (exponent, base, i) if -_EXPONENT_MAX - 1 <= exponent <= _EXPONENT_MAX else None


def _go_rat(text: str) -> _GoRat | None:
    """Go's big.Rat.SetString: a fraction a/b of integers (a signed, either with a base prefix), or a number with a
    point and a decimal (e) or binary (p) exponent. The whole text must be read; None when it is not a number."""
    if "/" in text:
        numerator_text, _, denominator_text = text.partition("/")
        sign = -1 if numerator_text.startswith("-") else 1
        start = numerator_text.startswith(("+", "-"))
        numerator = _scan_unsigned(numerator_text, start, fraction_ok=False)
        denominator = _scan_unsigned(denominator_text, 0, fraction_ok=False)
        if numerator is None or denominator is None or numerator[3] < len(numerator_text):
            return None
        if denominator[3] < len(denominator_text) or denominator[0] == 0:
            return None
        return _GoRat(sign * numerator[0], denominator[0])
    sign = -1 if text.startswith("-") else 1
    mantissa = _scan_unsigned(text, int(text.startswith(("+", "-"))), fraction_ok=True)
    if mantissa is None:
        return None
    value, base, fraction_digits, i = mantissa
    exponent = _scan_exponent(text, i)
    if exponent is None or exponent[2] < len(text):
        return None
    if value == 0:
        return _GoRat(0)
    bits_per_digit = {2: 1, 8: 3, 16: 4}.get(base, 1)
    exp2 = -fraction_digits * bits_per_digit + exponent[0]
    exp5 = (-fraction_digits if base == 10 else 0) + (exponent[0] if exponent[1] == 10 else 0)
    if abs(exp5) > _MAX_EXP5 or abs(exp2) > _MAX_EXP2:
        return None
    return _GoRat(sign * value, 1, exp2, exp5)


def _nano(rat: _GoRat) -> int | None:
    """rat in billionths when that is a whole number, else None. Beyond NANO_CPUS_MAX it is NANO_CPUS_MAX + 1 (or
    its negative): Docker cannot hold it, and the exact number could take seconds to build."""
    numerator, denominator = abs(rat.numerator), rat.denominator
    if numerator == 0:
        return 0
    common = math.gcd(numerator, denominator)
    numerator, denominator = numerator // common, denominator // common
    exp2, exp5 = rat.exp2 + 9, rat.exp5 + 9
    # Powers of 2 and 5 below the line cancel against those above it; whatever is left below makes a fraction.
    while exp2 < 0 and numerator % 2 == 0:
        numerator, exp2 = numerator // 2, exp2 + 1
    while exp2 > 0 and denominator % 2 == 0:
        denominator, exp2 = denominator // 2, exp2 - 1
    while exp5 < 0 and numerator % 5 == 0:
        numerator, exp5 = numerator // 5, exp5 + 1
    while exp5 > 0 and denominator % 5 == 0:
        denominator, exp5 = denominator // 5, exp5 - 1
    if exp2 < 0 or exp5 < 0 or denominator != 1:
        return None
    if numerator.bit_length() - 1 + exp2 + 2 * exp5 > 63:  # at least 2**64: far beyond an int64
        nano = NANO_CPUS_MAX + 1
    else:
        nano = min(numerator * 2**exp2 * 5**exp5, NANO_CPUS_MAX + 1)
    return nano if rat.numerator > 0 else -nano


def is_cpus_number(text: str) -> bool:
    """Whether the docker CLI reads `text` as a number for --cpus (Go's big.Rat: "1.5", ".5", "3/2", "0x1p-1",
    "1e0", "1_000"); spaces around it are ignored (the command line leaves them out)."""
    return _go_rat(text.strip()) is not None


def parse_cpus(text: str) -> int | None:
    """Nano CPUs from a CPU count ("1.5" -> 1_500_000_000); None when it is not a number, or finer than one
    billionth of a CPU (the CLI refuses that as too precise). May be negative, or beyond NANO_CPUS_MAX (the CLI
    wraps those round): the checks refuse both."""
    rat = _go_rat(text.strip())
    return None if rat is None else _nano(rat)


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
