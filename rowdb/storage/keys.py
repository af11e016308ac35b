"""Order-preserving, prefix-free byte encoding of key tuples (primary and index keys).

Where: storage layer; tree and index code call `encode_key` before every insert or seek and
`decode_key` when a scan hands keys back to the query layer. No SQL here: values are Python.

Invariants:
- `encode_key(a) < encode_key(b)` (plain bytes comparison) iff tuple `a` sorts before `b` in
  SQL `ORDER BY c1, c2, ...` ascending, for values of the same type in each position.
  A tuple that is a prefix of another sorts first.
- `encode_key(t)` is the concatenation of one self-delimiting encoding per element, so
  `encode_key(t[:i])` is a byte prefix of `encode_key(t)`; every key whose leading columns
  equal `p` lies in `[encode_key(p), prefix_successor(encode_key(p)))`.
- `decode_key(encode_key(t)) == t`, with the same types. Decoding is strict: bytes that no
  value encodes to raise `CorruptionError`, so `encode_key(decode_key(b)) == b` always.

Call sketch:
    low = encode_key((tenant_id,))
    high = prefix_successor(low)          # None: no upper bound
    for key, row in tree.scan(low, high): values = decode_key(key)

Element layout: one tag byte, then a body. Across types the order is that of the tags.
    tag        type                         body
    0x02/0x03  bool False / True            none
    0x17       int < -(2**64 - 1)           ~length, ~magnitude (see "big ints" below)
    0x18-0x1f  int, 8..1 magnitude bytes    n bytes of (2**(8n) - 1 - |v|)
    0x20       int 0                        none
    0x21-0x28  int, 1..8 magnitude bytes    n bytes of v, big-endian, no leading zero
    0x29       int > 2**64 - 1              length, magnitude
    0x30       float                        8 bytes: IEEE bits, sign flipped (positives) or
                                            all bits flipped (negatives); one NaN pattern
    0x38-0x3d  Decimal: -Inf, <0, 0, >0, +Inf, NaN (see "Decimal" below)
    0x40       bytes (bytearray, memoryview)  escaped bytes, 0x00 0x01
    0x41       str                          escaped UTF-8, 0x00 0x01
    0x50       date                         4 bytes: proleptic Gregorian ordinal
    0x51       time (naive)                 8 bytes: microseconds since midnight
    0x52       datetime, naive (timestamp)  8 bytes: microseconds since 0001-01-01 00:00
    0x53       datetime, aware (timestamptz) 8 bytes: UTC microseconds since 0001-01-01
    0x54       timedelta (older versions)   decodes as an Interval; see storage/interval.py
    0x56       interval.Interval            span (16 bytes), months, days (4 bytes each)
    0x60       uuid.UUID                    16 bytes, as PostgreSQL compares uuids
    0xff       NULL (None)                  none: NULLS LAST; a single byte, so prefix-free
Strings and bytes escape 0x00 as 0x00 0xff and end with 0x00 0x01; an escaped zero sorts
above the terminator, so "a" < "a\\x00" < "a\\x01" as in code-point order.
Big ints: length is one byte (9..254) or 0xff + 8 bytes; negatives complement length and
magnitude, so longer magnitudes sort first.
Decimal: finite non-zero values are (adjusted exponent as an int element, digits 1..9 of the
coefficient without trailing zeros, one byte each as d + 1, then 0x00); negative values negate
the exponent and store 0xfe - d with terminator 0xff. A tie-breaker follows, so values equal
numerically but written with different exponents keep distinct keys and decode exactly:
-(trailing zero count) as an int element, which orders them by exponent ascending
(Decimal('1.00') < Decimal('1.0') < Decimal('1')). Zero stores sign (0 = negative, sorts
first) and exponent. The SQL layer normalises numeric(p, s) values to the column scale, so in
a table equal numbers do have equal keys. Only the quiet, unsigned NaN without payload is
accepted (PostgreSQL has one numeric NaN); it sorts above +Infinity.

Types and choices:
- bool is kept apart from int: True decodes as True and 1 as 1.
- Subclasses (IntEnum, str subclasses, ...) encode as their base type and decode as it.
- Aware datetimes are stored as the UTC instant and decode as datetimes with tzinfo=UTC; the
  original zone is not kept (PostgreSQL timestamptz does the same). Instants whose UTC form
  falls outside year 1..9999 raise InvalidValueError.
- time with any tzinfo (timetz) raises InvalidValueError: storing it naive would silently
  drop the offset. `fold` is not stored (it does not take part in equality either).
- All float NaNs encode alike and decode as float('nan'); -0.0 sorts just before 0.0.

Known gaps: the per-key size limit (limits.key_bytes_max) is enforced by the tree, not here.
"""

from __future__ import annotations

import datetime
import operator
import struct
import uuid
from decimal import Decimal
from itertools import repeat

from rowdb.errors import CorruptionError, InvalidValueError
from rowdb.storage import interval
from rowdb.storage.interval import Interval

# Tags ---------------------------------------------------------------------------------------

TAG_FALSE = 0x02
TAG_TRUE = 0x03
TAG_INT_NEG_BIG = 0x17
TAG_INT_ZERO = 0x20
TAG_INT_POS_BIG = 0x29
TAG_FLOAT = 0x30
TAG_DEC_NEG_INF = 0x38
TAG_DEC_NEG = 0x39
TAG_DEC_ZERO = 0x3A
TAG_DEC_POS = 0x3B
TAG_DEC_POS_INF = 0x3C
TAG_DEC_NAN = 0x3D
TAG_BYTES = 0x40
TAG_STR = 0x41
TAG_DATE = 0x50
TAG_TIME = 0x51
TAG_TIMESTAMP = 0x52
TAG_TIMESTAMPTZ = 0x53
TAG_UUID = 0x60
TAG_NULL = 0xFF

_INT_SMALL_BYTES_MAX = 8
_INT_SMALL_LIMIT = 1 << (8 * _INT_SMALL_BYTES_MAX)  # |v| below this: tags 0x18..0x28.
_BIG_LENGTH_SHORT_MAX = 254                         # Longer lengths use 0xff + 8 bytes.

# Small ints: tag and magnitude in one to_bytes call. Positive: (tag << 8n) | v.
# Negative: ((tag << 8n) | (2**(8n) - 1)) - |v|, i.e. the tag then the complemented magnitude.
_INT_POS_BASE = [(TAG_INT_ZERO + n) << (8 * n) for n in range(9)]
# The same, looked up by the value's bit length (one table look-up instead of three ops).
_INT_POS_BASE_BY_BITS = [_INT_POS_BASE[(b + 7) >> 3] for b in range(8 * _INT_SMALL_BYTES_MAX + 1)]
_INT_POS_SIZE_BY_BITS = [((b + 7) >> 3) + 1 for b in range(8 * _INT_SMALL_BYTES_MAX + 1)]
_INT_NEG_BASE = [((TAG_INT_ZERO - n) << (8 * n)) | ((1 << (8 * n)) - 1) for n in range(9)]

_NULL_BYTES = bytes((TAG_NULL,))
_first = operator.itemgetter(0)
_FALSE_BYTES = bytes((TAG_FALSE,))
_TRUE_BYTES = bytes((TAG_TRUE,))
_STR_END = b"\x00\x01"
_ZERO = b"\x00"
_ZERO_ESCAPED = b"\x00\xff"

_SIGN_BIT = 1 << 63
_ALL_BITS = (1 << 64) - 1
_FLOAT_NAN_BITS = 0x7FF8_0000_0000_0000 | _SIGN_BIT  # float('nan') after the sign flip.

_TAG_U64 = struct.Struct(">BQ")
_TAG_U32 = struct.Struct(">BI")
_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")
_F64 = struct.Struct(">d")

_FLOAT_NAN_KEY = _TAG_U64.pack(TAG_FLOAT, _FLOAT_NAN_BITS)

# Decimal digits: d -> d + 1 (positive, terminator 0x00) or 0xfe - d (negative, terminator 0xff).
_DEC_POS_END = b"\x00"
_DEC_NEG_END = b"\xff"
_DIGITS_TO_POS = bytes.maketrans(bytes(range(10)), bytes(range(1, 11)))
_DIGITS_TO_NEG = bytes.maketrans(bytes(range(10)), bytes(range(0xFE, 0xF4, -1)))
# Decoding maps valid digit bytes to ASCII '0'..'9' and every other byte to '!'.
_POS_TO_ASCII = bytes(0x2F + b if 1 <= b <= 10 else 0x21 for b in range(256))
_NEG_TO_ASCII = bytes(0x30 + 0xFE - b if 0xF5 <= b <= 0xFE else 0x21 for b in range(256))

_US_PER_SECOND = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_SECOND
_ONE_US = datetime.timedelta(microseconds=1)
_NAIVE_MIN = datetime.datetime.min
_UTC_MIN = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
_DATETIME_US_MAX = (datetime.datetime.max - datetime.datetime.min) // _ONE_US


# Public API ---------------------------------------------------------------------------------

def encode_key(values: tuple | list) -> bytes:
    """Encode a tuple of SQL values as an order-preserving, prefix-free byte string."""
    if len(values) == 1:
        v = values[0]
        if type(v) is int and 0 <= v < _INT_SMALL_LIMIT:  # fast path: the usual id column
            n = (v.bit_length() + 7) >> 3
            return (_INT_POS_BASE[n] | v).to_bytes(n + 1, "big")
        return _ENCODERS.get(type(v), _encode_other)(v)
    get = _ENCODERS.get
    return b"".join([get(type(v), _encode_other)(v) for v in values])


def encode_keys(keys: list) -> list[bytes]:
    """`encode_key` of many key tuples."""
    if keys and set(map(len, keys)) == {1}:
        return encode_single_keys(list(map(_first, keys)))
    return list(map(encode_key, keys))


def encode_single_keys(values: list) -> list[bytes]:
    """`encode_key((v,))` of each value; small non-negative ints (the usual id column of a
    bulk load) with C-level passes, no call per key."""
    if values and set(map(type, values)) == {int} and min(values) >= 0 and \
            max(values) < _INT_SMALL_LIMIT:
        bits = list(map(int.bit_length, values))
        return list(map(int.to_bytes,
                        map(operator.or_, map(_INT_POS_BASE_BY_BITS.__getitem__, bits), values),
                        map(_INT_POS_SIZE_BY_BITS.__getitem__, bits)))
    get = _ENCODERS.get
    return [get(type(v), _encode_other)(v) for v in values]


def encode_value(v) -> bytes:
    """Encode one value: the element `encode_key` concatenates."""
    return _ENCODERS.get(type(v), _encode_other)(v)


def decode_key(data: bytes) -> tuple:
    """Decode `encode_key` output back to the same tuple; raise CorruptionError otherwise."""
    if type(data) is not bytes:
        data = bytes(data)
    values = []
    pos = 0
    end = len(data)
    try:
        while pos < end:
            value, pos = _DECODERS[data[pos]](data, pos + 1)
            values.append(value)
    except CorruptionError:
        raise
    except (IndexError, ValueError, OverflowError, ArithmeticError, struct.error) as exc:
        raise _corrupt(data, pos, f"{type(exc).__name__}: {exc}") from exc
    return tuple(values)


def prefix_successor(prefix: bytes) -> bytes | None:
    """Smallest byte string above every string starting with `prefix`; None if none is.

    >>> prefix_successor(b"ab\\xff\\xff")
    b'ac'
    >>> prefix_successor(b"\\xff") is None
    True
    """
    stripped = bytes(prefix).rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes((stripped[-1] + 1,))


# Encoders: one per Python type, each returning tag + body ----------------------------------

def _encode_none(v) -> bytes:
    return _NULL_BYTES


def _encode_bool(v: bool) -> bytes:
    return _TRUE_BYTES if v else _FALSE_BYTES


def _encode_int(v: int) -> bytes:
    if v >= 0:
        n = (v.bit_length() + 7) >> 3
        if n <= _INT_SMALL_BYTES_MAX:
            return (_INT_POS_BASE[n] | v).to_bytes(n + 1, "big")
        return bytes((TAG_INT_POS_BIG,)) + _big_length(n) + v.to_bytes(n, "big")
    m = -v
    n = (m.bit_length() + 7) >> 3
    if n <= _INT_SMALL_BYTES_MAX:
        return (_INT_NEG_BASE[n] - m).to_bytes(n + 1, "big")
    complement = ((1 << (8 * n)) - 1) - m
    length = bytes(255 - b for b in _big_length(n))
    return bytes((TAG_INT_NEG_BIG,)) + length + complement.to_bytes(n, "big")


def _big_length(n: int) -> bytes:
    if n <= _BIG_LENGTH_SHORT_MAX:
        return bytes((n,))
    if n > _ALL_BITS:
        raise InvalidValueError("integer out of range for a key")
    return b"\xff" + _U64.pack(n)


def _encode_float(v: float) -> bytes:
    if v != v:
        return _FLOAT_NAN_KEY
    bits = _U64.unpack(_F64.pack(v))[0]
    bits = bits ^ _ALL_BITS if bits & _SIGN_BIT else bits | _SIGN_BIT
    return _TAG_U64.pack(TAG_FLOAT, bits)


def _encode_decimal(v: Decimal) -> bytes:
    sign, digits, exp = v.as_tuple()
    if not isinstance(exp, int):
        return _encode_decimal_special(v, sign, digits)
    raw = bytes(digits).rstrip(b"\x00")
    if not raw:
        return bytes((TAG_DEC_ZERO, 1 - sign)) + _encode_int(exp)
    adjusted = exp + len(digits) - 1
    tie = _encode_int(len(raw) - len(digits))
    if sign:
        return (bytes((TAG_DEC_NEG,)) + _encode_int(-adjusted)
                + raw.translate(_DIGITS_TO_NEG) + _DEC_NEG_END + tie)
    return (bytes((TAG_DEC_POS,)) + _encode_int(adjusted)
            + raw.translate(_DIGITS_TO_POS) + _DEC_POS_END + tie)


def _encode_decimal_special(v: Decimal, sign: int, digits: tuple) -> bytes:
    if v.is_infinite():
        return bytes((TAG_DEC_NEG_INF if sign else TAG_DEC_POS_INF,))
    if v.is_snan() or sign or digits:
        raise InvalidValueError(
            "numeric NaN with a sign, payload or signal cannot be a key",
            detail=f"Value: {v!s}.", hint="Use Decimal('NaN').")
    return bytes((TAG_DEC_NAN,))


def _encode_str(v: str) -> bytes:
    try:
        raw = v.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidValueError(
            "string cannot be encoded as UTF-8",
            detail=f"Character {v[exc.start]!r} at position {exc.start}.") from exc
    return b"\x41" + raw.replace(_ZERO, _ZERO_ESCAPED) + _STR_END


def _encode_bytes(v) -> bytes:
    return b"\x40" + bytes(v).replace(_ZERO, _ZERO_ESCAPED) + _STR_END


def _encode_date(v: datetime.date) -> bytes:
    return _TAG_U32.pack(TAG_DATE, v.toordinal())


def _encode_time(v: datetime.time) -> bytes:
    if v.tzinfo is not None:
        raise InvalidValueError(
            "time with time zone cannot be encoded", detail=f"Value: {v.isoformat()}.",
            hint="Store a naive time, or a timestamp with time zone.")
    seconds = (v.hour * 60 + v.minute) * 60 + v.second
    return _TAG_U64.pack(TAG_TIME, seconds * _US_PER_SECOND + v.microsecond)


def _encode_datetime(v: datetime.datetime) -> bytes:
    if v.tzinfo is None:
        return _TAG_U64.pack(TAG_TIMESTAMP, (v - _NAIVE_MIN) // _ONE_US)
    if v.utcoffset() is None:  # a tzinfo without an offset: naive by Python's definition
        return _TAG_U64.pack(TAG_TIMESTAMP, (v.replace(tzinfo=None) - _NAIVE_MIN) // _ONE_US)
    micros = (v - _UTC_MIN) // _ONE_US
    if not 0 <= micros <= _DATETIME_US_MAX:
        raise InvalidValueError(
            "timestamp with time zone out of range",
            detail=f"Value: {v.isoformat()} is outside year 1..9999 in UTC.")
    return _TAG_U64.pack(TAG_TIMESTAMPTZ, micros)


def _encode_uuid(v: uuid.UUID) -> bytes:
    return b"\x60" + v.bytes


_ENCODERS = {
    type(None): _encode_none,
    bool: _encode_bool,
    int: _encode_int,
    float: _encode_float,
    Decimal: _encode_decimal,
    str: _encode_str,
    bytes: _encode_bytes,
    bytearray: _encode_bytes,
    memoryview: _encode_bytes,
    datetime.date: _encode_date,
    datetime.time: _encode_time,
    datetime.datetime: _encode_datetime,
    Interval: interval.encode_key,
    uuid.UUID: _encode_uuid,
}

# Subclass lookup order: bool before int, datetime before date.
_BASE_TYPES = (bool, int, float, Decimal, str, bytes, bytearray, memoryview,
               datetime.datetime, datetime.date, datetime.time, Interval, uuid.UUID)


def _encode_other(v) -> bytes:
    for base in _BASE_TYPES:
        if isinstance(v, base):
            return _ENCODERS[base](v)
    raise InvalidValueError(
        f"cannot use a value of type {type(v).__name__} in a key",
        detail=f"Value: {_preview(v)}.",
        hint="Keys hold NULL, bool, int, float, Decimal, str, bytes, date, time, datetime, "
             "interval and UUID values.")


def _preview(v) -> str:
    try:
        text = repr(v)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(v).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


# Decoders: decoder(data, pos after the tag) -> (value, pos after the body) ------------------

def _corrupt(data: bytes, pos: int, reason: str) -> CorruptionError:
    shown = data[:64].hex() + ("..." if len(data) > 64 else "")
    return CorruptionError("key bytes cannot be decoded",
                           detail=f"{reason} at byte {pos} of {len(data)}: {shown}.")


def _decode_unknown(data: bytes, pos: int):
    raise _corrupt(data, pos - 1, f"unknown type tag 0x{data[pos - 1]:02x}")


def _take(data: bytes, pos: int, n: int) -> bytes:
    body = data[pos:pos + n]
    if len(body) != n:
        raise _corrupt(data, pos, f"truncated value: needs {n} bytes")
    return body


def _constant(value):
    def decode(data: bytes, pos: int):
        return value, pos
    return decode


def _int_decoder(n: int, negative: bool):
    mask = (1 << (8 * n)) - 1
    redundant = 0xFF if negative else 0x00  # a leading byte that a shorter form would drop

    def decode(data: bytes, pos: int):
        end = pos + n
        body = data[pos:end]
        if len(body) != n or body[0] == redundant:
            raise _corrupt(data, pos, "integer is truncated or not in its shortest form")
        if negative:
            return int.from_bytes(body, "big") - mask, end
        return int.from_bytes(body, "big"), end
    return decode


def _decode_int_big(data: bytes, pos: int, negative: bool):
    first = _take(data, pos, 1)[0] ^ (0xFF if negative else 0)
    pos += 1
    if first == 0xFF:
        n = _U64.unpack(_take(data, pos, 8))[0] ^ (_ALL_BITS if negative else 0)
        pos += 8
        if n <= _BIG_LENGTH_SHORT_MAX:
            raise _corrupt(data, pos, "big integer length is not in its shortest form")
    else:
        n = first
    if n <= _INT_SMALL_BYTES_MAX:
        raise _corrupt(data, pos, "big integer is short enough for a small tag")
    body = _take(data, pos, n)
    if body[0] == (0xFF if negative else 0x00):
        raise _corrupt(data, pos, "integer is not in its shortest form")
    value = int.from_bytes(body, "big")
    return (value - ((1 << (8 * n)) - 1) if negative else value), pos + n


def _decode_int_pos_big(data: bytes, pos: int):
    return _decode_int_big(data, pos, False)


def _decode_int_neg_big(data: bytes, pos: int):
    return _decode_int_big(data, pos, True)


def _decode_int_element(data: bytes, pos: int) -> tuple[int, int]:
    if pos >= len(data):
        raise _corrupt(data, pos, "truncated decimal")
    tag = data[pos]
    if not TAG_INT_NEG_BIG <= tag <= TAG_INT_POS_BIG:
        raise _corrupt(data, pos, "decimal field is not an integer")
    return _DECODERS[tag](data, pos + 1)


def _decode_float(data: bytes, pos: int):
    bits = _U64.unpack(_take(data, pos, 8))[0]
    bits = bits ^ _SIGN_BIT if bits & _SIGN_BIT else bits ^ _ALL_BITS
    value = _F64.unpack(_U64.pack(bits))[0]
    if value != value and bits != _FLOAT_NAN_BITS ^ _SIGN_BIT:
        raise _corrupt(data, pos, "float NaN is not in its canonical form")
    return value, pos + 8


def _decode_decimal_finite(data: bytes, pos: int, negative: bool):
    adjusted, pos = _decode_int_element(data, pos)
    end = data.find(_DEC_NEG_END if negative else _DEC_POS_END, pos)
    if end < 0:
        raise _corrupt(data, pos, "decimal digits have no terminator")
    table = _NEG_TO_ASCII if negative else _POS_TO_ASCII
    digits = data[pos:end].translate(table).decode("ascii")
    if not digits or "!" in digits or digits[0] == "0" or digits[-1] == "0":
        raise _corrupt(data, pos, "invalid decimal digits")
    tie, pos = _decode_int_element(data, end + 1)
    if tie > 0:
        raise _corrupt(data, end + 1, "invalid decimal trailing zero count")
    if negative:
        adjusted = -adjusted
    coefficient = digits + "0" * -tie
    exp = adjusted - len(coefficient) + 1
    return Decimal(f"{'-' if negative else ''}{coefficient}E{exp}"), pos


def _decode_decimal_pos(data: bytes, pos: int):
    return _decode_decimal_finite(data, pos, False)


def _decode_decimal_neg(data: bytes, pos: int):
    return _decode_decimal_finite(data, pos, True)


def _decode_decimal_zero(data: bytes, pos: int):
    sign = _take(data, pos, 1)[0]
    if sign > 1:
        raise _corrupt(data, pos, "invalid decimal zero sign")
    exp, pos = _decode_int_element(data, pos + 1)
    return Decimal(f"{'' if sign else '-'}0E{exp}"), pos


def _decode_escaped(data: bytes, pos: int) -> tuple[bytes, int]:
    end = data.find(_STR_END, pos)
    if end < 0:
        raise _corrupt(data, pos, "string has no terminator")
    body = data[pos:end]
    if _ZERO in body:
        if body.count(_ZERO) != body.count(_ZERO_ESCAPED):
            raise _corrupt(data, pos, "invalid zero byte escape")
        body = body.replace(_ZERO_ESCAPED, _ZERO)
    return body, end + 2


def _decode_str(data: bytes, pos: int):
    end = data.find(_STR_END, pos)
    if end < 0 or _ZERO in data[pos:end]:  # an escaped zero byte: take the general path
        body, end = _decode_escaped(data, pos)
        return body.decode("utf-8"), end
    return data[pos:end].decode("utf-8"), end + 2


def _decode_date(data: bytes, pos: int):
    ordinal = _U32.unpack(_take(data, pos, 4))[0]
    return datetime.date.fromordinal(ordinal), pos + 4


def _decode_time(data: bytes, pos: int):
    micros = _U64.unpack(_take(data, pos, 8))[0]
    seconds, us = divmod(micros, _US_PER_SECOND)
    minutes, s = divmod(seconds, 60)
    h, m = divmod(minutes, 60)
    return datetime.time(h, m, s, us), pos + 8


def _decode_datetime_micros(data: bytes, pos: int) -> int:
    micros = _U64.unpack(_take(data, pos, 8))[0]
    if micros > _DATETIME_US_MAX:
        raise _corrupt(data, pos, "timestamp out of range")
    return micros


def _decode_timestamp(data: bytes, pos: int):
    micros = _decode_datetime_micros(data, pos)
    return _NAIVE_MIN + datetime.timedelta(microseconds=micros), pos + 8


def _decode_timestamptz(data: bytes, pos: int):
    micros = _decode_datetime_micros(data, pos)
    return _UTC_MIN + datetime.timedelta(microseconds=micros), pos + 8


def _decode_uuid(data: bytes, pos: int):
    return uuid.UUID(bytes=_take(data, pos, 16)), pos + 16


def _build_decoders() -> list:
    decoders = [_decode_unknown] * 256
    decoders[TAG_NULL] = _constant(None)
    decoders[TAG_FALSE] = _constant(False)
    decoders[TAG_TRUE] = _constant(True)
    decoders[TAG_INT_ZERO] = _constant(0)
    for n in range(1, _INT_SMALL_BYTES_MAX + 1):
        decoders[TAG_INT_ZERO + n] = _int_decoder(n, negative=False)
        decoders[TAG_INT_ZERO - n] = _int_decoder(n, negative=True)
    decoders[TAG_INT_POS_BIG] = _decode_int_pos_big
    decoders[TAG_INT_NEG_BIG] = _decode_int_neg_big
    decoders[TAG_FLOAT] = _decode_float
    decoders[TAG_DEC_NEG_INF] = _constant(Decimal("-Infinity"))
    decoders[TAG_DEC_NEG] = _decode_decimal_neg
    decoders[TAG_DEC_ZERO] = _decode_decimal_zero
    decoders[TAG_DEC_POS] = _decode_decimal_pos
    decoders[TAG_DEC_POS_INF] = _constant(Decimal("Infinity"))
    decoders[TAG_DEC_NAN] = _constant(Decimal("NaN"))
    decoders[TAG_BYTES] = _decode_escaped
    decoders[TAG_STR] = _decode_str
    decoders[TAG_DATE] = _decode_date
    decoders[TAG_TIME] = _decode_time
    decoders[TAG_TIMESTAMP] = _decode_timestamp
    decoders[TAG_TIMESTAMPTZ] = _decode_timestamptz
    decoders[interval.TAG] = interval.decode_key
    decoders[interval.TAG_OLD] = interval.decode_old_key
    decoders[TAG_UUID] = _decode_uuid
    return decoders


_DECODERS = _build_decoders()
