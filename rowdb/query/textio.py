"""Text input and output of SQL values: PostgreSQL's typinput and typoutput functions.

Where: query layer; casts.py uses these for casts from and to strings (and unknown literals),
the server for the wire's text format, the shell for printing. Date and time types live in
datetimes.py. `parse_text` applies the type's modifiers the way an input function does
(varchar(n) rejects long values, char(n) pads, numeric(p,s) rounds).

>>> from rowdb.query.types import BOOL, BYTEA, FLOAT8, INT4, NUMERIC
>>> format_value(1e20, FLOAT8), format_value(True, BOOL), format_value(b"\\x01", BYTEA)
('1e+20', 't', '\\\\x01')
>>> parse_text(" 12 ", INT4), parse_text("1.50e1", NUMERIC)
(12, Decimal('15.0'))
"""

from __future__ import annotations

import math
import re
import struct
import uuid
from decimal import Decimal
from fractions import Fraction

from rowdb.errors import (InternalError, InvalidParameterValueError,
                          InvalidTextRepresentationError, NumericValueOutOfRangeError)
from rowdb.query import datetimes
from rowdb.query.arith import (INT2_MAX, INT2_MIN, INT4_MAX, INT4_MIN, INT8_MAX, INT8_MIN,
                               NUMERIC_SCALE_MAX, NUMERIC_WEIGHT_DIGITS_MAX, round_to_single,
                               to_float4)
from rowdb.query.types import SqlType
from rowdb.storage.interval import format_interval

WHITESPACE = " \t\n\r\f\v"      # C isspace(): what input functions skip around a value.
_SINGLE, _SINGLE_BITS = struct.Struct("<f"), struct.Struct("<I")


def syntax_error(type_name: str, text: str) -> InvalidTextRepresentationError:
    return InvalidTextRepresentationError(f'invalid input syntax for type {type_name}: "{text}"')


# Integers -------------------------------------------------------------------------------

_INT_RE = re.compile(r"[ \t\n\r\f\v]*([+-]?[0-9]+)")
_INT_RANGES = {"int2": (INT2_MIN, INT2_MAX, "smallint"), "int4": (INT4_MIN, INT4_MAX, "integer"),
               "int8": (INT8_MIN, INT8_MAX, "bigint")}


def parse_int(text: str, name: str) -> int:
    """int2in/int4in/int8in: optional sign, decimal digits, spaces around."""
    low, high, display = _INT_RANGES[name]
    match = _INT_RE.match(text)
    if not match:
        raise syntax_error(display, text)
    value = int(match.group(1))
    if not low <= value <= high:         # reported before any trailing garbage, as PostgreSQL
        raise NumericValueOutOfRangeError(f'value "{text}" is out of range for type {display}')
    if text[match.end():].strip(WHITESPACE):
        raise syntax_error(display, text)
    return value


# Numeric --------------------------------------------------------------------------------

_NUMERIC_RE = re.compile(          # strtol() reads the exponent, spaces before it included
    r"[ \t\n\r\f\v]*([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)"
    r"(?:[eE][ \t\n\r\f\v]*([+-]?[0-9]+))?[ \t\n\r\f\v]*\Z")
_NUMERIC_SPECIAL = {"nan": Decimal("NaN"), "infinity": Decimal("Infinity"),
                    "+infinity": Decimal("Infinity"), "-infinity": Decimal("-Infinity"),
                    "inf": Decimal("Infinity"), "+inf": Decimal("Infinity"),
                    "-inf": Decimal("-Infinity")}


def parse_numeric(text: str) -> Decimal:
    """numeric_in: the digits as written keep their scale; an exponent moves the point."""
    match = _NUMERIC_RE.match(text)
    if not match:
        special = _NUMERIC_SPECIAL.get(text.strip(WHITESPACE).lower())
        if special is None:
            raise syntax_error("numeric", text)
        return special
    sign, digits, exponent = match.groups()
    if exponent is not None and abs(int(exponent)) >= 1 << 30:
        raise NumericValueOutOfRangeError("value overflows numeric format")
    return normalize_numeric(Decimal(f"{sign}{digits}e{exponent or 0}"))


def normalize_numeric(value: Decimal) -> Decimal:
    """A finite Decimal as numeric holds it: no positive exponent, no -0, within limits."""
    sign, digits, exponent = value.as_tuple()
    if exponent > 0:
        digits, exponent = digits + (0,) * exponent, 0
    while len(digits) > 1 and digits[0] == 0:
        digits = digits[1:]
    if digits == (0,):
        sign = 0
    if -exponent > NUMERIC_SCALE_MAX or len(digits) + exponent > NUMERIC_WEIGHT_DIGITS_MAX:
        raise NumericValueOutOfRangeError("value overflows numeric format")
    return Decimal((sign, digits, exponent))


def format_numeric(value: Decimal) -> str:
    """numeric_out: plain digits with the value's scale; NaN, Infinity, -Infinity."""
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        value = value.copy_abs()
    return format(value, "f")


# Floats ---------------------------------------------------------------------------------

_FLOAT_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT_RE = re.compile(
    r"[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?")
_FLOAT_SPECIAL = {"nan": math.nan, "+nan": math.nan, "-nan": math.nan,
                  "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf,
                  "inf": math.inf, "+inf": math.inf, "-inf": -math.inf}
_FLOAT_NAMES = {"float4": "real", "float8": "double precision"}


def parse_float(text: str, name: str = "float8") -> float:
    """float4in/float8in: strtod's syntax, special words in any case, no silent overflow.

    As in PostgreSQL, a number that overflows is reported (with just the number in the
    message) before any trailing garbage is.
    """
    display = _FLOAT_NAMES[name]
    stripped = text.strip(WHITESPACE)
    special = _FLOAT_SPECIAL.get(stripped.lower())
    if special is not None:
        return special
    number_text = text.lstrip(WHITESPACE)
    match = _HEX_FLOAT_RE.match(number_text) or _FLOAT_RE.match(number_text)
    if not match:
        raise syntax_error(display, text)
    number = match.group(0)
    value = _float_value(number, display)
    if number_text[match.end():].strip(WHITESPACE):
        raise syntax_error(display, text)
    if name == "float4":
        try:
            value = to_float4(value)
        except NumericValueOutOfRangeError:
            raise NumericValueOutOfRangeError(
                f'"{number}" is out of range for type {display}') from None
    return value


def _float_value(number: str, display: str) -> float:
    if _HEX_FLOAT_RE.fullmatch(number):
        value = float.fromhex(number)
        mantissa = re.split("[pP]", number)[0].lstrip("+-")[2:]
    else:
        value = float(number)
        mantissa = re.split("[eE]", number)[0].lstrip("+-")
    if math.isinf(value) or (value == 0.0 and mantissa.strip("0.")):
        raise NumericValueOutOfRangeError(f'"{number}" is out of range for type {display}')
    return value


def _shortest_digits(value: float, single: bool) -> tuple[str, int]:
    """(digits, exponent of the first digit) of the shortest text that reads back as value.

    PostgreSQL prints with Ryu, which never picks a decimal lying exactly halfway to a
    neighbouring float (it does not rely on the reader rounding ties to even). repr() and
    %e do pick such ties, which can only happen for large magnitudes; those are checked
    exactly. Among equally short candidates the one nearest the value wins.
    """
    if single:
        for precision in range(9):
            text = f"{value:.{precision}e}"
            if round_to_single(float(text)) == value:
                break
    else:
        text = repr(value)
        if value < _TIES_POSSIBLE_ABOVE:
            return _digits_and_exponent(text)
    if _cannot_be_a_tie(text, value):
        return _digits_and_exponent(text)
    return _exclusive_shortest(value, text, single)


_TIES_POSSIBLE_ABOVE = 2.0 ** 50   # Below this a double's halfway points need > 17 digits.


def _cannot_be_a_tie(text: str, value: float) -> bool:
    """Cheap test: the value itself, or a decimal with a factor 5 left in its denominator,
    is never a halfway point between two binary floats."""
    candidate = Decimal(text)
    if candidate == value:
        return True
    denominator = candidate.as_integer_ratio()[1]
    return denominator & (denominator - 1) != 0


def _neighbours(value: float, single: bool) -> tuple[Fraction, Fraction]:
    """The exact halfway points to the next float below and above (value > 0)."""
    if single:
        bits = _SINGLE_BITS.unpack(_SINGLE.pack(value))[0]
        below = _SINGLE.unpack(_SINGLE_BITS.pack(bits - 1))[0] if bits else 0.0
        above = _SINGLE.unpack(_SINGLE_BITS.pack(bits + 1))[0]
    else:
        below, above = math.nextafter(value, 0.0), math.nextafter(value, math.inf)
    exact = Fraction(value)
    low = (exact + Fraction(below)) / 2
    if math.isinf(above):                  # the largest float: the spacing below continues
        return low, exact + (exact - low)
    return low, (exact + Fraction(above)) / 2


def _exclusive_shortest(value: float, text: str, single: bool) -> tuple[str, int]:
    """Starting from a shortest candidate, the shortest decimal strictly between the ties."""
    low, high = _neighbours(value, single)
    exact = Fraction(value)
    digits, exponent = _digits_and_exponent(text)
    precision = len(digits)
    while True:
        nearest = Decimal(f"{value:.{precision - 1}e}")
        unit = Decimal((0, (1,), nearest.adjusted() - precision + 1))
        other = nearest + unit if Fraction(nearest) < exact else nearest - unit
        for candidate in (nearest, other):
            if low < Fraction(candidate) < high:
                return _digits_and_exponent(f"{candidate:e}".replace("E", "e"))
        precision += 1


def _digits_and_exponent(text: str) -> tuple[str, int]:
    """'0.0125' -> ('125', -2); '1.5e-07' -> ('15', -7); '100.0' -> ('1', 2)."""
    mantissa, _, exponent_text = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    exponent = int(exponent_text or 0) + len(whole) - 1
    significant = digits.lstrip("0")
    exponent -= len(digits) - len(significant)
    return significant.rstrip("0") or "0", exponent


def _format_float(value: float, single: bool) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value), single)
    if exponent < -4 or exponent >= (6 if single else 15):
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if exponent < 0:
        return f"{sign}0.{'0' * (-exponent - 1)}{digits}"
    if len(digits) <= exponent + 1:
        return f"{sign}{digits}{'0' * (exponent + 1 - len(digits))}"
    return f"{sign}{digits[:exponent + 1]}.{digits[exponent + 1:]}"


def format_float8(value: float) -> str:
    """float8out with extra_float_digits=1: shortest exact digits, %e style outside 1e-4..1e15.

    >>> format_float8(0.1), format_float8(100.0), format_float8(1.5e-07), format_float8(1e15)
    ('0.1', '100', '1.5e-07', '1e+15')
    """
    return _format_float(value, single=False)


def format_float4(value: float) -> str:
    """float4out: the shortest digits that read back as the same single-precision value."""
    return _format_float(value, single=True)


# Booleans, bytea, uuid ------------------------------------------------------------------

def parse_bool(text: str) -> bool:
    """boolin: true/false/yes/no and their prefixes, on/off (2+ letters), 1/0; any case."""
    word = text.strip(WHITESPACE).lower()
    if word:
        first = word[0]
        if first in "tfyn":
            full = {"t": "true", "f": "false", "y": "yes", "n": "no"}[first]
            if full.startswith(word):
                return first in "ty"
        elif first == "o" and len(word) >= 2:
            if "on".startswith(word):
                return True
            if "off".startswith(word):
                return False
        elif word in ("1", "0"):
            return word == "1"
    raise syntax_error("boolean", text)


_HEX_SPACES = " \n\t\r"


def parse_bytea(text: str) -> bytes:
    """byteain: `\\x` then hex pairs (spaces between pairs), or the escape format."""
    if text.startswith("\\x"):
        return _parse_hex(text[2:])
    out = bytearray()
    position = 0
    while position < len(text):
        char = text[position]
        if char != "\\":
            out += char.encode()
            position += 1
        elif text[position + 1:position + 2] == "\\":
            out.append(0x5C)
            position += 2
        elif re.match(r"[0-3][0-7][0-7]", text[position + 1:position + 4]):
            out.append(int(text[position + 1:position + 4], 8))
            position += 4
        else:
            raise InvalidTextRepresentationError("invalid input syntax for type bytea")
    return bytes(out)


def _parse_hex(digits: str) -> bytes:
    out = bytearray()
    position = 0
    while position < len(digits):
        if digits[position] in _HEX_SPACES:
            position += 1
            continue
        pair = digits[position:position + 2]
        for char in pair:
            if char not in "0123456789abcdefABCDEF":
                raise InvalidParameterValueError(f'invalid hexadecimal digit: "{char}"')
        if len(pair) < 2:
            raise InvalidParameterValueError("invalid hexadecimal data: odd number of digits")
        out.append(int(pair, 16))
        position += 2
    return bytes(out)


def format_bytea(value: bytes) -> str:
    """byteaout with bytea_output = hex."""
    return "\\x" + bytes(value).hex()


def parse_uuid(text: str) -> uuid.UUID:
    """uuid_in: 32 hex digits, a hyphen allowed after any group of four, optional braces."""
    body = text[1:-1] if text.startswith("{") and text.endswith("}") else text
    if not re.fullmatch(r"[0-9a-fA-F]{4}(?:-?[0-9a-fA-F]{4}){7}", body):
        raise syntax_error("uuid", text)
    return uuid.UUID(hex=body.replace("-", ""))


# Dispatch -------------------------------------------------------------------------------

def _parse_string(text: str) -> str:
    return text


_PARSERS = {
    "int2": lambda text: parse_int(text, "int2"),
    "int4": lambda text: parse_int(text, "int4"),
    "int8": lambda text: parse_int(text, "int8"),
    "numeric": parse_numeric,
    "float4": lambda text: parse_float(text, "float4"),
    "float8": lambda text: parse_float(text, "float8"),
    "text": _parse_string, "varchar": _parse_string, "bpchar": _parse_string,
    "unknown": _parse_string,
    "bool": parse_bool,
    "date": datetimes.parse_date,
    "time": datetimes.parse_time,
    "timestamp": datetimes.parse_timestamp,
    "timestamptz": datetimes.parse_timestamptz,
    "interval": lambda text: _datetime_sql().parse_month_interval(text),
    "bytea": parse_bytea,
    "uuid": parse_uuid,
}

def _datetime_sql():
    """datetime_sql.py knows intervals with months (it imports this module: import late)."""
    from rowdb.query import datetime_sql
    return datetime_sql


_FORMATTERS = {
    "int2": str, "int4": str, "int8": str,
    "numeric": format_numeric,
    "float4": format_float4,
    "float8": format_float8,
    "text": str, "varchar": str, "bpchar": str, "unknown": str,
    "bool": lambda value: "t" if value else "f",
    "date": datetimes.format_date,
    "time": datetimes.format_time,
    "timestamp": datetimes.format_timestamp,
    "timestamptz": datetimes.format_timestamptz,
    "interval": format_interval,
    "bytea": format_bytea,
    "uuid": str,
}


def input_function(type_name: str):
    """The parser for a pg_type name, ignoring modifiers: text -> value."""
    return _PARSERS[type_name]


def output_function(type_name: str):
    """The formatter for a pg_type name: value -> text (booleans as t/f)."""
    return _FORMATTERS[type_name]


def parse_text(text: str | None, sql_type: SqlType):
    """A value of sql_type from its text form, as the type's input function reads it."""
    if text is None:
        return None
    value = _PARSERS[sql_type.name](text)
    if sql_type.has_modifiers:
        from rowdb.query.casts import apply_modifiers
        value = apply_modifiers(value, sql_type, explicit=False)
    return value


def format_value(value, sql_type: SqlType) -> str | None:
    """The text form of a value (the wire's text format): booleans t/f, floats shortest."""
    if value is None:
        return None
    try:
        return _FORMATTERS[sql_type.name](value)
    except (TypeError, AttributeError, ValueError) as error:
        raise InternalError(f"internal error: {value!r} is not a {sql_type} value") from error



def unicode_escapes(text: str, escape: str = "\\") -> str:
    r"""The value of a U&'...' literal: `\XXXX`, `\+XXXXXX` and `\\` (or another escape
    character given by UESCAPE), UTF-16 surrogate pairs combined, as PostgreSQL reads them."""
    from rowdb.errors import SyntaxError as SqlSyntaxError
    out, i, high = [], 0, None
    while i < len(text):
        char = text[i]
        if char != escape:
            if high is not None:
                raise SqlSyntaxError("invalid Unicode surrogate pair")
            out.append(char)
            i += 1
            continue
        if text[i + 1:i + 2] == escape:
            out.append(escape)
            i += 2
            continue
        size = 6 if text[i + 1:i + 2] == "+" else 4
        digits = text[i + 1 + (size == 6):i + 1 + (size == 6) + size]
        if len(digits) != size or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise SqlSyntaxError("invalid Unicode escape",
                                 hint="Unicode escapes must be \\XXXX or \\+XXXXXX.")
        code = int(digits, 16)
        i += 1 + (size == 6) + size
        if high is not None:
            if not 0xDC00 <= code <= 0xDFFF:
                raise SqlSyntaxError("invalid Unicode surrogate pair")
            out.append(chr(0x10000 + ((high - 0xD800) << 10) + code - 0xDC00))
            high = None
        elif 0xD800 <= code <= 0xDBFF:
            high = code
        elif 0xDC00 <= code <= 0xDFFF or code > 0x10FFFF or code == 0:
            raise SqlSyntaxError("invalid Unicode surrogate pair" if code <= 0x10FFFF
                                 and code else "invalid Unicode escape value")
        else:
            out.append(chr(code))
    if high is not None:
        raise SqlSyntaxError("invalid Unicode surrogate pair")
    return "".join(out)
