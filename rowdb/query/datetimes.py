"""Dates, times and timestamps: PostgreSQL's text input and output for them.

Where: query layer; textio.py dispatches the date and time types here (intervals live in
intervals.py), casts.py rounds time(p)/timestamp(p) with `round_time` and `round_timestamp`.

Input follows PostgreSQL's DateStyle "ISO, MDY" for the common forms: ISO dates (2020-01-02,
20200102, 2020/01/02), month/day/year (01/02/2020), month names (Jan 2 2020, 2-Jan-2020),
times H:M[:S[.f]] with am/pm, an ISO `T`, zones (Z, UTC, +02, -05:30, EST, Europe/Paris),
and epoch, now, today, tomorrow, yesterday, allballs. timestamptz text without a zone is
read, and timestamptz values are printed, in the session time zone (zones.py).
Python's datetime holds years 1 to 9999 and times below 24:00, so 'infinity', BC dates,
later years and 24:00:00 raise NotSupportedError.

>>> format_timestamp(parse_timestamp("Jan 2 2020 10:00 pm"))
'2020-01-02 22:00:00'
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from rowdb.errors import (DataError, DatetimeFieldOverflowError, InvalidDatetimeFormatError,
                          NotSupportedError)
from rowdb.query import zones
from rowdb.query.intervals import DAY_MICROSECONDS

UTC = timezone.utc
PG_EPOCH = datetime(2000, 1, 1)          # PostgreSQL counts microseconds from here.
ZONE_OFFSET_SECONDS_MAX = 15 * 3600 + 59 * 60 + 59


class InvalidTimeZoneDisplacementError(DataError, sqlstate="22009"):
    """invalid_time_zone_displacement_value (belongs in rowdb/errors.py)."""


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
    if fields.ymd is not None:            # PostgreSQL validates the date after all fields
        fields.ymd = _checked_ymd(*fields.ymd)
    return fields


def _read_token(fields: _Fields, token: str) -> None:
    lower = token.lower().rstrip(".")
    meridiem = re.fullmatch(r"(am|pm)(\+.+)", lower)
    if meridiem:                                          # "10:00 pm+02"
        _read_token(fields, meridiem.group(1))
        lower = token = meridiem.group(2)
    time_match = _TIME_RE.match(lower)
    if time_match and fields.time is None:
        fields.time = [g or "" for g in time_match.groups()[:4]]
        hour, minute, second = (int(part or 0) for part in fields.time[:3])
        late = hour == 24 and (minute or second or fields.time[3].strip("0"))
        if hour > 24 or minute > 59 or second > 60 or late:
            raise _Reject("range")
        if time_match.group(5):
            _read_zone(fields, time_match.group(5), token)
        return
    date_match = _DATE_RE.match(lower)
    if fields.ymd is None and date_match and (date_match.group(1).isdigit()
                                              or date_match.group(1) in _MONTHS):
        fields.ymd = _date_from_parts(*date_match.group(1, 3, 4))
    elif fields.ymd is None and re.fullmatch(r"\d{8}", lower):
        fields.ymd = (int(lower[:4]), int(lower[4:6]), int(lower[6:]))
    elif lower in ("am", "pm") and fields.meridiem is None:
        fields.meridiem = lower
    elif lower == "bc":
        raise NotSupportedError("BC dates are not supported")
    elif lower == "ad":
        return
    elif (lower in _MONTHS or lower.isdigit()) and fields.ymd is None:
        if lower in _MONTHS and fields.loose and fields.loose[-1].isdigit():
            _leading_day(fields.loose[-1])                # "32 Jan" fails as it is read
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
    """(year, month, day) of a three-part date token, not yet validated."""
    if second in _MONTHS:                                  # 2-Jan-2020, 2020-Jan-02
        if not (first.isdigit() and third.isdigit()):
            raise _Reject("syntax")
        if len(first) >= 3:
            return _year(first), _MONTHS[second], int(third)
        return _year(third), _MONTHS[second], _leading_day(first)
    if first in _MONTHS and second.isdigit() and third.isdigit():    # Jan-02-2020
        return _year(third), _MONTHS[first], int(second)
    if not (first.isdigit() and second.isdigit() and third.isdigit()):
        raise _Reject("syntax")
    if len(first) >= 3:                                    # year first: ISO
        return _year(first), int(second), int(third)
    return _year(third), int(first), int(second)           # DateStyle MDY


def _assemble_named_date(fields: _Fields) -> None:
    """Loose words like 'Jan 2 2020' or '2 January 2020': one month name, day and year."""
    months = [word for word in fields.loose if word in _MONTHS]
    numbers = [word for word in fields.loose if word.isdigit()]
    if fields.ymd is not None or len(months) != 1 or len(numbers) != 2:
        raise _Reject("syntax")
    long_numbers = [n for n in numbers if len(n) >= 3]
    year_text = long_numbers[0] if long_numbers else numbers[1]
    day_text = numbers[1] if year_text is numbers[0] else numbers[0]
    day_first = fields.loose.index(day_text) < fields.loose.index(months[0])
    day = _leading_day(day_text) if day_first else int(day_text)
    fields.ymd = (_year(year_text), _MONTHS[months[0]], day)


def _leading_day(text: str) -> int:
    """A day written before the month name: PostgreSQL cannot read one outside 1-31."""
    if not 1 <= int(text) <= 31:
        raise _Reject("syntax")
    return int(text)


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
    now = zones.to_local(datetime.now(UTC))
    today = now.date()
    return {"epoch": datetime(1970, 1, 1), "now": now,
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
    """timestamptz_in: an aware datetime in UTC; no zone in the text means the session's."""
    moment, fields = _local_timestamp(text, "timestamptz")
    if fields.zone is not None:
        return zones.from_local(moment, fields.zone)
    if fields.offset is not None:
        return (moment - fields.offset).replace(tzinfo=UTC)
    word = text.strip().lower()
    if word in ("now", "epoch"):
        return datetime.now(UTC) if word == "now" else datetime(1970, 1, 1, tzinfo=UTC)
    return zones.from_local(moment)


def parse_time(text: str) -> time:
    """time_in: H:M[:S[.f]] [am|pm]; a date or zone around it is ignored."""
    word = text.strip().lower()
    if word in ("allballs", "now"):
        return time() if word == "allballs" else zones.to_local(datetime.now(UTC)).time()
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
    """Printed in the session time zone: '2020-01-02 03:04:05+00', '... 23:04:05-04'."""
    zone = zones.session_zone()
    if zone is UTC:
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return format_timestamp(value) + "+00"
    value = zones.in_zone(value, zone)
    return format_timestamp(value) + zones.offset_text(value.utcoffset())
