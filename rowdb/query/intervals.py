"""Intervals: PostgreSQL 15's interval input (postgres and ISO 8601 forms), its output, and
its arithmetic (interval * / number, justify_*, make_interval, sum and avg).

Where: query layer; textio.py dispatches interval text here, datetime_sql.py builds its
operators on these, aggregates.py sums and averages with them. The value is
rowdb.storage.interval.Interval: months, days and microseconds kept apart, as PostgreSQL
does ('36:00:00' is not '1 day 12:00:00', though the two compare equal).

Input follows PostgreSQL 15's DecodeInterval, quirks included: fields are read right to
left; a bare number takes the unit of the field to its right (seconds when rightmost, days
left of an hour or a clock field: '1 10:00' is 1 day 10 hours); a unit may appear once, and
fractional seconds or a clock field claim all of second/millisecond/microsecond; a clock
field replaces the sub-day time read so far ('10:00 0.5 days' is 10:00:00); fractions round
to microseconds as PostgreSQL's doubles do.

>>> format_interval(parse_interval("1 day 02:03:04.5")), format_interval(parse_interval("-2 h"))
('1 day 02:03:04.5', '-02:00:00')
>>> str(interval_mul(Interval(1), 0.5)), str(justify_hours(Interval(0, 0, 36 * 3600 * 10**6)))
('15 days', '1 day 12:00:00')
"""

from __future__ import annotations

import math
import re

from rowdb.errors import (DataError, DatetimeFieldOverflowError, DivisionByZeroError,
                          InvalidDatetimeFormatError)
from rowdb.storage.interval import (INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, Interval,
                                    format_interval)

DAY_MICROSECONDS = 86_400_000_000


class IntervalFieldOverflowError(DataError, sqlstate="22015"):
    """interval_field_overflow (belongs in rowdb/errors.py)."""


class _Syntax(Exception):
    """Internal: the interval text is malformed."""


class _Overflow(Exception):
    """Internal: a field is out of range."""


def _words(unit: str, *spellings: str) -> dict[str, str]:
    return dict.fromkeys(spellings, unit)


_UNITS = {
    **_words("microsecond", "microsecond", "microseconds", "microsecon", "us", "usec", "usecs",
             "useconds"),
    **_words("millisecond", "millisecond", "milliseconds", "millisecon", "ms", "msec", "msecs",
             "mseconds"),
    **_words("second", "second", "seconds", "s", "sec", "secs"),
    **_words("minute", "minute", "minutes", "m", "min", "mins"),
    **_words("hour", "hour", "hours", "h", "hr", "hrs"),
    **_words("day", "day", "days", "d"),
    **_words("week", "week", "weeks", "w"),
    **_words("month", "month", "months", "mon", "mons"),
    **_words("year", "year", "years", "y", "yr", "yrs"),
    **_words("decade", "decade", "decades", "dec", "decs"),
    **_words("century", "century", "centuries", "c", "cent"),
    **_words("millennium", "millennium", "millennia", "mil", "mils"),
}
_SCALES = {"microsecond": 1, "millisecond": 1000, "second": 1_000_000, "minute": 60_000_000,
           "hour": 3_600_000_000}
_MONTH_UNITS = frozenset({"month", "year", "decade", "century", "millennium"})
_MONTHS_PER = {"year": 12, "decade": 120, "century": 1200, "millennium": 12000}
_MONTH_DAYS = 30  # a fraction of a month counts 30 days, as in PostgreSQL
_ALL_SECONDS = frozenset({"second", "millisecond", "microsecond"})
_CLOCK_FIELDS = _ALL_SECONDS | {"hour", "minute"}

_NUMBER_RE = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")
_GLUED_RE = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))([a-z]+)")
_CLOCK_RE = re.compile(r"([+-]?)(\d+):(\d*)(?::(\d*))?(?:\.(\d*))?")
_ISO_RE = re.compile(r"p(?:([-+]?[\d.]+)y)?(?:([-+]?[\d.]+)m)?(?:([-+]?[\d.]+)w)?"
                     r"(?:([-+]?[\d.]+)d)?(?:t(?:([-+]?[\d.]+)h)?(?:([-+]?[\d.]+)m)?"
                     r"(?:([-+]?[\d.]+)s)?)?")


def parse_interval(text: str) -> Interval:
    """interval_in: '1 day 02:03:04', '2 hours', '@ 1 min ago', 'P1DT2H', '1 year 2 mons'."""
    lowered = text.strip(" \t\n\r\f\v").lower()
    try:
        months, days, micros = _iso(lowered) if lowered.startswith("p") else \
            _postgres(lowered)
        if not (INT32_MIN <= days <= INT32_MAX and INT64_MIN <= micros <= INT64_MAX):
            raise _Overflow
    except _Syntax:
        raise InvalidDatetimeFormatError(
            f'invalid input syntax for type interval: "{text}"') from None
    except _Overflow:
        raise IntervalFieldOverflowError(
            f'interval field value out of range: "{text}"') from None
    return Interval.checked(months, days, micros)


def divmod_days(total_micros: int) -> tuple[int, int]:
    """(days, microseconds) of a span, both with its sign (as PostgreSQL keeps them)."""
    days = abs(total_micros) // DAY_MICROSECONDS * (1 if total_micros >= 0 else -1)
    return days, total_micros - days * DAY_MICROSECONDS


def _tokens(text: str) -> list[str]:
    tokens = []
    for token in text.split():
        glued = _GLUED_RE.fullmatch(token)
        tokens.extend(glued.groups() if glued else (token,))
    return tokens


def _fraction_micros(fraction: float, scale: int) -> int:
    """PostgreSQL's AdjustFractMicroseconds: truncate, then round what is left (rint)."""
    if fraction == 0:
        return 0
    scaled = fraction * scale
    whole = int(scaled)
    return whole + round(scaled - whole)


class _Reader:
    """The state PostgreSQL's DecodeInterval keeps while it walks the fields right to left."""

    def __init__(self):
        self.months = 0
        self.days = 0
        self.micros = 0
        self.claimed: set[str] = set()
        self.unit: str | None = None       # the unit a bare number takes
        self.before = False                # 'ago' seen

    def claim(self, fields: frozenset[str] | set[str]) -> None:
        if self.claimed & fields:
            raise _Syntax
        self.claimed |= fields

    def read(self, token: str) -> None:
        if token == "@":
            return
        if token == "ago":
            self.before = True
        elif token[0].isalpha():
            if token not in _UNITS:
                raise _Syntax
            self.unit = _UNITS[token]
        elif ":" in token:
            self.read_clock(token)
        else:
            self.read_number(token)

    def read_clock(self, token: str) -> None:
        match = _CLOCK_RE.fullmatch(token)
        if not match:
            raise _Syntax
        sign, hours, minutes, seconds, fraction = match.groups()
        if seconds is None and fraction is not None:     # two parts and a fraction: mm:ss.f
            hours, minutes, seconds = "0", hours, minutes
        hour, minute, second = int(hours), int(minutes or 0), int(seconds or 0)
        if minute > 59 or second > 60:
            raise _Syntax if sign else _Overflow    # PostgreSQL retries "+h:m" as a number
        self.claim(_CLOCK_FIELDS)
        micros = ((hour * 60 + minute) * 60 + second) * 1_000_000
        micros += round(float(f"0.{fraction or 0}") * 1_000_000)
        self.micros = -micros if sign == "-" else micros   # replaces, as PostgreSQL 15 does
        self.unit = "day"

    def read_number(self, token: str) -> None:
        match = _NUMBER_RE.fullmatch(token)
        if not match or not (match.group(2) or match.group(3)):
            raise _Syntax
        sign, digits, fraction_digits = match.groups()
        whole = int(f"{sign}{digits or 0}")
        fraction = float(f"0.{fraction_digits or 0}") * (-1 if sign == "-" else 1)
        unit = self.unit or "second"
        if unit == "second" and fraction:
            self.claim(_ALL_SECONDS)
        else:
            self.claim({unit})
        self.add(unit, whole, fraction)
        if unit == "hour":
            self.unit = "day"

    def add(self, unit: str, whole: int, fraction: float) -> None:
        if unit in _SCALES:
            self.micros += whole * _SCALES[unit] + _fraction_micros(fraction, _SCALES[unit])
        elif unit == "day":
            self.days += whole
            self.micros += _fraction_micros(fraction, DAY_MICROSECONDS)
        elif unit == "week":
            extra_days = int(fraction * 7)
            self.days += whole * 7 + extra_days
            self.micros += _fraction_micros(fraction * 7 - extra_days, DAY_MICROSECONDS)
        elif unit == "month":
            self.months += whole
            extra_days = int(fraction * _MONTH_DAYS)
            self.days += extra_days
            self.micros += _fraction_micros(fraction * _MONTH_DAYS - extra_days,
                                            DAY_MICROSECONDS)
        elif unit in _MONTHS_PER:
            # PostgreSQL keeps whole months of a fractional year (and so on), truncated.
            self.months += whole * _MONTHS_PER[unit] + int(fraction * _MONTHS_PER[unit])
        elif whole or fraction:
            raise _Syntax


def _postgres(text: str) -> tuple[int, int]:
    tokens = _tokens(text)
    if not [token for token in tokens if token not in ("@", "ago")]:
        raise _Syntax
    reader = _Reader()
    for token in reversed(tokens):
        reader.read(token)
    if reader.before:
        return -reader.months, -reader.days, -reader.micros
    return reader.months, reader.days, reader.micros


def _iso(text: str) -> tuple[int, int]:
    """ISO 8601 'format with designators': P1Y2M3W4DT5H6M7.5S (no months or years here)."""
    match = _ISO_RE.fullmatch(text)
    if not match or text in ("p", "pt") or text.endswith("t"):
        raise _Syntax
    reader = _Reader()
    units = ("year", "month", "week", "day", "hour", "minute", "second")
    for unit, part in zip(units, match.groups()):
        if part is None:
            continue
        number = _NUMBER_RE.fullmatch(part)
        if not number or not (number.group(2) or number.group(3)):
            raise _Syntax
        sign, digits, fraction_digits = number.groups()
        fraction = float(f"0.{fraction_digits or 0}") * (-1 if sign == "-" else 1)
        reader.add(unit, int(f"{sign}{digits or 0}"), fraction)
    return reader.months, reader.days, reader.micros


# Arithmetic ----------------------------------------------------------------------------------

def _tsround(value: float) -> float:
    return round(value * 1e6) / 1e6


def _int32(value: float) -> int:
    if math.isnan(value) or not INT32_MIN <= value < INT32_MAX + 1:
        raise DatetimeFieldOverflowError("interval out of range")
    return int(value)


def interval_mul(value: Interval, factor, divide: bool = False) -> Interval:
    """interval * float8 (or / float8 with `divide`), as PostgreSQL's interval_mul and
    interval_div: fractions of months spill into days as 30-day months, fractions of days
    into time."""
    factor = float(factor)
    if divide and factor == 0:
        raise DivisionByZeroError("division by zero")

    def scale(amount):
        return amount / factor if divide else amount * factor
    month_product, day_product = scale(value.months), scale(value.days)
    months, days = _int32(month_product), _int32(day_product)
    month_days = _tsround((month_product - months) * 30)
    seconds = _tsround((day_product - days + month_days - int(month_days)) * 86400)
    if abs(seconds) >= 86400:
        days += int(seconds / 86400)
        seconds -= int(seconds / 86400) * 86400
    days += int(month_days)
    micros = scale(value.micros) + seconds * 1e6
    if math.isnan(micros) or not -2.0**63 <= micros < 2.0**63:
        raise DatetimeFieldOverflowError("interval out of range")
    return Interval.checked(months, days, int(round(micros)))


def interval_div(value: Interval, divisor) -> Interval:
    return interval_mul(value, divisor, divide=True)


def _c_divmod(a: int, b: int) -> tuple[int, int]:
    """C's / and %: the quotient truncates toward zero, the remainder has a's sign."""
    quotient = abs(a) // b * (1 if a >= 0 else -1)
    return quotient, a - quotient * b


def justify_hours(value: Interval) -> Interval:
    """Whole 24-hour spans of the time into days; days and time get one sign."""
    whole, micros = _c_divmod(value.micros, DAY_MICROSECONDS)
    days = value.days + whole
    if days > 0 and micros < 0:
        micros, days = micros + DAY_MICROSECONDS, days - 1
    elif days < 0 and micros > 0:
        micros, days = micros - DAY_MICROSECONDS, days + 1
    return Interval.checked(value.months, days, micros)


def justify_days(value: Interval) -> Interval:
    """Whole 30-day spans into months; months and days get one sign."""
    whole, days = _c_divmod(value.days, 30)
    months = value.months + whole
    if months > 0 and days < 0:
        days, months = days + 30, months - 1
    elif months < 0 and days > 0:
        days, months = days - 30, months + 1
    return Interval.checked(months, days, value.micros)


def justify_interval(value: Interval) -> Interval:
    """justify_hours and justify_days, with one sign over all three fields."""
    whole, micros = _c_divmod(value.micros, DAY_MICROSECONDS)
    whole_months, days = _c_divmod(value.days + whole, 30)
    months = value.months + whole_months
    if months > 0 and (days < 0 or (days == 0 and micros < 0)):
        days, months = days + 30, months - 1
    elif months < 0 and (days > 0 or (days == 0 and micros > 0)):
        days, months = days - 30, months + 1
    if days > 0 and micros < 0:
        micros, days = micros + DAY_MICROSECONDS, days - 1
    elif days < 0 and micros > 0:
        micros, days = micros - DAY_MICROSECONDS, days + 1
    return Interval.checked(months, days, micros)


def make_interval(years=0, months=0, weeks=0, days=0, hours=0, mins=0,
                  secs=0.0) -> Interval:
    if math.isinf(secs) or math.isnan(secs):
        raise DatetimeFieldOverflowError("interval out of range")
    micros = hours * 3_600_000_000 + mins * 60_000_000 + int(round(secs * 1e6))
    return Interval.checked(years * 12 + months, weeks * 7 + days, micros)


def interval_sum(values) -> Interval:
    total = Interval()
    for value in values:
        total = total + value
    return total

