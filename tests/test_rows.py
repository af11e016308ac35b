"""Tests for rowdb/storage/rows.py: exact round trips, canonical bytes, bad input."""

from __future__ import annotations

import datetime
import decimal
import enum
import math
import struct
import threading
import uuid
from datetime import date, time, timedelta, timezone
from decimal import Decimal

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rowdb.errors import CorruptionError, InvalidValueError
from rowdb.storage.interval import Interval
from rowdb.storage.rows import decode_row, encode_row

relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

INT_EDGES = [0, -1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -2**63, -2**63 - 1, 10**100, -10**100,
             -2**64, 2**127, -2**127, -2**127 - 1, 10**1000]
FLOAT_EDGES = [0.0, -0.0, math.inf, -math.inf, math.nan, -math.nan, 5e-324, -5e-324,
               1.7976931348623157e308]
DECIMAL_EDGES = [Decimal(s) for s in [
    "0", "-0", "0.00", "-0E+5", "1.0", "1.00", "1E+2", "NaN", "-NaN", "sNaN", "NaN123",
    "Infinity", "-Infinity", "-123.4500", "1E+999999999999999999", "1E-999999999999999999",
    "9" * 80]]

ints = st.one_of(st.integers(), st.integers(-2**700, 2**700), st.sampled_from(INT_EDGES))
floats = st.one_of(st.floats(), st.sampled_from(FLOAT_EDGES))
decimals = st.one_of(st.decimals(), st.decimals(allow_nan=True, allow_infinity=True, places=3),
                     st.sampled_from(DECIMAL_EDGES))
offsets = st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                        max_value=timedelta(hours=23, minutes=59))
aware_datetimes = st.builds(
    lambda dt, offset: dt.replace(tzinfo=timezone(offset)),
    st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)),
    offsets)
texts = st.one_of(st.text(st.characters(codec="utf-8")),
                  st.text(st.sampled_from(["a", "\x00", "\xff", "\U0001F600"])))

ANY_VALUE = st.one_of(
    st.none(), st.booleans(), ints, floats, decimals, texts, st.binary(),
    st.one_of(st.dates(), st.sampled_from([date.min, date.max])), st.times(),
    st.one_of(st.datetimes(), st.sampled_from([datetime.datetime.min, datetime.datetime.max])),
    aware_datetimes, st.builds(Interval, st.integers(-2**31, 2**31 - 1),
                               st.integers(-2**31, 2**31 - 1), st.integers(-2**63, 2**63 - 1)),
    st.uuids())
ROWS = st.lists(ANY_VALUE, max_size=8)


def ident(v):
    """Identity of a value: type and exact repr (NaNs alike; aware datetimes in UTC; no fold)."""
    if isinstance(v, (bytearray, memoryview)):
        v = bytes(v)
    if isinstance(v, (datetime.time, datetime.datetime)):
        v = v.replace(fold=0)
    if isinstance(v, datetime.datetime) and v.utcoffset() is not None:
        v = v.astimezone(timezone.utc)
    return type(v), repr(v)


# Round trips --------------------------------------------------------------------------------

@relaxed
@given(ROWS)
def test_round_trip_any_row(values):
    decoded = decode_row(encode_row(values))
    assert type(decoded) is tuple
    assert [ident(v) for v in decoded] == [ident(v) for v in values]


@pytest.mark.parametrize("value", INT_EDGES + FLOAT_EDGES + DECIMAL_EDGES + [
    None, True, False, "", b"", "a\x00b", "\xff\U0001F600", date.min, date.max, time.min,
    time.max, datetime.datetime.min, datetime.datetime.max,
    datetime.datetime(2024, 2, 29, 12, 30, 45, 123456),
    datetime.datetime(2024, 2, 29, 12, 30, 45, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    Interval(-2**31, -2**31, -2**63), Interval(2**31 - 1, 2**31 - 1, 2**63 - 1),
    Interval(0, 0, -1), Interval(1), uuid.UUID(int=2**128 - 1)],
    ids=lambda v: repr(v)[:40])
def test_round_trip_edge_values(value):
    (decoded,) = decode_row(encode_row([value]))
    assert ident(decoded) == ident(value)


def test_floats_round_trip_bit_exact():
    for v in (0.0, -0.0, math.inf, -math.inf, 5e-324, 0.1):
        (decoded,) = decode_row(encode_row((v,)))
        assert struct.pack(">d", decoded) == struct.pack(">d", v)
    (decoded,) = decode_row(encode_row((math.nan,)))
    assert math.isnan(decoded)


def test_aware_datetime_decodes_as_utc_instant():
    local = datetime.datetime(2024, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    (decoded,) = decode_row(encode_row((local,)))
    assert decoded == local and decoded.tzinfo is timezone.utc and decoded.hour == 7


def test_bool_and_int_stay_distinct():
    assert [type(v) for v in decode_row(encode_row((True, 1, False, 0)))] == [bool, int] * 2


def test_decimal_keeps_exponent_and_sign():
    for text in ("1.0", "1.00", "-0", "0E-7", "NaN", "sNaN", "-Infinity", "1.23E+45"):
        (decoded,) = decode_row(encode_row((Decimal(text),)))
        assert str(decoded) == text


# Canonical bytes ----------------------------------------------------------------------------

@relaxed
@given(ROWS)
def test_encoding_is_canonical(values):
    data = encode_row(values)
    assert encode_row(decode_row(data)) == data
    assert encode_row(tuple(values)) == encode_row(list(values))


def test_equal_values_give_equal_bytes():
    negative_nan = struct.unpack(">d", bytes.fromhex("fff8000000000000"))[0]
    payload_nan = struct.unpack(">d", bytes.fromhex("7ff0000000000001"))[0]
    assert encode_row((math.nan,)) == encode_row((negative_nan,)) == encode_row((payload_nan,))
    assert encode_row((1, negative_nan)) == encode_row((1, math.nan))
    instant = datetime.datetime(2024, 1, 1, 12, tzinfo=timezone.utc)
    shifted = instant.astimezone(timezone(timedelta(hours=-5)))
    assert encode_row((instant,)) == encode_row((shifted,))
    assert encode_row((bytearray(b"ab"), memoryview(b"cd"))) == encode_row((b"ab", b"cd"))


def test_decimal_bytes_ignore_context_capitals():
    value = Decimal("1E+5")
    expected = encode_row((value,))
    with decimal.localcontext() as context:
        context.capitals = 0
        assert encode_row((value,)) == expected
        assert str(decode_row(expected)[0]) == "1e+5"


def test_native_ints_stay_native():
    for v in (2**64 - 1, -2**63):
        assert encode_row((v,)) == msgpack.packb([v])
    for v in (2**64, -2**63 - 1):
        assert isinstance(msgpack.unpackb(encode_row((v,)))[0], msgpack.ExtType)


def test_subclasses_encode_as_base_type():
    class Color(enum.IntEnum):
        RED = 7

    class Name(str):
        def __str__(self):
            return "not the value"

    class Day(date):
        pass

    assert encode_row((Color.RED, Name("x"), Day(2024, 1, 2))) == encode_row(
        (7, "x", date(2024, 1, 2)))
    assert [type(v) for v in decode_row(encode_row((Color.RED, Name("x"))))] == [int, str]


def test_threads_do_not_mix_buffers():
    rows = [(i, Decimal(i) / 7, date.fromordinal(i + 1), "x" * (i % 50)) for i in range(400)]
    expected = [encode_row(row) for row in rows]
    failures = []

    def work():
        for _ in range(20):
            if [encode_row(row) for row in rows] != expected:
                failures.append(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


# Bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    [1], (1,), {"a": 1}, {}, {1}, object(), 1j, time(1, tzinfo=timezone.utc), "\ud800",
    datetime.datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))), msgpack.ExtType(1, b"")],
    ids=repr)
def test_unsupported_values_raise_invalid_value(value):
    with pytest.raises(InvalidValueError) as info:
        encode_row((1, value))
    assert info.value.sqlstate == "22023"


def test_unsupported_type_is_named():
    class Widget:
        pass

    with pytest.raises(InvalidValueError, match="Widget"):
        encode_row((Widget(),))


def ext(code: int, payload: bytes) -> bytes:
    """A one-column row holding an ext value; ext8 framing also allows reserved codes < 0."""
    return b"\x91\xc7" + bytes([len(payload), code & 0xFF]) + payload


@pytest.mark.parametrize("data", [
    b"", b"\xc1", b"\x91", b"\x05", b"\x92\x01", b"\x91\x01\x02", msgpack.packb({"a": 1}),
    msgpack.packb([{"a": 1}]), msgpack.packb([[1]]), msgpack.packb([{}]), b"\x91\xa1\xff",
    ext(0, b""), ext(9, b"x"), ext(-5, b"x"), ext(-1, b"\x00" * 4), ext(1, b"\x05"),
    ext(1, b"\x00" * 10), ext(2, b"1_000"), ext(2, b" 1"), ext(2, b"nan"), ext(2, b"\xff"),
    ext(2, b"abc"), ext(3, b"\x00" * 4), ext(3, b"\x00" * 3), ext(3, b"\xff" * 4),
    ext(4, b"\xff" * 8), ext(5, b"\xff" * 8), ext(6, b"\x00" * 7),
    ext(7, b"\x00" * 4 + b"\xff" * 8), ext(7, b"\x7f" + b"\x00" * 11), ext(8, b"\x00" * 15)],
    ids=bytes.hex)
def test_garbage_raises_corruption(data):
    with pytest.raises(CorruptionError):
        decode_row(data)


ROW_TYPES = {type(None), bool, int, float, str, bytes, Decimal, date, time, datetime.datetime,
             Interval, uuid.UUID}


@relaxed
@given(st.one_of(st.binary(max_size=40),
                 st.builds(lambda n, body: bytes([0x90 | n]) + body, st.integers(0, 15),
                           st.binary(max_size=40))))
def test_random_bytes_are_corrupt_or_a_row(data):
    try:
        row = decode_row(data)
    except CorruptionError:
        return
    assert type(row) is tuple
    assert all(type(v) in ROW_TYPES for v in row)


@relaxed
@given(ROWS.filter(bool), st.data())
def test_damaged_rows_are_corrupt_or_a_row(values, data):
    raw = bytearray(encode_row(values))
    idx = data.draw(st.integers(0, len(raw) - 1))
    raw[idx] = data.draw(st.integers(0, 255))
    damaged = bytes(raw[:data.draw(st.integers(0, len(raw)))])
    try:
        row = decode_row(damaged)
    except CorruptionError:
        return
    assert all(type(v) in ROW_TYPES for v in row)


def test_truncated_rows_are_corrupt():
    data = encode_row((1, "hello", Decimal("1.5"), uuid.UUID(int=5), 2**70))
    for end in range(len(data)):
        with pytest.raises(CorruptionError):
            decode_row(data[:end])
