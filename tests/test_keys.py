"""Tests for rowdb/storage/keys.py: round trips, SQL order, prefixes, strict decoding."""

from __future__ import annotations

import datetime
import enum
import itertools
import math
import uuid
from datetime import date, time, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from rowdb.errors import CorruptionError, InvalidValueError
from rowdb.storage.interval import Interval
from rowdb.storage.keys import decode_key, encode_key, encode_value, prefix_successor

# Big ints and long strings make some examples slow; the time limit would only add flakiness.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Strategies ---------------------------------------------------------------------------------

INT_EDGES = [0, 1, -1, 255, 256, -255, -256, 2**63 - 1, -2**63, 2**64 - 1, 2**64, -(2**64 - 1),
             -2**64, 10**100, -10**100, 2**(8 * 254) - 1, 2**(8 * 254), -(2**(8 * 254) - 1),
             -2**(8 * 254), 10**1000, -10**1000]
FLOAT_EDGES = [0.0, -0.0, math.inf, -math.inf, math.nan, -math.nan, 5e-324, -5e-324,
               1.7976931348623157e308, -1.7976931348623157e308, 1.0, -1.0]
DECIMAL_EDGES = [Decimal(s) for s in [
    "0", "-0", "0.00", "-0.000", "0E+5", "1", "1.0", "1.00", "1E+2", "100", "-1", "-1.0",
    "-1.00", "NaN", "Infinity", "-Infinity", "0.001", "123.4500", "-123.45",
    "1E+999999999999999999", "-1E+999999999999999999", "1E-999999999999999999",
    "9" * 60, "-" + "9" * 60, "1E-30", "12345678901234567890.123456789"]]

ints = st.one_of(st.integers(), st.integers(-2**2100, 2**2100), st.sampled_from(INT_EDGES))
small_ints = st.integers(-3, 3)
floats = st.one_of(st.floats(), st.sampled_from(FLOAT_EDGES))


def _decimal(sign: int, digits: list[int], exp: int) -> Decimal:
    return Decimal((sign, tuple(digits), exp))


# Wide decimals, and narrow ones that often tie numerically (1 == 1.0 == 10E-1).
decimals = st.one_of(
    st.builds(_decimal, st.integers(0, 1), st.lists(st.integers(0, 9), min_size=1, max_size=40),
              st.integers(-60, 60)),
    st.builds(_decimal, st.integers(0, 1),
              st.lists(st.sampled_from([0, 1, 5]), min_size=1, max_size=4), st.integers(-3, 3)),
    st.sampled_from(DECIMAL_EDGES))
texts = st.one_of(st.text(st.characters(codec="utf-8")),
                  st.text(st.sampled_from(["a", "b", "\x00", "\x01", "\xff", "\U0001F600"])))
binaries = st.one_of(st.binary(), st.lists(st.sampled_from([0, 1, 0x61, 0xFF])).map(bytes))
dates = st.one_of(st.dates(), st.sampled_from([date.min, date.max]))
times = st.times()
naive_datetimes = st.one_of(st.datetimes(),
                            st.sampled_from([datetime.datetime.min, datetime.datetime.max]))
offsets = st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                        max_value=timedelta(hours=23, minutes=59))
aware_datetimes = st.builds(
    lambda dt, offset: dt.replace(tzinfo=timezone(offset)),
    st.datetimes(min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)),
    offsets)
# Intervals: any fields, and small ones that often tie by span ('1 mon' = '30 days').
INTERVAL_EDGES = [Interval(), Interval(0, 0, -1), Interval(1), Interval(0, 30),
                  Interval(0, 0, 30 * 86_400_000_000), Interval(-2**31, -2**31, -2**63),
                  Interval(2**31 - 1, 2**31 - 1, 2**63 - 1), Interval(0, 1, -3_600_000_000)]
intervals = st.one_of(
    st.builds(Interval, st.integers(-2**31, 2**31 - 1), st.integers(-2**31, 2**31 - 1),
              st.integers(-2**63, 2**63 - 1)),
    st.builds(Interval, st.integers(-2, 2), st.sampled_from([-60, -30, -1, 0, 1, 30, 60]),
              st.sampled_from([0, 86_400_000_000, -86_400_000_000, 1, -1])),
    st.sampled_from(INTERVAL_EDGES))
uuids = st.one_of(st.uuids(), st.sampled_from([uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)]))

ANY_VALUE = st.one_of(st.none(), st.booleans(), ints, floats, decimals, texts, binaries, dates,
                      times, naive_datetimes, aware_datetimes, intervals, uuids)


# SQL semantics as Python keys ---------------------------------------------------------------

def float_key(v: float):
    """PostgreSQL float order: NaN greatest; -0.0 just before 0.0 (a tie SQL may break)."""
    return (1, 0.0, 0.0) if math.isnan(v) else (0, v, math.copysign(1.0, v))


def decimal_key(v: Decimal):
    """numeric order: -Inf < finite < +Inf < NaN; ties by sign (-0 first), then exponent."""
    if v.is_nan():
        return (3,)
    if v.is_infinite():
        return (0,) if v < 0 else (2,)
    return (1, v, 0 if v.is_signed() else 1, v.as_tuple().exponent)


def value_key(v):
    """Key of one value in SQL ORDER BY ... ASC (NULLS LAST)."""
    if v is None:
        return (1,)
    if isinstance(v, float):
        return (0, float_key(v))
    if isinstance(v, Decimal):
        return (0, decimal_key(v))
    if isinstance(v, uuid.UUID):
        return (0, v.bytes)
    if isinstance(v, Interval):  # by span; equal spans tie-broken by months, then days
        return (0, (v.span, v.months, v.days))
    return (0, v)


def sql_key(row: tuple):
    return tuple(value_key(v) for v in row)


def ident(v):
    """Identity of a value for round trips: type and exact repr (aware datetimes in UTC).

    `fold` is not stored: it takes no part in equality or order.
    """
    if isinstance(v, (bytearray, memoryview)):
        v = bytes(v)
    if isinstance(v, (datetime.time, datetime.datetime)):
        v = v.replace(fold=0)
    if isinstance(v, datetime.datetime) and v.utcoffset() is not None:
        v = v.astimezone(timezone.utc)
    return type(v), repr(v)


def cmp(a, b) -> int:
    return (a > b) - (a < b)


# Round trips --------------------------------------------------------------------------------

@relaxed
@given(st.lists(ANY_VALUE, max_size=6))
def test_round_trip_any_values(values):
    decoded = decode_key(encode_key(values))
    assert type(decoded) is tuple
    assert [ident(v) for v in decoded] == [ident(v) for v in values]


@pytest.mark.parametrize("value", INT_EDGES + FLOAT_EDGES + DECIMAL_EDGES + [
    None, True, False, "", b"", "a\x00b", "\x00", "\x00\x01", "\xff\U0001F600", b"\x00\xff\x00",
    date.min, date.max, time.min, time.max, datetime.datetime.min, datetime.datetime.max,
    datetime.datetime(2024, 2, 29, 12, 30, 45, 123456),
    datetime.datetime(2024, 2, 29, 12, 30, 45, 1, tzinfo=timezone(timedelta(hours=-7))),
    datetime.datetime(2024, 1, 1, tzinfo=timezone(timedelta(seconds=1, microseconds=5))),
    *INTERVAL_EDGES, uuid.UUID("12345678-1234-5678-1234-567812345678")], ids=lambda v: repr(v)[:40])
def test_round_trip_edge_values(value):
    key = encode_key((value,))
    assert key == encode_value(value)
    (decoded,) = decode_key(key)
    assert ident(decoded) == ident(value)


def test_bool_and_int_stay_distinct():
    assert decode_key(encode_key((True, 1, False, 0))) == (True, 1, False, 0)
    assert [type(v) for v in decode_key(encode_key((True, 1)))] == [bool, int]
    assert encode_key((True,)) != encode_key((1,))


def test_aware_datetime_decodes_as_utc_instant():
    local = datetime.datetime(2024, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=2)))
    (decoded,) = decode_key(encode_key((local,)))
    assert decoded == local
    assert decoded.tzinfo is timezone.utc
    assert decoded.hour == 7
    naive = local.replace(tzinfo=None)
    assert encode_key((naive,))[0] != encode_key((local,))[0], "naive and aware get own tags"


def test_subclasses_encode_as_base_type():
    class Color(enum.IntEnum):
        RED = 7

    class Name(str):
        pass

    assert encode_key((Color.RED, Name("x"))) == encode_key((7, "x"))
    assert [type(v) for v in decode_key(encode_key((Color.RED, Name("x"))))] == [int, str]


def test_bytes_like_values_decode_as_bytes():
    for v in (bytearray(b"a\x00"), memoryview(b"a\x00")):
        assert decode_key(encode_key((v,))) == (b"a\x00",)


# Order --------------------------------------------------------------------------------------

def optional(strategy):
    return st.one_of(st.none(), strategy)


SIGNATURES = {
    "int": (ints,),
    "small_int_small_int": (small_ints, small_ints),
    "str_int": (texts, small_ints),
    "float": (floats,),
    "decimal": (decimals,),
    "bytes_str": (binaries, texts),
    "date_int": (dates, small_ints),
    "optional_int": (optional(small_ints),),
    "optional_str_optional_int": (optional(texts), optional(ints)),
    "bool_naive_datetime": (st.booleans(), naive_datetimes),
    "time": (times,),
    "aware_datetime": (aware_datetimes,),
    "interval": (intervals,),
    "interval_int": (intervals, small_ints),
    "uuid": (uuids,),
    "optional_float_optional_decimal": (optional(floats), optional(decimals)),
}


@pytest.mark.parametrize("signature", SIGNATURES)
@relaxed
@given(data=st.data())
def test_byte_order_is_sql_order(signature, data):
    rows = data.draw(st.lists(st.tuples(*SIGNATURES[signature]), min_size=2, max_size=12))
    keys = [encode_key(row) for row in rows]
    for (row_a, key_a), (row_b, key_b) in itertools.product(zip(rows, keys), repeat=2):
        assert cmp(key_a, key_b) == cmp(sql_key(row_a), sql_key(row_b)), (row_a, row_b)
    by_bytes = [ident(v) for row in sorted(rows, key=encode_key) for v in row]
    by_sql = [ident(v) for row in sorted(rows, key=sql_key) for v in row]
    assert by_bytes == by_sql


def test_float_order_edges():
    ordered = [-math.inf, -1.7976931348623157e308, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0,
               1.7976931348623157e308, math.inf, math.nan]
    keys = [encode_key((v,)) for v in ordered]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert encode_key((-math.nan,)) == encode_key((math.nan,)), "one NaN encoding"


def test_int_order_edges():
    ordered = sorted(set(INT_EDGES))
    keys = [encode_key((v,)) for v in ordered]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_decimal_order_edges():
    ordered = [Decimal(s) for s in [
        "-Infinity", "-1E+999999999999999999", "-100", "-1E+2", "-1.5", "-1", "-0.001",
        "-0.00", "-0", "0.000", "0", "0E+3", "1E-999999999999999999", "0.001", "1.00", "1.0",
        "1", "1.5", "100", "1E+2", "1E+999999999999999999", "Infinity", "NaN"]]
    keys = [encode_key((v,)) for v in ordered]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_nulls_sort_last():
    samples = [False, True, -10**100, 0, 10**100, -math.inf, math.nan, Decimal("NaN"), "",
               "\U0010FFFF", b"\xff" * 10, date.max, time.max, datetime.datetime.max,
               Interval(2**31 - 1, 2**31 - 1, 2**63 - 1), uuid.UUID(int=2**128 - 1)]
    for v in samples:
        assert encode_key((v,)) < encode_key((None,))
        assert encode_key((1, v)) < encode_key((1, None)) < encode_key((2, v))
        assert encode_key((v, 5)) < encode_key((None, -5))


def test_str_zero_byte_order():
    ordered = ["", "\x00", "\x00\x00", "\x00\x01", "a", "a\x00", "a\x00b", "a\x01", "ab", "\xff"]
    keys = [encode_key((v, 0)) for v in ordered]
    assert keys == sorted(keys)


# Prefixes -----------------------------------------------------------------------------------

@relaxed
@given(st.lists(ANY_VALUE, max_size=5))
def test_prefix_of_tuple_is_prefix_of_key(values):
    key = encode_key(values)
    for i in range(len(values) + 1):
        prefix = encode_key(values[:i])
        assert key.startswith(prefix)
        assert prefix < key or i == len(values), "a shorter tuple sorts first"
        successor = prefix_successor(prefix)
        assert prefix <= key and (successor is None or key < successor)


@relaxed
@given(st.lists(ANY_VALUE, max_size=4), st.data())
def test_key_starts_with_prefix_only_for_tuple_prefixes(values, data):
    """Element encodings are prefix-free: byte prefixes are exactly tuple prefixes."""
    cut = data.draw(st.integers(0, len(values)))
    others = values[:cut] + data.draw(st.lists(ANY_VALUE, max_size=2))
    tuple_prefix = (len(others) <= len(values)
                    and [ident(v) for v in values[:len(others)]] == [ident(v) for v in others])
    assert encode_key(values).startswith(encode_key(others)) == tuple_prefix


@relaxed
@given(st.lists(ANY_VALUE, min_size=1, max_size=3), st.lists(ANY_VALUE, max_size=3),
       st.lists(ANY_VALUE, max_size=3))
def test_range_of_prefix_holds_exactly_its_keys(prefix_values, tail, others):
    low = encode_key(prefix_values)
    high = prefix_successor(low)
    inside = encode_key(list(prefix_values) + list(tail))
    assert low <= inside and (high is None or inside < high)
    key = encode_key(others)
    in_range = low <= key and (high is None or key < high)
    assert in_range == key.startswith(low)


@relaxed
@given(st.binary(max_size=6).map(lambda b: b.replace(b"\x01", b"\xff")), st.binary(max_size=8))
@example(b"\xff", b"\xff\x00")
@example(b"a\xff", b"b")
@example(b"", b"")
def test_prefix_successor_bounds_exactly_the_prefixed_strings(prefix, suffix):
    successor = prefix_successor(prefix)
    for s in (prefix + suffix, suffix, prefix[:-1] + suffix):
        in_range = prefix <= s and (successor is None or s < successor)
        assert in_range == s.startswith(prefix)
    if successor is not None:
        assert not successor.startswith(prefix) and successor > prefix


def test_prefix_successor_with_null_components():
    assert prefix_successor(encode_key((None,))) is None
    assert prefix_successor(encode_key((None, None))) is None
    low = encode_key((1, None))
    high = prefix_successor(low)
    assert low < encode_key((1, None, "x")) < encode_key((1, None, None)) < high
    assert not low <= encode_key((2,)) < high
    assert not low <= encode_key((1, 10**100)) < high
    assert prefix_successor(b"ab\xff\xff") == b"ac"


# Bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    [1], (1,), {"a": 1}, {1}, object(), 1j, time(1, tzinfo=timezone.utc), Decimal("sNaN"),
    Decimal("-NaN"), Decimal("NaN5"), "\ud800", "ok\udfff",
    datetime.datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
    datetime.datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-2)))], ids=repr)
def test_unsupported_values_raise_invalid_value(value):
    with pytest.raises(InvalidValueError) as info:
        encode_key((1, value))
    assert info.value.sqlstate == "22023"


def test_unsupported_type_is_named():
    class Widget:
        pass

    with pytest.raises(InvalidValueError, match="Widget"):
        encode_key((Widget(),))
    with pytest.raises(InvalidValueError, match="list"):
        encode_key(([1, 2],))


@relaxed
@given(ANY_VALUE)
def test_every_strict_prefix_of_an_element_is_corrupt(value):
    element = encode_value(value)
    for end in range(1, len(element)):
        with pytest.raises(CorruptionError):
            decode_key(element[:end])


@pytest.mark.parametrize("data", [
    b"\x00", b"\x01", b"\x99", b"\x21", b"\x28\x01", b"\x21\x00", b"\x1f\xff", b"\x29\x05",
    b"\x29\x09" + b"\x00" * 9, b"\x29\xff\x00", b"\x30\x00", b"\x30" + b"\x00" * 8,
    b"\x41abc", b"\x41a\x00\x02\x00\x01", b"\x41\xff\x00\x01", b"\x40a\x00",
    b"\x50\x00\x00\x00\x00", b"\x50\xff\xff\xff\xff", b"\x51" + b"\xff" * 8, b"\x52" + b"\xff" * 8,
    b"\x60" + b"\x00" * 15,
    b"\x54" + b"\x00" * 4 + b"\xff" * 8, b"\x3b", b"\x3b\x20\x00\x20", b"\x3b\x20\x01\x00\x20",
    b"\x3b\x20\x02\x01\x00\x20", b"\x3b\x20\x02\x00\x21\x01", b"\x3b\x41\x00\x01", b"\x3a\x02\x20",
    b"\x39\x20\xfd\xff", b"\x39\x20\xfd\xff\x21\x01"], ids=bytes.hex)
def test_garbage_raises_corruption(data):
    with pytest.raises(CorruptionError):
        decode_key(data)


TAG_LIKE_BYTES = [0x00, 0x01, 0x02, 0x03, *range(0x17, 0x2A), 0x30, *range(0x38, 0x3E), 0x40,
                  0x41, *range(0x50, 0x55), 0x60, 0xFE, 0xFF]


@relaxed
@given(st.one_of(st.binary(max_size=40),
                 st.lists(st.one_of(st.sampled_from(TAG_LIKE_BYTES), st.integers(0, 255)),
                          max_size=40).map(bytes)))
def test_random_bytes_are_corrupt_or_canonical(data):
    try:
        values = decode_key(data)
    except CorruptionError:
        return
    assert encode_key(values) == data, "strict decoding: what decodes re-encodes the same"


@relaxed
@given(st.lists(ANY_VALUE, min_size=1, max_size=3), st.data())
def test_damaged_keys_are_corrupt_or_canonical(values, data):
    key = bytearray(encode_key(values))
    idx = data.draw(st.integers(0, len(key) - 1))
    key[idx] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(key)))
    damaged = bytes(key[:cut])
    assume(damaged)
    try:
        decoded = decode_key(damaged)
    except CorruptionError:
        return
    if b"\x54" in damaged and any(type(v) is Interval for v in decoded):
        return  # a timedelta key of older versions: read, but written anew as tag 0x56
    assert encode_key(decoded) == damaged


def test_decode_accepts_memoryview():
    key = encode_key((1, "x"))
    assert decode_key(memoryview(key)) == (1, "x")
