"""Date and time functions: extract/date_part, date_trunc, make_date/time/timestamp, age,
to_timestamp(epoch), isfinite.

Where: query layer; registered into functions.py's registry on import. sqlglot reads
extract(f FROM x), date_part('f', x) and date_trunc('f', x) into nodes whose field
functions.arguments_of hands over as a lower-case string first argument.

Since PostgreSQL 14 extract returns numeric (seconds with 6 decimals, dates as integers)
and date_part float8. sqlglot parses date_part into the same node as extract, so both give
numeric unless the call reaches the registry as `date_part`. Timestamps with time zone are
taken in the session time zone (zones.py). Intervals are split into PostgreSQL's fields: years and
months from the months, days, then hours (unbounded: `interval '30 hours'` has hour 30),
minutes and seconds from the time. justify_* and make_interval are registered here too.

>>> extract_value("epoch", datetime(1970, 1, 2)), extract_value("dow", date(2024, 2, 29))
(Decimal('86400.000000'), Decimal('4'))
>>> date_trunc("quarter", datetime(2024, 5, 15, 10, 11))
datetime.datetime(2024, 4, 1, 0, 0)
"""

from __future__ import annotations

import calendar
import math
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from rowdb.errors import (DatetimeFieldOverflowError, InvalidParameterValueError,
                          NotSupportedError)
from rowdb.query import arith, intervals, textio, zones
from rowdb.query.datetime_sql import Interval, interval_fields, truncate_interval
from rowdb.query.functions import scalar
from rowdb.query.types import (BOOL, DATE, FLOAT8, INT4, INTERVAL, NUMERIC, TEXT, TIME,
                               TIMESTAMP, TIMESTAMPTZ)

UTC = timezone.utc
UNIX_EPOCH = datetime(1970, 1, 1)
UNIX_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
JULIAN_OFFSET = 1721425            # Julian day of 0001-01-01 is this + toordinal() (1)
DAY_MICROSECONDS = 86_400_000_000
_ONE_MICROSECOND = timedelta(microseconds=1)


# Field names ----------------------------------------------------------------------------

def _names(field: str, *spellings: str) -> dict[str, str]:
    return dict.fromkeys((field, *spellings), field)


UNITS = {
    **_names("microseconds", "microsecond", "microsecon", "us", "usec", "usecs", "useconds"),
    **_names("milliseconds", "millisecond", "millisecon", "ms", "msec", "msecs", "mseconds"),
    **_names("second", "seconds", "s", "sec", "secs"),
    **_names("minute", "minutes", "m", "min", "mins"),
    **_names("hour", "hours", "h", "hr", "hrs"),
    **_names("day", "days", "d"), **_names("week", "weeks", "w"),
    **_names("month", "months", "mon", "mons"), **_names("quarter", "qtr"),
    **_names("year", "years", "y", "yr", "yrs"), **_names("decade", "decades", "dec", "decs"),
    **_names("century", "centuries", "c", "cent"),
    **_names("millennium", "millennia", "mil", "mils"),
    **_names("epoch"), **_names("dow"), **_names("isodow"), **_names("doy"),
    **_names("isoyear"), **_names("julian", "j"), **_names("timezone"),
    **_names("timezone_hour", "timezone_h"), **_names("timezone_minute", "timezone_m"),
}
_DISPLAY = {"date": "date", "timestamp": "timestamp without time zone",
            "timestamptz": "timestamp with time zone", "time": "time without time zone",
            "interval": "interval"}


def _unit(text: str) -> str | None:
    return UNITS.get(text.lower())


def _not_recognized(text: str, kind: str) -> InvalidParameterValueError:
    return InvalidParameterValueError(
        f'unit "{text.lower()}" not recognized for type {_DISPLAY[kind]}')


def _not_supported(text: str, kind: str) -> NotSupportedError:
    return NotSupportedError(f'unit "{text.lower()}" not supported for type {_DISPLAY[kind]}')


# extract / date_part --------------------------------------------------------------------

def _julian(day: date) -> int:
    return day.toordinal() + JULIAN_OFFSET


_DATE_PARTS = {
    "day": lambda d: d.day, "month": lambda d: d.month, "year": lambda d: d.year,
    "quarter": lambda d: (d.month - 1) // 3 + 1, "week": lambda d: d.isocalendar()[1],
    "isoyear": lambda d: d.isocalendar()[0], "dow": lambda d: d.isoweekday() % 7,
    "isodow": lambda d: d.isoweekday(), "doy": lambda d: d.timetuple().tm_yday,
    "decade": lambda d: d.year // 10, "century": lambda d: (d.year + 99) // 100,
    "millennium": lambda d: (d.year + 999) // 1000, "julian": _julian,
}


def _micros_of_day(moment) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 \
        + moment.microsecond


def _clock_part(field: str, moment) -> Decimal | None:
    """The time-of-day fields of a time or timestamp (None for a date field)."""
    if field == "hour":
        return Decimal(moment.hour)
    if field == "minute":
        return Decimal(moment.minute)
    micros = moment.second * 1_000_000 + moment.microsecond
    if field == "second":
        return Decimal(micros).scaleb(-6)
    if field == "milliseconds":
        return Decimal(micros).scaleb(-3)
    if field == "microseconds":
        return Decimal(micros)
    return None


def _extract_date(text: str, value: date) -> Decimal:
    field = _unit(text)
    if field == "epoch":
        return Decimal((value.toordinal() - UNIX_EPOCH.toordinal()) * 86400)
    part = _DATE_PARTS.get(field)
    if part is None:
        raise _not_supported(text, "date") if field else _not_recognized(text, "date")
    return Decimal(part(value))


def _extract_timestamp(text: str, value: datetime) -> Decimal:
    kind = "timestamptz" if value.tzinfo is not None else "timestamp"
    field = _unit(text)
    if field == "epoch":
        since = value - (UNIX_EPOCH_UTC if value.tzinfo is not None else UNIX_EPOCH)
        return Decimal(since // _ONE_MICROSECOND).scaleb(-6)
    if kind == "timestamptz":
        value = zones.in_zone(value)
        if field in ("timezone", "timezone_hour", "timezone_minute"):
            seconds = int(value.utcoffset().total_seconds())
            if field == "timezone":
                return Decimal(seconds)
            return Decimal(_c_div(seconds, 3600) if field == "timezone_hour"
                           else _c_div(seconds, 60) - _c_div(seconds, 3600) * 60)
        value = value.replace(tzinfo=None)
    if field == "julian":
        fraction = arith.numeric_div(Decimal(_micros_of_day(value)), Decimal(DAY_MICROSECONDS))
        return arith.numeric_add(Decimal(_julian(value)), fraction)
    part = _DATE_PARTS.get(field)
    if part is not None:
        return Decimal(part(value))
    found = _clock_part(field, value) if field else None
    if found is None:
        raise _not_supported(text, kind) if field else _not_recognized(text, kind)
    return found


def _extract_time(text: str, value: time) -> Decimal:
    field = _unit(text)
    if field == "epoch":
        return Decimal(_micros_of_day(value)).scaleb(-6)
    found = _clock_part(field, value) if field else None
    if found is None:
        raise _not_supported(text, "time") if field else _not_recognized(text, "time")
    return found


def _c_div(a: int, b: int) -> int:
    """C's integer division: truncates toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


_INTERVAL_YEARS = {"year": 1, "decade": 10, "century": 100, "millennium": 1000}


def _extract_interval(text: str, value) -> Decimal:
    months, days, micros = interval_fields(value)
    field = _unit(text)
    years = _c_div(months, 12)
    if field == "epoch":
        whole_days = Decimal("365.25") * years + 30 * (months - years * 12) + days
        return arith.numeric_add(Decimal(micros).scaleb(-6), whole_days * 86400)
    if field in _INTERVAL_YEARS:
        return Decimal(_c_div(years, _INTERVAL_YEARS[field]))
    if field in ("month", "quarter"):
        month = months - years * 12
        return Decimal(month if field == "month" else _c_div(month, 3) + 1)
    if field == "day":
        return Decimal(days)
    if field == "hour":
        return Decimal(_c_div(micros, 3_600_000_000))
    if field == "minute":
        return Decimal(_c_div(micros, 60_000_000) - _c_div(micros, 3_600_000_000) * 60)
    seconds = micros - _c_div(micros, 60_000_000) * 60_000_000
    scale = {"second": -6, "milliseconds": -3, "microseconds": 0}.get(field)
    if scale is None:
        raise _not_supported(text, "interval") if field else _not_recognized(text, "interval")
    return Decimal(seconds).scaleb(scale)


def extract_value(text: str, value) -> Decimal:
    """extract(text FROM value) for any date/time value."""
    if isinstance(value, datetime):
        return _extract_timestamp(text, value)
    if isinstance(value, date):
        return _extract_date(text, value)
    if isinstance(value, time):
        return _extract_time(text, value)
    return _extract_interval(text, value)


for _type, _fn in ((DATE, _extract_date), (TIMESTAMP, _extract_timestamp),
                   (TIMESTAMPTZ, _extract_timestamp), (TIME, _extract_time),
                   (INTERVAL, _extract_interval)):
    scalar("extract", (TEXT, _type), NUMERIC)(_fn)
    if _type != DATE:           # date_part(text, date) goes through timestamp
        scalar("date_part", (TEXT, _type), FLOAT8)(
            lambda text, value, _fn=_fn: float(_fn(text, value)))


# date_trunc -----------------------------------------------------------------------------

def _first_of(value: datetime, year: int, month: int = 1) -> datetime:
    return datetime(max(year, 1), month, 1, tzinfo=value.tzinfo)


_TRUNCATE = {
    "microseconds": lambda v: v,
    "milliseconds": lambda v: v.replace(microsecond=v.microsecond // 1000 * 1000),
    "second": lambda v: v.replace(microsecond=0),
    "minute": lambda v: datetime(v.year, v.month, v.day, v.hour, v.minute, tzinfo=v.tzinfo),
    "hour": lambda v: datetime(v.year, v.month, v.day, v.hour, tzinfo=v.tzinfo),
    "day": lambda v: datetime(v.year, v.month, v.day, tzinfo=v.tzinfo),
    "week": lambda v: datetime(v.year, v.month, v.day, tzinfo=v.tzinfo)
    - timedelta(days=v.weekday()),
    "month": lambda v: datetime(v.year, v.month, 1, tzinfo=v.tzinfo),
    "quarter": lambda v: _first_of(v, v.year, (v.month - 1) // 3 * 3 + 1),
    "year": lambda v: _first_of(v, v.year),
    "decade": lambda v: _first_of(v, v.year - v.year % 10),
    "century": lambda v: _first_of(v, (v.year + 99) // 100 * 100 - 99),
    "millennium": lambda v: _first_of(v, (v.year + 999) // 1000 * 1000 - 999),
}


def date_trunc(text: str, value: datetime) -> datetime:
    truncate = _TRUNCATE.get(UNITS.get(text))
    if truncate is not None:
        return truncate(value)
    field = _unit(text)
    if field in _TRUNCATE:
        return _TRUNCATE[field](value)
    kind = "timestamptz" if value.tzinfo is not None else "timestamp"
    if field in ("timezone", "timezone_hour", "timezone_minute"):
        raise _not_supported(text, kind)
    raise _not_recognized(text, kind)


scalar("date_trunc", (TEXT, TIMESTAMP), TIMESTAMP)(date_trunc)


@scalar("date_trunc", (TEXT, TIMESTAMPTZ), TIMESTAMPTZ)
def _date_trunc_session(text, value, place=None):
    """date_trunc on timestamptz: truncated in the zone's wall-clock time (the session's)."""
    place = place or zones.session_zone()
    if place is UTC and value.tzinfo is UTC:
        return date_trunc(text, value)
    unit = _unit(text)
    if unit not in _TRUNCATE or (unit in ("microseconds", "milliseconds", "second")
                                 and isinstance(place, timezone)):
        return date_trunc(text, value)                     # or its error for timestamptz
    local = zones.in_zone(value, place)
    truncated = date_trunc(text, local.replace(tzinfo=None))
    if unit in ("microseconds", "milliseconds", "second", "minute", "hour"):
        return (truncated - local.utcoffset()).replace(tzinfo=UTC)   # keeps its offset
    return zones.from_local(truncated, place)


@scalar("date_trunc", (TEXT, TIMESTAMPTZ, TEXT), TIMESTAMPTZ)
def _date_trunc_zone(text, value, zone):
    return _date_trunc_session(text, value, zones.expression_zone(zone))


@scalar("date_trunc", (TEXT, INTERVAL), INTERVAL)
def _date_trunc_interval(text, value):
    field = _unit(text)
    if field is None or field in ("epoch", "dow", "doy", "isodow", "isoyear", "julian"):
        raise _not_recognized(text, "interval")
    if field == "week" or field.startswith("timezone"):
        raise _not_supported(text, "interval")
    return truncate_interval(value, field.rstrip("s") if field != "milliseconds"
                             else "millisecond")


# Constructors ---------------------------------------------------------------------------

def _make_date(year: int, month: int, day: int) -> date:
    try:
        if year < 0:
            raise NotSupportedError("BC dates are not supported")
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise DatetimeFieldOverflowError(
            f"date field value out of range: {year}-{month:02d}-{day:02d}") from None


def _make_time(hour: int, minute: int, second: float) -> time:
    micros = round(second * 1_000_000) if math.isfinite(second) else -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= micros <= 60_000_000):
        raise DatetimeFieldOverflowError(
            f"time field value out of range: {hour:02d}:{minute:02d}:{second:02g}")
    total = (hour * 60 + minute) * 60_000_000 + micros
    if total >= DAY_MICROSECONDS:
        raise NotSupportedError("time 24:00:00 is not supported")
    seconds, micro = divmod(total, 1_000_000)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


scalar("make_date", (INT4, INT4, INT4), DATE)(_make_date)
scalar("make_time", (INT4, INT4, FLOAT8), TIME)(_make_time)


@scalar("make_timestamp", (INT4, INT4, INT4, INT4, INT4, FLOAT8), TIMESTAMP)
def _make_timestamp(year, month, day, hour, minute, second):
    day_value = _make_date(year, month, day)
    micros = round(second * 1_000_000) if math.isfinite(second) else -1
    if not (0 <= hour <= 23 and 0 <= minute <= 59 and 0 <= micros <= 60_000_000):
        _make_time(hour, minute, second)                  # raises the range error
    clock = timedelta(hours=hour, minutes=minute, microseconds=micros)
    return datetime(day_value.year, day_value.month, day_value.day) + clock


@scalar("make_timestamptz", (INT4, INT4, INT4, INT4, INT4, FLOAT8), TIMESTAMPTZ)
def _make_timestamptz(year, month, day, hour, minute, second):
    return zones.from_local(_make_timestamp(year, month, day, hour, minute, second))


@scalar("make_timestamptz", (INT4, INT4, INT4, INT4, INT4, FLOAT8, TEXT), TIMESTAMPTZ)
def _make_timestamptz_zone(year, month, day, hour, minute, second, zone):
    return zones.from_local(_make_timestamp(year, month, day, hour, minute, second),
                            zones.expression_zone(zone))


@scalar("to_timestamp", (FLOAT8,), TIMESTAMPTZ)
def _to_timestamp_epoch(seconds):
    if math.isnan(seconds):
        raise DatetimeFieldOverflowError("timestamp cannot be NaN")
    try:
        return UNIX_EPOCH_UTC + timedelta(microseconds=round(seconds * 1_000_000))
    except (OverflowError, ValueError):
        shown = textio.format_float8(seconds)
        if math.isinf(seconds):
            raise NotSupportedError("timestamp infinity is not supported") from None
        raise DatetimeFieldOverflowError(f'timestamp out of range: "{shown}"') from None


for _type in (DATE, TIMESTAMP, TIMESTAMPTZ, INTERVAL):
    scalar("isfinite", (_type,), BOOL)(lambda value: True)     # no infinities in rowdb

scalar("justify_hours", (INTERVAL,), INTERVAL)(intervals.justify_hours)
scalar("justify_days", (INTERVAL,), INTERVAL)(intervals.justify_days)
scalar("justify_interval", (INTERVAL,), INTERVAL)(intervals.justify_interval)
scalar("make_interval", (INT4, INT4, INT4, INT4, INT4, INT4, FLOAT8), INTERVAL,
       min_args=1)(intervals.make_interval)
scalar("make_interval", (), INTERVAL)(intervals.make_interval)


# age ------------------------------------------------------------------------------------

def _month_days(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def age(left: datetime, right: datetime):
    """age(a, b): a - b in years, months and days, borrowing as PostgreSQL's timestamp_age:
    a missing day borrows the length of the earlier timestamp's month."""
    if left.tzinfo is not None:
        left, right = zones.to_local(left), zones.to_local(right)
    later, earlier = (left, right) if left >= right else (right, left)
    micros = _micros_of_day(later) - _micros_of_day(earlier)
    days = later.day - earlier.day
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if micros < 0:
        micros += DAY_MICROSECONDS
        days -= 1
    while days < 0:
        days += _month_days(earlier.year, earlier.month)
        months -= 1
    sign = 1 if left >= right else -1
    return Interval.checked(sign * months, sign * days, sign * micros)


scalar("age", (TIMESTAMP, TIMESTAMP), INTERVAL)(age)
scalar("age", (TIMESTAMPTZ, TIMESTAMPTZ), INTERVAL)(age)


# date_bin -----------------------------------------------------------------------------------

def _date_bin(stride: Interval, source: datetime, origin: datetime) -> datetime:
    """date_bin(stride, source, origin): the start of the stride-long bin, counted from
    origin, that source falls in. Instants (timestamptz) bin as instants."""
    if stride.months:
        raise NotSupportedError(
            "timestamps cannot be binned into intervals containing months or years")
    step = stride.days * 86_400_000_000 + stride.micros
    if step <= 0:
        raise DatetimeFieldOverflowError("stride must be greater than zero")
    delta = (source - origin) // timedelta(microseconds=1)
    return origin + timedelta(microseconds=delta - delta % step)


scalar("date_bin", (INTERVAL, TIMESTAMP, TIMESTAMP), TIMESTAMP)(_date_bin)
scalar("date_bin", (INTERVAL, TIMESTAMPTZ, TIMESTAMPTZ), TIMESTAMPTZ)(_date_bin)
