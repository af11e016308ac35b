"""Dates, times, timestamps and intervals: PostgreSQL's text input and output for them.

Where: query layer; textio.py dispatches the date and time types here, casts.py rounds
time(p)/timestamp(p) with `round_time` and `round_timestamp`.

Input follows PostgreSQL's DateStyle "ISO, MDY" for the common forms: ISO dates (2020-01-02,
20200102, 2020/01/02), month/day/year (01/02/2020), month names (Jan 2 2020, 2-Jan-2020),
times H:M[:S[.f]] with am/pm, an ISO `T`, zones (Z, UTC, +02, -05:30, EST, Europe/Paris),
and epoch, now, today, tomorrow, yesterday, allballs. The session time zone is UTC.
Python's datetime holds years 1 to 9999 and times below 24:00, so 'infinity', BC dates,
later years and 24:00:00 raise NotSupportedError. Intervals are timedeltas: months and years
are rejected, and output is justified like timestamp subtraction ('1 day 06:00:00', where
PostgreSQL keeps '30:00:00' for an interval typed as '30 hours').

>>> format_interval(parse_interval("1 day 02:03:04.5")), format_interval(parse_interval("-2 h"))
('1 day 02:03:04.5', '-02:00:00')
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from rowdb.errors import (DataError, DatetimeFieldOverflowError, InvalidDatetimeFormatError,
                          NotSupportedError)

UTC = timezone.utc
PG_EPOCH = datetime(2000, 1, 1)          # PostgreSQL counts microseconds from here.
DAY_MICROSECONDS = 86_400_000_000
ZONE_OFFSET_SECONDS_MAX = 15 * 3600 + 59 * 60 + 59
INTERVAL_DAYS_MAX = 999_999_999           # timedelta's limit (PostgreSQL's is 2**31 - 1).


class InvalidTimeZoneDisplacementError(DataError, sqlstate="22009"):
    """invalid_time_zone_displacement_value (belongs in rowdb/errors.py)."""


class IntervalFieldOverflowError(DataError, sqlstate="22015"):
    """interval_field_overflow (belongs in rowdb/errors.py)."""


_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
           "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2,
           "march": 3, "april": 4, "june": 6, "july": 7, "august": 8, "september": 9,
           "october": 10, "november": 11, "december": 12}
_ZONE_HOURS = {"z": 0, "zulu": 0, "utc": 0, "ut": 0, "gmt": 0, "wet": 0, "west": 1, "bst": 1,
               "cet": 1, "cest": 2, "eet": 2, "eest": 3, "msk": 3, "jst": 9, "est": -5,
               "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}
_DISPLAY = {"date": "date", "time": "time", "timestamp": "timestamp",
            "timestamptz": "timestamp with time zone"}

_TIME_RE = re.compile(r"(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?"
                      r"([+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?|z)?\Z")
_OFFSET_RE = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?\Z")
_DATE_RE = re.compile(r"([0-9a-z]+)([-/.])([0-9a-z]+)\2([0-9a-z]+)\Z")


class _Fields:
    """What a date/time string said: each part None when absent."""

    def __init__(self):
        self.ymd: tuple[int, int, int] | None = None
        self.time: list[str] | None = None       # hour, minute, second, fraction digits
        self.meridiem: str | None = None
        self.offset: timedelta | None = None
        self.zone: ZoneInfo | None = None
        self.loose: list[str] = []                 # numbers and month names around a date


class _Reject(Exception):
    """Internal: the text is malformed (syntax) or a field is out of range."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def _fail(type_name: str, text: str, kind: str) -> Exception:
    if kind == "range":
        return DatetimeFieldOverflowError(f'date/time field value out of range: "{text}"')
    if kind == "zone":
        return InvalidTimeZoneDisplacementError(
            f'time zone displacement out of range: "{text}"')
    return InvalidDatetimeFormatError(
        f'invalid input syntax for type {_DISPLAY[type_name]}: "{text}"')


def _parse_fields(text: str) -> _Fields:
    fields = _Fields()
    spaced = re.sub(r"(\d)[tT](\d)", r"\1 \2", text.strip())
    for token in re.split(r"[\s,]+", spaced):
        if token:
            _read_token(fields, token)
    if fields.loose:
        _assemble_named_date(fields)
    return fields


def _read_token(fields: _Fields, token: str) -> None:
    lower = token.lower().rstrip(".")
    time_match = _TIME_RE.match(lower)
    if time_match and fields.time is None:
        fields.time = [g or "" for g in time_match.groups()[:4]]
        if time_match.group(5):
            _read_zone(fields, time_match.group(5), token)
        return
    date_match = _DATE_RE.match(lower)
    if fields.ymd is None and date_match and (date_match.group(1).isdigit()
                                              or date_match.group(1) in _MONTHS):
        fields.ymd = _date_from_parts(*date_match.group(1, 3, 4))
    elif fields.ymd is None and re.fullmatch(r"\d{8}", lower):
        fields.ymd = _checked_ymd(int(lower[:4]), int(lower[4:6]), int(lower[6:]))
    elif lower in ("am", "pm") and fields.meridiem is None:
        fields.meridiem = lower
    elif lower == "bc":
        raise NotSupportedError("BC dates are not supported")
    elif lower == "ad":
        return
    elif (lower in _MONTHS or lower.isdigit()) and fields.ymd is None:
        fields.loose.append(lower)
    else:
        _read_zone(fields, lower, token)


def _read_zone(fields: _Fields, lower: str, token: str) -> None:
    if fields.offset is not None or fields.zone is not None:
        raise _Reject("syntax")
    match = _OFFSET_RE.match(lower)
    if match:
        sign, hours, minutes, seconds = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0),
                           seconds=int(seconds or 0))
        if offset.total_seconds() > ZONE_OFFSET_SECONDS_MAX:
            raise _Reject("zone")
        fields.offset = -offset if sign == "-" else offset
    elif lower in _ZONE_HOURS:
        fields.offset = timedelta(hours=_ZONE_HOURS[lower])
    else:
        fields.zone = _zone_named(token)


def _zone_named(token: str) -> ZoneInfo:
    titled = "/".join("_".join(w.capitalize() for w in part.split("_"))
                      for part in token.split("/"))
    for name in (token, titled, token.upper()):
        try:
            return ZoneInfo(name)
        except (ValueError, OSError, KeyError):
            continue
    raise _Reject("syntax")


def _year(text: str) -> int:
    year = int(text)
    return year + (2000 if year < 70 else 1900) if len(text) <= 2 else year


def _date_from_parts(first: str, second: str, third: str) -> tuple[int, int, int]:
    if second in _MONTHS:                                  # 2-Jan-2020, 2020-Jan-02
        month = _MONTHS[second]
        if len(first) >= 3:
            return _checked_ymd(_year(first), month, int(third))
        return _checked_ymd(_year(third), month, int(first))
    if first in _MONTHS:                                   # Jan-02-2020
        return _checked_ymd(_year(third), _MONTHS[first], int(second))
    if not (first.isdigit() and second.isdigit() and third.isdigit()):
        raise _Reject("syntax")
    if len(first) >= 3:                                    # year first: ISO
        return _checked_ymd(_year(first), int(second), int(third))
    return _checked_ymd(_year(third), int(first), int(second))   # DateStyle MDY


def _assemble_named_date(fields: _Fields) -> None:
    """Loose words like 'Jan 2 2020' or '2 January 2020': one month name, day and year."""
    months = [word for word in fields.loose if word in _MONTHS]
    numbers = [word for word in fields.loose if word.isdigit()]
    if fields.ymd is not None or len(months) != 1 or len(numbers) != 2:
        raise _Reject("syntax")
    long_numbers = [n for n in numbers if len(n) >= 3]
    year_text = long_numbers[0] if long_numbers else numbers[1]
    day_text = numbers[1] if year_text is numbers[0] else numbers[0]
    fields.ymd = _checked_ymd(_year(year_text), _MONTHS[months[0]], int(day_text))


def _checked_ymd(year: int, month: int, day: int) -> tuple[int, int, int]:
    if not 1 <= month <= 12 or day < 1 or year < 1:
        raise _Reject("range")
    if year > 9999:
        raise NotSupportedError("dates after the year 9999 are not supported")
    try:
        date(year, month, day)
    except ValueError:
        raise _Reject("range") from None
    return year, month, day


def _time_microseconds(fields: _Fields) -> int:
    """Microseconds since midnight; 24:00:00 and second 60 give up to a day and a minute."""
    hour_text, minute_text, second_text, fraction = fields.time
    hour, minute, second = int(hour_text), int(minute_text), int(second_text or 0)
    if fields.meridiem is not None:
        if not 0 <= hour <= 12:
            raise _Reject("range")
        hour = hour % 12 + (12 if fields.meridiem == "pm" else 0)
    micros = int((Decimal(f"0.{fraction or 0}") * 1_000_000).to_integral_value(ROUND_HALF_EVEN))
    if hour > 24 or minute > 59 or second > 60:
        raise _Reject("range")
    if hour == 24 and (minute or second or micros):
        raise _Reject("range")
    return ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros


def _parsed(text: str, type_name: str) -> _Fields:
    try:
        return _parse_fields(text)
    except _Reject as reject:
        raise _fail(type_name, text, reject.kind) from None


def _special(text: str, type_name: str):
    word = text.strip().lower()
    if word in ("infinity", "+infinity", "-infinity"):
        raise NotSupportedError(f'{_DISPLAY[type_name]} "{word}" is not supported')
    now = datetime.now(UTC)
    today = now.date()
    return {"epoch": datetime(1970, 1, 1), "now": now.replace(tzinfo=None),
            "today": datetime.combine(today, time()),
            "tomorrow": datetime.combine(today + timedelta(days=1), time()),
            "yesterday": datetime.combine(today - timedelta(days=1), time())}.get(word)


_ISO_TIMESTAMP_RE = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?\Z")


def _local_timestamp(text: str, type_name: str) -> tuple[datetime, _Fields]:
    """The wall-clock moment a string names, and the fields it was read from."""
    fast = _ISO_TIMESTAMP_RE.match(text)
    if fast:
        *parts, fraction = fast.groups()
        year, month, day, hour, minute, second = (int(part or 0) for part in parts)
        micros = int(fraction.ljust(6, "0")) if fraction else 0
        try:
            moment = datetime(year, month, day, hour, minute, second, micros)
            fields = _Fields()
            fields.ymd = (year, month, day)
            return moment, fields
        except ValueError:
            pass                            # let the full parser classify the error
    special = _special(text, type_name)
    if special is not None:
        return special, _Fields()
    fields = _parsed(text, type_name)
    if fields.ymd is None or (fields.time is None and fields.meridiem is not None):
        raise _fail(type_name, text, "syntax")
    try:
        micros = _time_microseconds(fields) if fields.time is not None else 0
        return datetime(*fields.ymd) + timedelta(microseconds=micros), fields
    except _Reject as reject:
        raise _fail(type_name, text, reject.kind) from None
    except OverflowError:
        raise NotSupportedError("dates after the year 9999 are not supported") from None


def parse_date(text: str) -> date:
    """date_in: the date part of a date or timestamp string (its time is ignored)."""
    moment, fields = _local_timestamp(text, "date")
    return date(*fields.ymd) if fields.ymd is not None else moment.date()


def parse_timestamp(text: str) -> datetime:
    """timestamp_in: a naive datetime; a zone in the text is ignored, as PostgreSQL does."""
    moment, _ = _local_timestamp(text, "timestamp")
    return moment


def parse_timestamptz(text: str) -> datetime:
    """timestamptz_in: an aware datetime in UTC; no zone in the text means UTC (the session's)."""
    moment, fields = _local_timestamp(text, "timestamptz")
    if fields.zone is not None:
        return moment.replace(tzinfo=fields.zone).astimezone(UTC)
    return (moment - (fields.offset or timedelta(0))).replace(tzinfo=UTC)


def parse_time(text: str) -> time:
    """time_in: H:M[:S[.f]] [am|pm]; a date or zone around it is ignored."""
    word = text.strip().lower()
    if word in ("allballs", "now"):
        return time() if word == "allballs" else datetime.now(UTC).time()
    fields = _parsed(text, "time")
    if fields.time is None:
        raise _fail("time", text, "syntax")
    try:
        micros = _time_microseconds(fields)
    except _Reject as reject:
        raise _fail("time", text, reject.kind) from None
    return time_from_microseconds(micros)


def time_from_microseconds(micros: int) -> time:
    if micros >= DAY_MICROSECONDS:
        raise NotSupportedError("time 24:00:00 is not supported")
    seconds, micro = divmod(micros, 1_000_000)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


def round_timestamp(value: datetime, precision: int) -> datetime:
    """timestamp(p): round to p fraction digits, halves away from 2000-01-01 as PostgreSQL."""
    if precision >= 6:
        return value
    scale = 10 ** (6 - precision)
    micros = (value.replace(tzinfo=None) - PG_EPOCH) // timedelta(microseconds=1)
    rounded = (abs(micros) + scale // 2) // scale * scale
    result = PG_EPOCH + timedelta(microseconds=rounded if micros >= 0 else -rounded)
    return result.replace(tzinfo=value.tzinfo)


def round_time(value: time, precision: int) -> time:
    """time(p): round to p fraction digits, halves up."""
    if precision >= 6:
        return value
    scale = 10 ** (6 - precision)
    micros = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
    micros += value.microsecond
    return time_from_microseconds((micros + scale // 2) // scale * scale)


def _fraction(microseconds: int) -> str:
    return f".{microseconds:06d}".rstrip("0") if microseconds else ""


def format_date(value: date) -> str:
    return value.isoformat()


def format_time(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}" \
        + _fraction(value.microsecond)


def format_timestamp(value: datetime) -> str:
    return f"{value.date().isoformat()} {format_time(value.time())}"


def format_timestamptz(value: datetime) -> str:
    """Printed in the session time zone, UTC: '2020-01-02 03:04:05+00'."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return format_timestamp(value) + "+00"


# Intervals ------------------------------------------------------------------------------

_UNIT_MICROSECONDS = {
    **dict.fromkeys(("microsecond", "microseconds", "us", "usec", "usecs", "useconds"), 1),
    **dict.fromkeys(("millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds"), 1000),
    **dict.fromkeys(("second", "seconds", "s", "sec", "secs"), 1_000_000),
    **dict.fromkeys(("minute", "minutes", "m", "min", "mins"), 60_000_000),
    **dict.fromkeys(("hour", "hours", "h", "hr", "hrs"), 3_600_000_000),
    **dict.fromkeys(("day", "days", "d"), DAY_MICROSECONDS),
    **dict.fromkeys(("week", "weeks", "w"), 7 * DAY_MICROSECONDS),
}
_MONTH_UNITS = frozenset(("month", "months", "mon", "mons", "year", "years", "y", "yr", "yrs",
                          "decade", "decades", "century", "centuries", "millennium",
                          "millennia"))
_NUMBER_RE = re.compile(r"([+-]?(?:\d+\.?\d*|\.\d+))([a-z]*)\Z")
_CLOCK_RE = re.compile(r"([+-]?)(\d+):(\d*)(?::(\d+(?:\.\d*)?))?\Z")
_ISO_RE = re.compile(r"p(?:([-+]?[\d.]+)y)?(?:([-+]?[\d.]+)m)?(?:([-+]?[\d.]+)w)?"
                     r"(?:([-+]?[\d.]+)d)?(?:t(?:([-+]?[\d.]+)h)?(?:([-+]?[\d.]+)m)?"
                     r"(?:([-+]?[\d.]+)s)?)?\Z")


def parse_interval(text: str) -> timedelta:
    """interval_in for day/time intervals: '1 day 02:03:04', '2 hours', '@ 1 min ago', 'P1DT2H'."""
    try:
        micros = _interval_microseconds(text.strip().lower())
    except _Reject:
        raise InvalidDatetimeFormatError(
            f'invalid input syntax for type interval: "{text}"') from None
    rounded = int(micros.to_integral_value(ROUND_HALF_EVEN))
    if abs(rounded) // DAY_MICROSECONDS > INTERVAL_DAYS_MAX:
        raise IntervalFieldOverflowError(f'interval field value out of range: "{text}"')
    return timedelta(microseconds=rounded)


def _interval_microseconds(text: str) -> Decimal:
    if text.startswith("p"):
        return _iso_interval(text)
    text = text.removeprefix("@").strip()
    sign = 1
    if text.endswith(" ago") or text == "ago":
        sign, text = -1, text.removesuffix("ago").strip()
    tokens = text.split()
    if not tokens:
        raise _Reject("syntax")
    total, seen, position = Decimal(0), set(), 0
    while position < len(tokens):
        amount, unit, position = _next_interval_field(tokens, position)
        clashes = (unit == "clock" and seen & _CLOCK_UNITS) or (
            unit in _CLOCK_UNITS and "clock" in seen)
        if unit in seen or clashes:
            raise _Reject("syntax")
        seen.add(unit)
        total += amount
    return total * sign


def _next_interval_field(tokens: list[str], position: int) -> tuple[Decimal, str, int]:
    token = tokens[position]
    clock = _CLOCK_RE.match(token)
    if clock:
        sign, hours, minutes, seconds = clock.groups()
        micros = (Decimal(hours) * 60 + Decimal(minutes or 0)) * 60_000_000
        micros += Decimal(seconds or 0) * 1_000_000
        return (-micros if sign == "-" else micros), "clock", position + 1
    number = _NUMBER_RE.match(token)
    if not number:
        raise _Reject("syntax")
    amount, unit = Decimal(number.group(1)), number.group(2)
    position += 1
    if not unit and position < len(tokens) and tokens[position].isalpha():
        unit, position = tokens[position], position + 1
    if not unit:
        unit = "s"
    if unit in _MONTH_UNITS:
        if amount:
            raise NotSupportedError("intervals with months or years are not supported")
        return Decimal(0), "month", position
    if unit not in _UNIT_MICROSECONDS:
        raise _Reject("syntax")
    scale = _UNIT_MICROSECONDS[unit]
    return amount * scale, _UNIT_NAMES[scale], position


_UNIT_NAMES = {1: "microsecond", 1000: "millisecond", 1_000_000: "second",
               60_000_000: "minute", 3_600_000_000: "hour", DAY_MICROSECONDS: "day",
               7 * DAY_MICROSECONDS: "week"}
_CLOCK_UNITS = frozenset({"hour", "minute", "second"})


def _iso_interval(text: str) -> Decimal:
    match = _ISO_RE.match(text)
    if not match or text in ("p", "pt") or text.endswith("t"):
        raise _Reject("syntax")
    years, months, weeks, days, hours, minutes, seconds = match.groups()
    if any(part and Decimal(part) for part in (years, months)):
        raise NotSupportedError("intervals with months or years are not supported")
    scales = ((weeks, 7 * DAY_MICROSECONDS), (days, DAY_MICROSECONDS),
              (hours, 3_600_000_000), (minutes, 60_000_000), (seconds, 1_000_000))
    try:
        return sum((Decimal(part) * scale for part, scale in scales if part), Decimal(0))
    except ArithmeticError:
        raise _Reject("syntax") from None


def format_interval(value: timedelta) -> str:
    """IntervalStyle postgres: '1 day 02:03:04', '-1 days -00:00:01', '00:00:00'."""
    micros = value // timedelta(microseconds=1)
    if micros == 0:
        return "00:00:00"
    negative = micros < 0
    days, rest = divmod(abs(micros), DAY_MICROSECONDS)
    parts = []
    sign = "-" if negative else ""
    if days:
        parts.append(f"{sign}{days} day{'' if days == 1 and not negative else 's'}")
    if rest:
        seconds, micro = divmod(rest, 1_000_000)
        clock = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        parts.append(f"{sign}{clock}{_fraction(micro)}")
    return " ".join(parts)
