"""Intervals: PostgreSQL 15's interval input (postgres and ISO 8601 forms) and its output.

Where: query layer; textio.py dispatches interval text here, casts.py converts intervals to
and from time. An interval is a datetime.timedelta: days and microseconds, no months.

Input follows PostgreSQL 15's DecodeInterval, quirks included: fields are read right to
left; a bare number takes the unit of the field to its right (seconds when rightmost, days
left of an hour or a clock field: '1 10:00' is 1 day 10 hours); a unit may appear once, and
fractional seconds or a clock field claim all of second/millisecond/microsecond; a clock
field replaces the sub-day time read so far ('10:00 0.5 days' is 10:00:00); fractions round
to microseconds as PostgreSQL's doubles do. Months and years give a datetime_sql.Interval.

PostgreSQL keeps days and time apart ('1 day -01:00:00', '30:00:00'); a timedelta does not,
so output is justified like timestamp subtraction: '23:00:00', '1 day 06:00:00'.

>>> format_interval(parse_interval("1 day 02:03:04.5")), format_interval(parse_interval("-2 h"))
('1 day 02:03:04.5', '-02:00:00')
"""

from __future__ import annotations

import re
from datetime import timedelta

from rowdb.errors import DataError, InvalidDatetimeFormatError

DAY_MICROSECONDS = 86_400_000_000
INTERVAL_DAYS_MAX = 999_999_999      # timedelta's limit (PostgreSQL's is 2**31 - 1).


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


def parse_interval(text: str):
    """interval_in: '1 day 02:03:04', '2 hours', '@ 1 min ago', 'P1DT2H', '1 year 2 mons'.
    A timedelta, or a datetime_sql.Interval when there are months."""
    lowered = text.strip(" \t\n\r\f\v").lower()
    try:
        months, days, micros = _iso(lowered) if lowered.startswith("p") else \
            _postgres(lowered)
        total = days * DAY_MICROSECONDS + micros
        if abs(total) // DAY_MICROSECONDS > INTERVAL_DAYS_MAX:
            raise _Overflow
    except _Syntax:
        raise InvalidDatetimeFormatError(
            f'invalid input syntax for type interval: "{text}"') from None
    except _Overflow:
        raise IntervalFieldOverflowError(
            f'interval field value out of range: "{text}"') from None
    if months:
        from rowdb.query.datetime_sql import Interval  # it builds on this module
        return Interval.of(months, *divmod_days(total))
    return timedelta(microseconds=total)


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


def format_interval(value: timedelta) -> str:
    """IntervalStyle postgres: '1 day 02:03:04', '-1 days -00:00:01', '00:00:00'."""
    micros = value // timedelta(microseconds=1)
    if micros == 0:
        return "00:00:00"
    negative = micros < 0
    sign = "-" if negative else ""
    days, rest = divmod(abs(micros), DAY_MICROSECONDS)
    parts = []
    if days:
        parts.append(f"{sign}{days} day{'' if days == 1 and not negative else 's'}")
    if rest:
        seconds, micro = divmod(rest, 1_000_000)
        clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        fraction = f".{micro:06d}".rstrip("0") if micro else ""
        parts.append(f"{sign}{clock}{fraction}")
    return " ".join(parts)
