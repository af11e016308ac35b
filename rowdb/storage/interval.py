"""The SQL interval value: PostgreSQL's (months, days, microseconds) triple, and its codecs.

Where: storage layer, so rows.py and keys.py can encode it; the query layer builds, prints
and computes with it (query/intervals.py, query/datetime_sql.py), and the DB-API turns it
into a datetime.timedelta at the boundary (`to_timedelta`, as psycopg loads intervals).

The three fields stay apart, as in PostgreSQL: '36 hours' is (0, 0, 129600000000), not a
day and 12 hours, and '1 mon' is not '30 days' -- though the two compare equal: intervals
compare, sort and hash by PostgreSQL's interval_cmp_value, months * 30 days + days, in
microseconds (`span`). Every field keeps its own sign ('1 day -01:00:00').

Fields are bounded like PostgreSQL's (int32 months and days, int64 microseconds);
arithmetic past them raises DatetimeFieldOverflowError ("interval out of range", 22008).

Key encoding (keys.py), ordered by span and exact, as Decimal keys are: tag 0x56, span +
2**127 in 16 bytes, then months + 2**31 and days + 2**31 as big-endian uint32 (the
microseconds follow from the three); '1 mon' and '30 days' have distinct keys and decode
exactly. Primary keys hold `from_span`'s canonical form (query/rowcodec.py), so there the two
are one key, as in PostgreSQL's unique indexes. Keys of older versions (tag 0x54: a
timedelta's days + 2**31, seconds, microseconds) decode as the canonical interval.

>>> str(Interval(14, -3, 3_600_000_000)), Interval(1) == Interval(0, 30)
('1 year 2 mons -3 days +01:00:00', True)
>>> Interval(0, 0, 129_600_000_000).to_timedelta()
datetime.timedelta(days=1, seconds=43200)
"""

from __future__ import annotations

import datetime
import struct

from rowdb.errors import CorruptionError, DatetimeFieldOverflowError

DAY_MICROS = 86_400_000_000
MONTH_DAYS = 30                              # PostgreSQL's DAYS_PER_MONTH
INT32_MIN, INT32_MAX = -2**31, 2**31 - 1
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1

TAG = 0x56
TAG_OLD = 0x54
_BODY = struct.Struct(">III")
_WIDE_BIAS = 1 << 127
_DAYS_BIAS = 1 << 31
_ROW = struct.Struct(">iiq")


class Interval:
    """months, days, micros: an interval as PostgreSQL stores it."""

    __slots__ = ("months", "days", "micros")

    def __init__(self, months: int = 0, days: int = 0, micros: int = 0):
        self.months, self.days, self.micros = months, days, micros

    @staticmethod
    def checked(months: int, days: int, micros: int) -> "Interval":
        """An Interval, or DatetimeFieldOverflowError if a field is out of range."""
        if not (INT32_MIN <= months <= INT32_MAX and INT32_MIN <= days <= INT32_MAX
                and INT64_MIN <= micros <= INT64_MAX):
            raise DatetimeFieldOverflowError("interval out of range")
        return Interval(months, days, micros)

    @staticmethod
    def from_timedelta(value: datetime.timedelta) -> "Interval":
        """A timedelta as psycopg sends one: its days, then seconds and microseconds."""
        return Interval.checked(0, value.days, value.seconds * 1_000_000 + value.microseconds)

    def to_timedelta(self) -> datetime.timedelta:
        """As psycopg loads an interval: a year is 365 days, a month 30, then the time.
        OverflowError past timedelta's range."""
        years = int(self.months / 12)
        days = 365 * years + 30 * (self.months - 12 * years) + self.days
        return datetime.timedelta(days=days, microseconds=self.micros)

    @property
    def span(self) -> int:
        """PostgreSQL's interval_cmp_value: the value in microseconds, a month as 30 days."""
        return (self.months * MONTH_DAYS + self.days) * DAY_MICROS + self.micros

    def __eq__(self, other):
        if type(other) is Interval:
            return self.span == other.span
        return NotImplemented

    def __ne__(self, other):
        if type(other) is Interval:
            return self.span != other.span
        return NotImplemented

    def __lt__(self, other):
        return self.span < other.span if type(other) is Interval else NotImplemented

    def __le__(self, other):
        return self.span <= other.span if type(other) is Interval else NotImplemented

    def __gt__(self, other):
        return self.span > other.span if type(other) is Interval else NotImplemented

    def __ge__(self, other):
        return self.span >= other.span if type(other) is Interval else NotImplemented

    def __hash__(self):
        return hash(self.span)

    def __neg__(self):
        return Interval.checked(-self.months, -self.days, -self.micros)

    def __pos__(self):
        return self

    def __add__(self, other):
        if type(other) is not Interval:
            return NotImplemented
        return Interval.checked(self.months + other.months, self.days + other.days,
                                self.micros + other.micros)

    def __sub__(self, other):
        if type(other) is not Interval:
            return NotImplemented
        return Interval.checked(self.months - other.months, self.days - other.days,
                                self.micros - other.micros)

    def __repr__(self):
        return f"Interval({self.months}, {self.days}, {self.micros})"

    def __str__(self):
        return format_interval(self)

    def __reduce__(self):
        return Interval, (self.months, self.days, self.micros)


def format_interval(value: Interval) -> str:
    """interval_out with IntervalStyle postgres: '1 year 2 mons -3 days +04:05:06.5'."""
    years = int(value.months / 12)
    parts: list[str] = []
    before = False                       # the previous field was negative: '+' next
    for amount, unit in ((years, "year"), (value.months - years * 12, "mon"),
                         (value.days, "day")):
        if amount:
            sign = "+" if before and amount > 0 else ""
            parts.append(f"{sign}{amount} {unit}{'' if amount == 1 else 's'}")
            before = amount < 0
    micros = value.micros
    if micros or not parts:
        sign = "-" if micros < 0 else "+" if before else ""
        seconds, micro = divmod(abs(micros), 1_000_000)
        clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        fraction = f".{micro:06d}".rstrip("0") if micro else ""
        parts.append(f"{sign}{clock}{fraction}")
    return " ".join(parts)


def from_span(span: int) -> Interval:
    """The canonical interval of a span: days and time, both with the span's sign."""
    days = abs(span) // DAY_MICROS * (1 if span >= 0 else -1)
    return Interval(0, days, span - days * DAY_MICROS)


# Codecs --------------------------------------------------------------------------------------

def encode_row_payload(value: Interval) -> bytes:
    """The exact triple for a row (rows.py's extension 9); ValueError if out of range."""
    try:
        return _ROW.pack(value.months, value.days, value.micros)
    except struct.error as exc:
        raise ValueError(f"interval out of range: {value!r}") from exc


def decode_row_payload(payload: bytes) -> Interval:
    return Interval(*_ROW.unpack(payload))


def decode_old_row_payload(days: int, seconds: int, micros: int) -> Interval:
    """A timedelta row value of older versions, with the days and time it printed as."""
    return from_span(days * DAY_MICROS + seconds * 1_000_000 + micros)


_TIE = struct.Struct(">II")


def encode_key(value: Interval) -> bytes:
    return (b"\x56" + (value.span + _WIDE_BIAS).to_bytes(16, "big")
            + _TIE.pack(value.months + _DAYS_BIAS, value.days + _DAYS_BIAS))


def _corrupt(detail: str) -> CorruptionError:
    return CorruptionError("key bytes cannot be decoded", detail=detail)


def decode_key(data: bytes, pos: int) -> tuple[Interval, int]:
    """Decode the body after tag 0x56 (pos is after the tag)."""
    body = data[pos:pos + 24]
    if len(body) != 24:
        raise _corrupt("truncated interval")
    span = int.from_bytes(body[:16], "big") - _WIDE_BIAS
    months, days = _TIE.unpack(body[16:])
    months, days = months - _DAYS_BIAS, days - _DAYS_BIAS
    micros = span - (months * MONTH_DAYS + days) * DAY_MICROS
    if not INT64_MIN <= micros <= INT64_MAX:
        raise _corrupt("interval out of range")
    return Interval(months, days, micros), pos + 24


def decode_old_key(data: bytes, pos: int) -> tuple[Interval, int]:
    """Decode the body after tag 0x54, a timedelta key of older versions."""
    body = data[pos:pos + 12]
    if len(body) != 12:
        raise _corrupt("truncated interval")
    days, seconds, micros = _BODY.unpack(body)
    if seconds >= 86_400 or micros >= 1_000_000 or abs(days - _DAYS_BIAS) > 999_999_999:
        raise _corrupt("interval fields out of range")
    return decode_old_row_payload(days - _DAYS_BIAS, seconds, micros), pos + 12
