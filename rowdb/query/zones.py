"""The session time zone (the TimeZone setting) and PostgreSQL's time zone names.

Where: query layer, below datetimes.py, casts.py, datefuncs.py and datetime_sql.py, which
read the session zone here; the session (rowdb/settings.py) sets it around each statement
with `activate`. timestamptz values stay aware datetimes in UTC: the zone only changes how
they are read from text without an offset, printed, cast to and from timestamp/date/time,
split into fields, truncated and shifted by days and months.

Zone names, as PostgreSQL reads them:
- `setting_zone` for SET TimeZone: IANA names (case-insensitive, shown in their canonical
  spelling), POSIX strings with the POSIX sign ('UTC+3' is three hours *west*, '<+05>-05'),
  and plain numbers of hours east ('SET TIME ZONE -5', shown '<-05>+05').
- `expression_zone` for AT TIME ZONE, timezone() and date_trunc(..., zone): abbreviations
  ('PST', 'Z') first, then names as SET reads them ('+05:30' is POSIX: west, as in
  PostgreSQL 15), but not plain numbers of hours.

A wall-clock time that a zone skips (spring forward) is read with the offset before the
change, one it repeats (fall back) with the offset after it, as PostgreSQL does.

>>> to_local(datetime(2024, 6, 1, 3, tzinfo=UTC), expression_zone('America/New_York'))
datetime.datetime(2024, 5, 31, 23, 0)
>>> setting_zone('utc+3')[0], offset_text(timedelta(hours=5, minutes=30))
('utc+3', '+05:30')
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from rowdb.errors import InvalidParameterValueError, NotSupportedError

UTC = timezone.utc
DEFAULT_ZONE_NAME = "UTC"

_ZONE: ContextVar[tzinfo] = ContextVar("rowdb_time_zone", default=UTC)
_SETTINGS: ContextVar[object] = ContextVar("rowdb_settings", default=None)

# PostgreSQL's default timezone_abbreviations (hours east of UTC) that AT TIME ZONE reads
_ABBREVIATIONS = {
    "z": 0, "zulu": 0, "utc": 0, "ut": 0, "uct": 0, "gmt": 0, "wet": 0, "west": 1, "bst": 1,
    "cet": 1, "cest": 2, "met": 1, "mest": 2, "eet": 2, "eest": 3, "msk": 3, "ist": 2,
    "sast": 2, "cat": 2, "eat": 3, "wat": 1, "hkt": 8, "jst": 9, "kst": 9, "awst": 8,
    "acst": 9.5, "acdt": 10.5, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
    "ast": -4, "adt": -3, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6,
    "pst": -8, "pdt": -7, "akst": -9, "akdt": -8, "hst": -10, "nst": -3.5, "ndt": -2.5,
}
_POSIX = re.compile(r"(?:([a-z]{3,})|<([^<>]+)>)?([+-]?)(\d{1,3})(?::(\d\d))?(?::(\d\d))?\Z",
                    re.IGNORECASE)
_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*\Z", re.IGNORECASE)


# The session zone -----------------------------------------------------------------------

def session_zone() -> tzinfo:
    return _ZONE.get()


def session_settings():
    """The running session's settings (an object with `show(name)`), or None."""
    return _SETTINGS.get()


def activate(zone: tzinfo, settings) -> tuple:
    """Make `zone` the session zone for what runs next in this thread; returns the tokens
    for `deactivate`."""
    return _ZONE.set(zone), _SETTINGS.set(settings)


def deactivate(tokens: tuple) -> None:
    _ZONE.reset(tokens[0])
    _SETTINGS.reset(tokens[1])


def _out_of_range() -> NotSupportedError:
    return NotSupportedError("timestamps outside the years 1 to 9999 are not supported")


def to_local(value: datetime, zone: tzinfo | None = None) -> datetime:
    """An instant (aware datetime) as the naive wall-clock time in `zone` (the session's)."""
    zone = zone or _ZONE.get()
    if zone is UTC and value.tzinfo is UTC:
        return value.replace(tzinfo=None)
    try:
        return value.astimezone(zone).replace(tzinfo=None)
    except OverflowError:
        raise _out_of_range() from None


def in_zone(value: datetime, zone: tzinfo | None = None) -> datetime:
    """An instant as an aware datetime in `zone` (the session's): local fields, offset."""
    zone = zone or _ZONE.get()
    if value.tzinfo is zone:
        return value
    try:
        return value.astimezone(zone)
    except OverflowError:
        raise _out_of_range() from None


def local_offset(naive: datetime, zone: tzinfo) -> timedelta:
    """The offset PostgreSQL gives a wall-clock time in `zone`: in a gap, the one before
    the change; in a repeated hour, the one after it (the smaller of the two either way)."""
    first = zone.utcoffset(naive)
    if isinstance(zone, timezone):
        return first
    second = zone.utcoffset(naive.replace(fold=1))
    return first if first <= second else second


def from_local(naive: datetime, zone: tzinfo | None = None) -> datetime:
    """A wall-clock time in `zone` (the session's) as an instant: aware, in UTC."""
    zone = zone or _ZONE.get()
    if zone is UTC:
        return naive.replace(tzinfo=UTC)
    try:
        return (naive - local_offset(naive, zone)).replace(tzinfo=UTC)
    except OverflowError:
        raise _out_of_range() from None


def offset_text(offset: timedelta) -> str:
    """An offset as PostgreSQL prints it after a timestamptz: +00, -04, +05:30, +00:19:32."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{sign}{hours:02d}"
    if minutes or seconds:
        text += f":{minutes:02d}"
    if seconds:
        text += f":{seconds:02d}"
    return text


# Zone names -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _canonical_names() -> dict[str, str]:
    names = {name.lower(): name for name in available_timezones()}
    names.pop("localtime", None)
    return names


def _named_zone(text: str) -> tuple[str, tzinfo] | None:
    """An IANA zone by its case-insensitive name: (canonical name, zone)."""
    name = _canonical_names().get(text.lower())
    if name is None:
        return None
    if name == "UTC":
        return name, UTC
    try:
        return name, ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return None


def _posix_zone(text: str) -> tzinfo | None:
    """A POSIX TZ string with a standard time only: 'UTC+3', '<+05>-05', '5', '+05:30'.
    The POSIX offset is hours *west* of Greenwich."""
    match = _POSIX.match(text.strip())
    if match is None:
        return None
    plain, quoted, sign, hours, minutes, seconds = match.groups()
    west = timedelta(hours=int(hours), minutes=int(minutes or 0), seconds=int(seconds or 0))
    if west >= timedelta(hours=24):
        return None
    east = west if sign == "-" else -west
    abbreviation = plain or quoted or offset_text(east)
    return timezone(east, abbreviation)


def _fixed_offset_name(east_seconds: int) -> str:
    """How PostgreSQL shows a numeric SET TIME ZONE: '<-05>+05' for five hours west."""
    absolute = abs(east_seconds)
    text = f"{absolute // 3600:02d}"
    if absolute % 3600:
        text += f":{absolute // 60 % 60:02d}"
    if absolute % 60:
        text += f":{absolute % 60:02d}"
    return f"<-{text}>+{text}" if east_seconds < 0 else f"<+{text}>-{text}"


def invalid_setting(text: str) -> InvalidParameterValueError:
    return InvalidParameterValueError(f'invalid value for parameter "TimeZone": "{text}"')


@lru_cache(maxsize=256)
def setting_zone(text: str) -> tuple[str, tzinfo]:
    """What SET TimeZone = text makes the session zone: (the name SHOW gives, the zone)."""
    if _NUMBER.match(text):
        return fixed_offset_setting(round(float(text) * 3600))
    named = _named_zone(text)
    if named is not None:
        return named
    zone = _posix_zone(text)
    if zone is None:
        raise invalid_setting(text)
    return text, zone


def fixed_offset_setting(east_seconds: int) -> tuple[str, tzinfo]:
    """SET TIME ZONE <hours> or INTERVAL '...': a fixed offset east of UTC."""
    if abs(east_seconds) >= 24 * 3600:
        raise InvalidParameterValueError(
            "invalid value for parameter \"TimeZone\": "
            f"\"{_fixed_offset_name(east_seconds)}\"")
    name = _fixed_offset_name(east_seconds)
    return name, timezone(timedelta(seconds=east_seconds), name[1:name.index(">")])


@lru_cache(maxsize=256)
def expression_zone(text: str) -> tzinfo:
    """The zone AT TIME ZONE text, timezone(text, ...) and date_trunc(..., text) mean."""
    if not text.strip():
        raise InvalidParameterValueError(f'time zone "{text}" not recognized')
    hours = _ABBREVIATIONS.get(text.strip().lower())
    if hours is not None:
        return UTC if not hours else timezone(timedelta(hours=hours), text.strip().upper())
    named = _named_zone(text)
    if named is not None:
        return named[1]
    zone = _posix_zone(text)
    if zone is None:
        raise InvalidParameterValueError(f'time zone "{text}" not recognized')
    return zone


def interval_zone(interval) -> tzinfo:
    """AT TIME ZONE INTERVAL '...': a fixed offset east of UTC (no months or days)."""
    if interval.months or interval.days:
        raise InvalidParameterValueError(
            f'interval time zone "{interval}" must not include months or days')
    return timezone(timedelta(microseconds=interval.micros))


@lru_cache(maxsize=64)
def python_zone(name: str) -> tzinfo:
    """The tzinfo psycopg gives timestamptz values for a connection whose TimeZone is
    `name` (psycopg._tz.get_tzinfo): ZoneInfo(name), or UTC when that fails."""
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):
        return UTC
