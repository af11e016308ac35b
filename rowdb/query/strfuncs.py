"""String functions: lengths, case, substrings, trimming, padding, splitting, format, regexps.

Where: query layer; registered into functions.py's registry on import, called per row by
compiled expressions. Strings are Python str; positions count characters from 1, as in
PostgreSQL with UTF8. Case mapping and initcap's word boundaries follow the C locale that
rowdb shares with its PostgreSQL oracle: only ASCII letters change case (upper('é') is 'é').
Regular expressions are in regex.py (patterns) and regexfuncs.py (the regexp_* functions).

>>> _initcap("hello wORLD o'neil"), _split_part("a,b,c", ",", -1), _lpad("7", 3, "0")
("Hello World O'Neil", 'c', '007')
"""

from __future__ import annotations

import hashlib
import re
import string
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from rowdb.errors import DataError, InvalidParameterValueError, ProgramLimitExceededError
from rowdb.query import datetimes, intervals, textio
from rowdb.query.functions import scalar
from rowdb.query.regex import compile_are
from rowdb.query.intervals import Interval
from rowdb.query.types import BOOL, BPCHAR, BYTEA, INT4, INT8, TEXT, UUID

STRING_BYTES_MAX = 0x3FFFFFFF - 4   # MaxAllocSize less the varlena header.


class SubstringError(DataError, sqlstate="22011"):
    """substring_error"""


class NullValueNotAllowedError(DataError, sqlstate="22004"):
    """null_value_not_allowed"""


def _too_long() -> ProgramLimitExceededError:
    return ProgramLimitExceededError("requested length too large")


# Lengths and case ---------------------------------------------------------------------------

scalar("length|char_length|character_length", (TEXT,), INT4)(len)
scalar("length|char_length|character_length", (BPCHAR,), INT4)(
    lambda s: len(s.rstrip(" ")))            # char(n) padding does not count
scalar("length|octet_length", (BYTEA,), INT4)(len)


@scalar("octet_length", (TEXT,), INT4)
def _octet_length(s):
    return len(s) if s.isascii() else len(s.encode())


scalar("octet_length", (BPCHAR,), INT4)(lambda s: len(s.encode()))   # padding counts


@scalar("bit_length", (TEXT,), INT4)
def _bit_length(s):
    return 8 * _octet_length(s)


_TO_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_TO_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_ALNUM = frozenset(string.ascii_letters + string.digits)


@scalar("lower", (TEXT,), TEXT)
def _lower(s):
    return s.lower() if s.isascii() else s.translate(_TO_LOWER)


@scalar("upper", (TEXT,), TEXT)
def _upper(s):
    return s.upper() if s.isascii() else s.translate(_TO_UPPER)


@scalar("initcap", (TEXT,), TEXT)
def _initcap(s):
    out, word_start = [], True
    for char in s:
        alnum = char in _ALNUM
        out.append(char.upper() if word_start and alnum else char.lower() if alnum else char)
        word_start = not alnum
    return "".join(out)


# Pieces -------------------------------------------------------------------------------------

@scalar("substring|substr", (TEXT, INT4, INT4), TEXT, min_args=2)
def _substring(s, start, count=None):
    if count is None:
        return s[start - 1:] if start > 1 else s
    if count < 0:
        raise SubstringError("negative substring length not allowed")
    end = start + count - 1          # last position taken, counting from 1
    return s[max(start, 1) - 1:end] if end >= 1 else ""


@scalar("substring", (TEXT, TEXT), TEXT)
def _substring_regexp(s, pattern):
    match = compile_are(pattern, "").search(s)
    if match is None:
        return None
    return match.group(1) if match.re.groups else match.group(0)


@scalar("strpos|position", (TEXT, TEXT), INT4)
def _strpos(s, sub):
    return s.find(sub) + 1


@scalar("left", (TEXT, INT4), TEXT)
def _left(s, n):
    return s[:n]


@scalar("right", (TEXT, INT4), TEXT)
def _right(s, n):
    return s[-n:] if n > 0 else s[-n:] if n < 0 else ""


@scalar("split_part", (TEXT, TEXT, INT4), TEXT)
def _split_part(s, delimiter, field):
    if field == 0:
        raise InvalidParameterValueError("field position must not be zero")
    parts = s.split(delimiter) if delimiter else [s]
    if not s:
        return ""
    index = field - 1 if field > 0 else len(parts) + field
    return parts[index] if 0 <= index < len(parts) else ""


@scalar("starts_with", (TEXT, TEXT), BOOL)
def _starts_with(s, prefix):
    return s.startswith(prefix)


@scalar("overlay", (TEXT, TEXT, INT4, INT4), TEXT, min_args=3)
def _overlay(s, replacement, start, count=None):
    if count is None:
        count = len(replacement)
    return _substring(s, 1, start - 1) + replacement + _substring(s, start + count)


# Edits --------------------------------------------------------------------------------------

@scalar("replace", (TEXT, TEXT, TEXT), TEXT)
def _replace(s, old, new):
    return s.replace(old, new) if old else s


@scalar("translate", (TEXT, TEXT, TEXT), TEXT)
def _translate(s, source, target):
    table: dict[int, str | None] = {}
    for i, char in enumerate(source):
        table.setdefault(ord(char), target[i] if i < len(target) else None)
    return s.translate(table)


@scalar("btrim", (TEXT, TEXT), TEXT, min_args=1)
def _btrim(s, chars=" "):
    return s.strip(chars)


@scalar("ltrim", (TEXT, TEXT), TEXT, min_args=1)
def _ltrim(s, chars=" "):
    return s.lstrip(chars)


@scalar("rtrim", (TEXT, TEXT), TEXT, min_args=1)
def _rtrim(s, chars=" "):
    return s.rstrip(chars)


def _padding(s: str, length: int, fill: str) -> tuple[str, str]:
    """(s cut to length, the fill to add) for lpad/rpad."""
    if length * 4 > STRING_BYTES_MAX:
        raise _too_long()
    if length <= len(s) or not fill:
        return s[:max(length, 0)], ""
    missing = length - len(s)
    return s, (fill * (missing // len(fill) + 1))[:missing]


@scalar("lpad", (TEXT, INT4, TEXT), TEXT, min_args=2)
def _lpad(s, length, fill=" "):
    kept, pad = _padding(s, length, fill)
    return pad + kept


@scalar("rpad", (TEXT, INT4, TEXT), TEXT, min_args=2)
def _rpad(s, length, fill=" "):
    kept, pad = _padding(s, length, fill)
    return kept + pad


@scalar("repeat", (TEXT, INT4), TEXT)
def _repeat(s, n):
    if n > 0 and len(s) * n > STRING_BYTES_MAX // 4 and len(s.encode()) * n > STRING_BYTES_MAX:
        raise _too_long()
    return s * n if n > 0 else ""


@scalar("reverse", (TEXT,), TEXT)
def _reverse(s):
    return s[::-1]


# Values as text -----------------------------------------------------------------------------

def output_text(value) -> str:
    """A value as its type's output function prints it (concat, format): booleans t/f.

    The type is read off the Python value, so a real prints with float8's digits.
    """
    kind = type(value)
    if kind is str:
        return value
    if kind is datetime:
        return datetimes.format_timestamptz(value) if value.tzinfo is not None \
            else datetimes.format_timestamp(value)
    formatter = _OUTPUT.get(kind)
    return formatter(value) if formatter is not None else str(value)


_OUTPUT = {
    int: str, bool: lambda value: "t" if value else "f", float: textio.format_float8,
    Decimal: textio.format_numeric, date: datetimes.format_date, time: datetimes.format_time,
    Interval: intervals.format_interval, bytes: textio.format_bytea, uuid.UUID: str,
}


@scalar("concat", (None, ...), TEXT, strict=False, min_args=1)
def _concat(*values):
    return "".join([output_text(v) for v in values if v is not None])


@scalar("concat_ws", (TEXT, None, ...), TEXT, strict=False, min_args=1)
def _concat_ws(separator, *values):
    if separator is None:
        return None
    return separator.join([output_text(v) for v in values if v is not None])


@scalar("md5", (TEXT,), TEXT)
def _md5(s):
    return hashlib.md5(s.encode()).hexdigest()


scalar("md5", (BYTEA,), TEXT)(lambda b: hashlib.md5(b).hexdigest())


@scalar("ascii", (TEXT,), INT4)
def _ascii(s):
    return ord(s[0]) if s else 0


@scalar("chr", (INT4,), TEXT)
def _chr(code):
    if code == 0:
        raise ProgramLimitExceededError("null character not permitted")
    if code < 0:
        raise InvalidParameterValueError("character number must be positive")
    if code > 0x10FFFF:
        raise ProgramLimitExceededError(f"requested character too large for encoding: {code}")
    if 0xD800 <= code <= 0xDFFF:
        raise ProgramLimitExceededError(f"requested character not valid for encoding: {code}")
    return chr(code)


scalar("to_hex", (INT4,), TEXT)(lambda n: format(n & 0xFFFFFFFF, "x"))
scalar("to_hex", (INT8,), TEXT)(lambda n: format(n & 0xFFFFFFFFFFFFFFFF, "x"))


@scalar("gen_random_uuid", (), UUID, strict=False)
def _gen_random_uuid():
    return uuid.uuid4()


# Quoting and format() -----------------------------------------------------------------------

# PostgreSQL's keywords that are not UNRESERVED (kwlist.h): quote_ident quotes them.
_KEYWORDS = frozenset("""
all analyse analyze and any array as asc asymmetric both case cast check collate column
constraint create current_catalog current_date current_role current_time current_timestamp
current_user default deferrable desc distinct do else end except false fetch for foreign from
grant group having in initially intersect into lateral leading limit localtime localtimestamp
not null offset on only or order placing primary references returning select session_user
some symmetric system_user table then to trailing true union unique user using variadic when
where window with between bigint bit boolean char character coalesce dec decimal exists
extract float greatest grouping inout int integer interval least national nchar none
normalize nullif numeric out overlay position precision real row setof smallint substring
time timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists
xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable authorization binary
collation concurrently cross current_schema freeze full ilike inner is isnull join left like
natural notnull outer overlaps right similar tablesample verbose""".split())
_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*\Z")


@scalar("quote_ident", (TEXT,), TEXT)
def quote_ident(s):
    if _PLAIN_IDENTIFIER.match(s) and s not in _KEYWORDS:
        return s
    return '"' + s.replace('"', '""') + '"'


@scalar("quote_literal", (TEXT,), TEXT)
def quote_literal(s):
    quoted = "'" + s.replace("'", "''").replace("\\", "\\\\") + "'"
    return "E" + quoted if "\\" in s else quoted


scalar("quote_literal", (None,), TEXT)(lambda value: quote_literal(output_text(value)))
scalar("quote_nullable", (TEXT,), TEXT, strict=False)(
    lambda s: "NULL" if s is None else quote_literal(s))
scalar("quote_nullable", (None,), TEXT, strict=False)(
    lambda value: "NULL" if value is None else quote_literal(output_text(value)))

_FORMAT_SPEC = re.compile(r"%(?:(\d+)\$)?(-)?(?:(\d+)|\*(?:(\d+)\$)?)?(.)?", re.DOTALL)


@scalar("format", (TEXT, None, ...), TEXT, strict=False, min_args=1)
def _format(pattern, *args):
    """format(): %s, %I, %L and %%, with argument positions (%2$s), widths and '-'."""
    if pattern is None:
        return None
    out, position, next_arg = [], 0, 0
    while True:
        percent = pattern.find("%", position)
        if percent < 0:
            out.append(pattern[position:])
            return "".join(out)
        out.append(pattern[position:percent])
        match = _FORMAT_SPEC.match(pattern, percent)
        index, left, width, width_index, kind = match.groups()
        if kind is None:
            raise InvalidParameterValueError("unterminated format() type specifier")
        position = match.end()
        if kind == "%" and match.end() == percent + 2:
            out.append("%")
            continue
        if "*" in match.group(0):
            width = _format_arg(args, width_index, next_arg)
            next_arg = int(width_index) if width_index else next_arg + 1
        value = _format_arg(args, index, next_arg)
        next_arg = int(index) if index else next_arg + 1
        out.append(_format_one(kind, value, left, width))


def _format_arg(args: tuple, index: str | None, next_arg: int):
    number = int(index) if index else next_arg + 1
    if number == 0:
        raise InvalidParameterValueError(
            "format specifies argument 0, but arguments are numbered from 1")
    if number > len(args):
        raise InvalidParameterValueError("too few arguments for format()")
    return args[number - 1]


def _format_one(kind: str, value, left: str | None, width) -> str:
    if kind == "s":
        text = "" if value is None else output_text(value)
    elif kind == "I":
        if value is None:
            raise NullValueNotAllowedError(
                "null values cannot be formatted as an SQL identifier")
        text = quote_ident(output_text(value))
    elif kind == "L":
        text = "NULL" if value is None else quote_literal(output_text(value))
    else:
        raise InvalidParameterValueError(f'unrecognized format() type specifier "{kind}"',
                                         hint="For a single \"%\" use \"%%\".")
    width = int(width) if width is not None else 0
    if width < 0:
        left, width = "-", -width
    return text.ljust(width) if left else text.rjust(width)
