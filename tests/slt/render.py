"""Render driver values as PostgreSQL 15 prints them in text format (what `psql -A` shows).

Where: test support; used by sqlfile.py to compare query results, whatever the driver.
A DB-API driver hands back Python values (psycopg converts PostgreSQL's text into int,
Decimal, datetime, ...); `render` turns them back into PostgreSQL's text so that one
expected file serves every engine. The optional `type_code` (cursor.description[i][1];
PostgreSQL type OIDs for psycopg, and for rowdb if it follows) settles the few cases a
Python value leaves open: float4 versus float8 digits, json/jsonb versus arrays.

Known gaps, where a test should compare `expr::text` instead: a timedelta cannot tell
'1 mon' from '30 days' nor '36:00:00' from '1 day 12:00:00'; json (not jsonb) keeps its
input layout; range, geometric and other exotic types fall back to str().
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import struct
import uuid

FLOAT4_OID = 700
JSON_OIDS = (114, 3802)  # json, jsonb
FLOAT8_EXPONENT_MIN = -4  # float8out/float4out use exponent form below 1e-4 ...
FLOAT8_EXPONENT_MAX = 15  # ... and from 1e15 (DBL_DIG) up, like %g would
FLOAT4_EXPONENT_MAX = 6   # float4out: from 1e6 (FLT_DIG) up


def render(value, type_code=None) -> str:
    """PostgreSQL's text output for one value; None is `NULL`."""
    if value is None:
        return "NULL"
    if type_code in JSON_OIDS:
        return render_json(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return render_float(value, float4=type_code == FLOAT4_OID)
    if isinstance(value, decimal.Decimal):
        return render_numeric(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\x" + bytes(value).hex()
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return render_timestamp(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return render_time(value)
    if isinstance(value, dt.timedelta):
        return render_interval(value)
    if isinstance(value, (list, tuple)):
        return render_array(value, type_code)
    if isinstance(value, dict):
        return render_json(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


def render_float(value: float, float4: bool = False) -> str:
    """Shortest digits that read back exactly, laid out like float8out/float4out."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    digits_text = shortest_float4(value) if float4 else repr(value)
    sign, digit_tuple, exponent = decimal.Decimal(digits_text).as_tuple()
    digits = "".join(map(str, digit_tuple))
    stripped = digits.rstrip("0") or "0"
    exponent += len(digits) - len(stripped)  # value = int(stripped) * 10**exponent
    digits = stripped
    power = len(digits) + exponent - 1       # decimal exponent of the first digit
    exponent_max = FLOAT4_EXPONENT_MAX if float4 else FLOAT8_EXPONENT_MAX
    minus = "-" if sign else ""
    if FLOAT8_EXPONENT_MIN <= power < exponent_max:
        if power < 0:
            return f"{minus}0.{'0' * (-power - 1)}{digits}"
        if power + 1 >= len(digits):
            return minus + digits + "0" * (power + 1 - len(digits))
        return f"{minus}{digits[:power + 1]}.{digits[power + 1:]}"
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{minus}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def shortest_float4(value: float) -> str:
    """Fewest significant digits that round-trip through a 32-bit float."""
    target = struct.pack("<f", value)
    for precision in range(1, 10):
        text = f"{value:.{precision}e}"
        if struct.pack("<f", float(text)) == target:
            return text
    return repr(value)


def render_numeric(value: decimal.Decimal) -> str:
    if value.is_nan():
        return "NaN"
    if value.is_infinite():
        return "Infinity" if value > 0 else "-Infinity"
    return format(value, "f")


def _fraction(microseconds: int) -> str:
    return f".{microseconds:06d}".rstrip("0") if microseconds else ""


def _offset(offset: dt.timedelta) -> str:
    """As PostgreSQL prints a timestamptz's offset (+00, -04, +05:30)."""
    from rowdb.query.zones import offset_text
    return offset_text(offset)


def render_timestamp(value: dt.datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S").rjust(19, "0") + _fraction(value.microsecond)
    if value.utcoffset() is not None:
        text += _offset(value.utcoffset())
    return text


def render_time(value: dt.time) -> str:
    text = value.strftime("%H:%M:%S") + _fraction(value.microsecond)
    if value.utcoffset() is not None:
        text += _offset(value.utcoffset())
    return text


def render_interval(value: dt.timedelta) -> str:
    """PostgreSQL's `postgres` IntervalStyle for a days + time interval."""
    total = value // dt.timedelta(microseconds=1)
    sign = "-" if total < 0 else ""
    days, micros = divmod(abs(total), 86_400_000_000)
    parts = []
    if days:
        parts.append(f"{sign}{days} day{'' if days == 1 and not sign else 's'}")
    if micros or not days:
        seconds, fraction = divmod(micros, 1_000_000)
        hours, rest = divmod(seconds, 3600)
        parts.append(f"{sign}{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
                     + _fraction(fraction))
    return " ".join(parts)


def _array_item(item, type_code) -> str:
    if item is None:
        return "NULL"
    if isinstance(item, (list, tuple)):
        return render_array(item, type_code)
    text = render(item)
    needs_quotes = (text == "" or text.upper() == "NULL"
                    or any(ch in text for ch in '{},"\\') or any(ch.isspace() for ch in text))
    if needs_quotes:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def render_array(value, type_code=None) -> str:
    return "{" + ",".join(_array_item(item, type_code) for item in value) + "}"


def render_json(value) -> str:
    """jsonb's layout: ", " and ": " separators, keys in the order the driver kept.

    json (not jsonb) keeps its input text verbatim, numbers lose trailing zeros through a
    float, and a JSON null arrives as None: compare `::text` in tests that care.
    """
    return json.dumps(value, ensure_ascii=False)
