"""Row values as msgpack bytes: the value half of every leaf entry in a table's prolly tree.

Where: storage layer; tree code calls `encode_row` when staging an insert or update and
`decode_row` when a scan hands a row to the query layer. Keys use keys.py instead: rows need
no order, only an exact, compact and canonical form.

Invariants:
- `decode_row(encode_row(values)) == tuple(values)`, value for value and type for type
  (NaN compares unequal to itself, so tests compare NaNs by kind).
- Canonical: equal values always give the same bytes, because chunks are addressed by their
  hash and a spurious byte difference would show up as a modified row in diffs. msgpack picks
  the shortest form of every int, str, bin and ext header; floats are always float64; every
  float NaN is written as the one quiet NaN 0x7ff8000000000000.
- Unsupported values raise InvalidValueError (22023); undecodable bytes raise CorruptionError.

Call sketch:
    leaf.append((encode_key(pk), encode_row(values)))
    values = decode_row(raw)           # a tuple

Layout: one msgpack array of the column values. Native msgpack: None, bool, int in
[-2**63, 2**64), float (float64), str (UTF-8), bytes (bin; bytearray and memoryview too,
decoded as bytes). Extension types, each with a fixed payload:
    code  type                      payload
    1     int outside 64 bits       two's complement, big-endian, shortest
    2     Decimal                   str(value) in ASCII: exact digits and exponent, and also
                                    -0, NaN, sNaN, NaN payloads, +/-Infinity
    3     date                      >I proleptic Gregorian ordinal
    4     time (naive)              >Q microseconds since midnight
    5     datetime, naive           >Q microseconds since 0001-01-01 00:00
    6     datetime, aware           >Q UTC microseconds since 0001-01-01 00:00; decodes with
                                    tzinfo=UTC (the original zone is not kept, as timestamptz)
    7     timedelta (older rows)    >iII days, seconds, microseconds; decodes as an Interval
    8     uuid.UUID                 16 bytes
    9     interval.Interval         >iiq months, days, microseconds
time with a tzinfo raises InvalidValueError, as in keys.py; `fold` is not stored. Subclasses
of supported types (IntEnum, str subclasses, ...) are written as their base type and decode as
it.

Threads: each thread packs with its own msgpack Packer. A Packer keeps one output buffer,
and the `default` hook runs Python code mid-pack, where another thread could take the GIL and
write into the same buffer.
"""

from __future__ import annotations

import datetime
import operator
import struct
import threading
import uuid
from decimal import Decimal
from itertools import compress, repeat

import msgpack

from rowdb.errors import CorruptionError, InvalidValueError
from rowdb.storage import interval
from rowdb.storage.interval import Interval

EXT_BIG_INT = 1
EXT_DECIMAL = 2
EXT_DATE = 3
EXT_TIME = 4
EXT_TIMESTAMP = 5
EXT_TIMESTAMPTZ = 6
EXT_INTERVAL = 7
EXT_UUID = 8
EXT_INTERVAL_FIELDS = 9

_NATIVE_INT_MIN = -(1 << 63)
_NATIVE_INT_MAX = (1 << 64) - 1
_F64 = struct.Struct(">d")
_CANONICAL_NAN = _F64.unpack(bytes.fromhex("7ff8000000000000"))[0]
_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_INTERVAL = struct.Struct(">iII")
_US_PER_SECOND = 1_000_000
_ONE_US = datetime.timedelta(microseconds=1)
_NAIVE_MIN = datetime.datetime.min
_UTC_MIN = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)
_DATETIME_US_MAX = (datetime.datetime.max - datetime.datetime.min) // _ONE_US

_TIMEDELTA_DAYS_MAX = 999_999_999
_new_tuple = tuple.__new__


def _ext(code: int, payload: bytes) -> msgpack.ExtType:
    # ExtType() checks its arguments in Python, which costs more than the packing; our codes
    # and payloads are valid by construction.
    return _new_tuple(msgpack.ExtType, (code, payload))


_VALUE_TYPES = frozenset({
    type(None), bool, int, float, str, bytes, Decimal, datetime.date, datetime.time,
    datetime.datetime, Interval, uuid.UUID})
_eq = operator.eq


# Public API ---------------------------------------------------------------------------------

def encode_row(values: tuple | list) -> bytes:
    """Encode a row's column values as canonical msgpack bytes."""
    try:
        # Fast path: known exact types and no NaN (NaN != NaN; sNaN == raises).
        plain = _VALUE_TYPES.issuperset(map(type, values)) and all(map(_eq, values, values))
    except ArithmeticError:
        plain = False
    if not plain:
        values = _prepare(values)
    try:
        return _local.packer.pack(values)
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a lone surrogate in a str
        raise InvalidValueError("row value cannot be encoded",
                                detail=f"{type(exc).__name__}: {exc}") from exc


def encode_rows(rows: list, columns: list[list] | None = None,
                kinds: list | None = None) -> list[bytes]:
    """`encode_row` of many rows, column by column: type and NaN checks and date
    extensions run as C-level passes over each column, then one pack call per row.
    `columns` (the rows' values column by column) and `kinds` (each column's set of value
    types), when the caller has them, are used instead of extracting them again."""
    if not rows:
        return []
    width = len(rows[0])
    if columns is None and set(map(len, rows)) != {width}:
        return list(map(encode_row, rows))
    prepared, changed = [], False
    for index in range(width):
        column = columns[index] if columns is not None else \
            list(map(operator.itemgetter(index), rows))
        column_kinds = kinds[index] if kinds is not None else set(map(type, column))
        if not _VALUE_TYPES.issuperset(column_kinds):
            return list(map(encode_row, rows))  # subclasses, bad types: the slow path
        if float in column_kinds or Decimal in column_kinds:
            try:
                if not all(map(_eq, column, column)):
                    return list(map(encode_row, rows))  # NaNs are made canonical there
            except ArithmeticError:
                return list(map(encode_row, rows))
        if datetime.date in column_kinds:
            column, changed = _date_column(column), True
        prepared.append(column)
    try:
        if not changed:
            return list(map(_local.packer.pack, rows))
        return list(map(_local.packer.pack, zip(*prepared)))
    except (ValueError, TypeError, OverflowError):
        return list(map(encode_row, rows))  # names the bad value


def _date_column(column: list) -> list:
    """Dates replaced by their (cached) extension values, so packing calls no hook."""
    get = _date_exts.get
    out = list(map(get, column))
    if None in out:
        for value in set(compress(column, map(operator.is_, out, repeat(None)))):
            if type(value) is datetime.date:
                _date_ext(value)  # fills the cache: once per distinct date
        out = list(map(get, column))
        if None in out:  # NULLs (and any non-date) stay as they are
            out = [c if o is None else o for o, c in zip(out, column)]
    return out


def decode_row(data: bytes) -> tuple:
    """Decode `encode_row` output to a tuple of values; raise CorruptionError otherwise."""
    try:
        row = msgpack.unpackb(data, ext_hook=_ext_hook, use_list=False, raw=False,
                              strict_map_key=True, max_map_len=0)
    except CorruptionError:
        raise
    except (ValueError, TypeError, OverflowError, ArithmeticError, struct.error) as exc:
        raise _corrupt(data, f"{type(exc).__name__}: {exc}") from exc
    if type(row) is not tuple or not _VALUE_TYPES.issuperset(map(type, row)):
        raise _corrupt(data, "not an array of column values")
    return row


def decode_rows(values: list[bytes]) -> list[tuple]:
    """Decode many rows in one msgpack call (a leaf's worth): the scan fast path."""
    count = len(values)
    data = b"\xdd" + count.to_bytes(4, "big") + b"".join(values)
    try:
        rows = msgpack.unpackb(data, ext_hook=_ext_hook, use_list=False, raw=False,
                               strict_map_key=True, max_map_len=0, max_array_len=1 << 31)
    except CorruptionError:
        raise
    except (ValueError, TypeError, OverflowError, ArithmeticError, struct.error) as exc:
        raise _corrupt(data[:64], f"{type(exc).__name__}: {exc}") from exc
    if len(rows) != count or not {tuple}.issuperset(map(type, rows)):
        raise _corrupt(data[:64], "not a sequence of rows")
    return rows


# Encoding -----------------------------------------------------------------------------------

class _PerThread(threading.local):
    def __init__(self):
        self.packer = msgpack.Packer(default=_default, use_bin_type=True, autoreset=True,
                                     strict_types=False, use_single_float=False,
                                     unicode_errors="strict", datetime=False)


def _prepare(values) -> list:
    """Slow path: canonicalise NaNs and subclasses; reject what msgpack must not see."""
    prepared = []
    for v in values:
        t = type(v)
        if t is float or (t not in _VALUE_TYPES and isinstance(v, float)):
            v = float(v)
            if v != v:
                v = _CANONICAL_NAN
        elif t in _VALUE_TYPES:
            pass
        elif isinstance(v, (bytearray, memoryview)):
            v = bytes(v)
        elif isinstance(v, (int, str, bytes)):
            v = _to_base_type(v)
        elif not isinstance(v, _EXT_BASE_TYPES):
            raise _unsupported(v)
        prepared.append(v)
    return prepared


def _to_base_type(v):
    if isinstance(v, int):
        return int.__index__(v)
    if isinstance(v, str):
        return str.__str__(v)
    return bytes(v)


def _unsupported(v) -> InvalidValueError:
    return InvalidValueError(
        f"cannot store a value of type {type(v).__name__} in a row",
        detail=f"Value: {_preview(v)}.",
        hint="Rows hold NULL, bool, int, float, Decimal, str, bytes, date, time, datetime, "
             "interval and UUID values.")


def _preview(v) -> str:
    try:
        text = repr(v)
    except Exception:  # noqa: BLE001 - a broken __repr__ must not hide the real error
        text = f"<{type(v).__name__} object>"
    return text if len(text) <= 80 else text[:77] + "..."


def _default(v):
    """msgpack's hook for everything it does not pack natively (and ints beyond 64 bits)."""
    if type(v) is datetime.date:  # the common case: one cached extension per date
        return _date_ext(v)
    encoder = _EXT_ENCODERS.get(type(v))
    if encoder is None:
        encoder = _subclass_encoder(v)
    return encoder(v)


_date_exts: dict = {}


def _date_ext(v: datetime.date) -> msgpack.ExtType:
    found = _date_exts.get(v)
    if found is None:
        found = _encode_date(v)
        if len(_date_exts) > 100_000:
            _date_exts.clear()
        _date_exts[v] = found
    return found


def _subclass_encoder(v):
    for base in _EXT_BASE_TYPES:  # datetime before date: datetime is a date subclass
        if isinstance(v, base):
            return _EXT_ENCODERS[base]
    raise _unsupported(v)


def _encode_big_int(v: int) -> msgpack.ExtType:
    v = int.__index__(v)
    assert not _NATIVE_INT_MIN <= v <= _NATIVE_INT_MAX, "msgpack packs 64-bit ints natively"
    return _ext(EXT_BIG_INT, v.to_bytes((v.bit_length() + 8) >> 3, "big", signed=True))


def _encode_decimal(v: Decimal) -> msgpack.ExtType:
    return _ext(EXT_DECIMAL, _decimal_text(v).encode("ascii"))


def _decimal_text(v: Decimal) -> str:
    # str() writes the exponent as 'e' when the thread's decimal context has capitals=0;
    # no other letter of a Decimal string is an 'e' ("NaN", "sNaN", "Infinity").
    return Decimal.__str__(v).replace("e", "E")


def _encode_date(v: datetime.date) -> msgpack.ExtType:
    return _ext(EXT_DATE, _U32.pack(v.toordinal()))


def _encode_time(v: datetime.time) -> msgpack.ExtType:
    if v.tzinfo is not None:
        raise InvalidValueError(
            "time with time zone cannot be stored", detail=f"Value: {v.isoformat()}.",
            hint="Store a naive time, or a timestamp with time zone.")
    seconds = (v.hour * 60 + v.minute) * 60 + v.second
    return _ext(EXT_TIME, _U64.pack(seconds * _US_PER_SECOND + v.microsecond))


def _encode_datetime(v: datetime.datetime) -> msgpack.ExtType:
    if v.tzinfo is None:
        return _ext(EXT_TIMESTAMP, _U64.pack((v - _NAIVE_MIN) // _ONE_US))
    if v.utcoffset() is None:  # a tzinfo without an offset: naive by Python's definition
        micros = (v.replace(tzinfo=None) - _NAIVE_MIN) // _ONE_US
        return _ext(EXT_TIMESTAMP, _U64.pack(micros))
    micros = (v - _UTC_MIN) // _ONE_US
    if not 0 <= micros <= _DATETIME_US_MAX:
        raise InvalidValueError(
            "timestamp with time zone out of range",
            detail=f"Value: {v.isoformat()} is outside year 1..9999 in UTC.")
    return _ext(EXT_TIMESTAMPTZ, _U64.pack(micros))


def _encode_interval(v: Interval) -> msgpack.ExtType:
    return _ext(EXT_INTERVAL_FIELDS, interval.encode_row_payload(v))


def _encode_uuid(v: uuid.UUID) -> msgpack.ExtType:
    return _ext(EXT_UUID, v.bytes)


_EXT_ENCODERS = {
    int: _encode_big_int,
    Decimal: _encode_decimal,
    datetime.date: _encode_date,
    datetime.time: _encode_time,
    datetime.datetime: _encode_datetime,
    Interval: _encode_interval,
    uuid.UUID: _encode_uuid,
}
_EXT_BASE_TYPES = (int, Decimal, datetime.datetime, datetime.date, datetime.time,
                   Interval, uuid.UUID)

_local = _PerThread()


# Decoding -----------------------------------------------------------------------------------

def _corrupt(data, reason: str) -> CorruptionError:
    raw = bytes(data[:64])
    shown = raw.hex() + ("..." if len(data) > 64 else "")
    return CorruptionError("row bytes cannot be decoded",
                           detail=f"{reason}; {len(data)} bytes: {shown}.")


def _ext_hook(code: int, payload: bytes):
    if code == EXT_DATE:  # the common case first: one cached object per distinct date
        found = _dates.get(payload)
        if found is None:
            found = _decode_date(payload)
            if len(_dates) > 100_000:
                _dates.clear()
            _dates[payload] = found
        return found
    if not 0 < code < len(_EXT_DECODERS):
        raise _corrupt(payload, f"unknown msgpack extension type {code}")
    return _EXT_DECODERS[code](payload)


_dates: dict[bytes, datetime.date] = {}  # dates are immutable; tables repeat few of them


def _decode_big_int(payload: bytes) -> int:
    v = int.from_bytes(payload, "big", signed=True)
    if _NATIVE_INT_MIN <= v <= _NATIVE_INT_MAX or len(payload) != (v.bit_length() + 8) >> 3:
        raise _corrupt(payload, "big integer is not in its canonical form")
    return v


def _decode_decimal(payload: bytes) -> Decimal:
    text = payload.decode("ascii")
    v = Decimal(text)
    if _decimal_text(v) != text:
        raise _corrupt(payload, "decimal is not in its canonical form")
    return v


def _decode_date(payload: bytes) -> datetime.date:
    return datetime.date.fromordinal(_U32.unpack(payload)[0])


def _decode_time(payload: bytes) -> datetime.time:
    seconds, us = divmod(_U64.unpack(payload)[0], _US_PER_SECOND)
    minutes, s = divmod(seconds, 60)
    h, m = divmod(minutes, 60)
    return datetime.time(h, m, s, us)


def _datetime_micros(payload: bytes) -> int:
    micros = _U64.unpack(payload)[0]
    if micros > _DATETIME_US_MAX:
        raise _corrupt(payload, "timestamp out of range")
    return micros


def _decode_timestamp(payload: bytes) -> datetime.datetime:
    return _NAIVE_MIN + datetime.timedelta(microseconds=_datetime_micros(payload))


def _decode_timestamptz(payload: bytes) -> datetime.datetime:
    return _UTC_MIN + datetime.timedelta(microseconds=_datetime_micros(payload))


def _decode_timedelta(payload: bytes) -> Interval:
    days, seconds, us = _INTERVAL.unpack(payload)
    if seconds >= 86_400 or us >= _US_PER_SECOND or abs(days) > _TIMEDELTA_DAYS_MAX:
        raise _corrupt(payload, "interval fields out of range")
    return interval.decode_old_row_payload(days, seconds, us)


def _decode_uuid(payload: bytes) -> uuid.UUID:
    if len(payload) != 16:
        raise _corrupt(payload, "uuid is not 16 bytes")
    return uuid.UUID(bytes=payload)


_EXT_DECODERS = (None, _decode_big_int, _decode_decimal, _decode_date, _decode_time,
                 _decode_timestamp, _decode_timestamptz, _decode_timedelta, _decode_uuid,
                 interval.decode_row_payload)
assert all(_EXT_DECODERS[code] for code in range(EXT_BIG_INT, EXT_INTERVAL_FIELDS + 1))
