"""to_char, to_date and to_timestamp: PostgreSQL's date/time template patterns.

Where: query layer; registered into functions.py's registry on import. The parser keeps
two-argument to_char/to_date/to_timestamp calls as written (parse.py), so templates arrive
here as PostgreSQL wrote them. A template compiles once (cached) into nodes:
keywords (YYYY, MM, DD, HH24, MI, SS, MS, US, FF1-6, Mon, Month, Dy, Day, AM, D, DDD, IW, ...)
with their FM (no padding) and TH (ordinal) modifiers, quoted "text" and other characters.

Parsing follows PostgreSQL 15's non-FX rules: blanks before a field are skipped, a template
separator matches one non-alphanumeric input character (or nothing), a number runs to the
next non-digit unless another number field follows directly (then it takes its width), and
input left over at the end is ignored. Month and day 0 count as missing, as in PostgreSQL.
Templates without a year give year 0 (1 BC) in PostgreSQL, which rowdb cannot hold.

>>> to_char(datetime(2024, 2, 9, 13, 5, 9), "FMDay, DDth Month YYYY HH12:MI AM")
'Friday, 09th February  2024 01:05 PM'
>>> to_date("9 Feb 2024", "DD Mon YYYY")
datetime.date(2024, 2, 9)
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

from rowdb.errors import (DatetimeFieldOverflowError, InvalidDatetimeFormatError,
                          NotSupportedError)
from rowdb.query import zones
from rowdb.query.datetime_sql import interval_fields
from rowdb.query.functions import scalar
from rowdb.query.types import DATE, INTERVAL, TEXT, TIMESTAMP, TIMESTAMPTZ

UTC = timezone.utc
MONTHS = [calendar.month_name[i] for i in range(1, 13)]
DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

# Number keywords and their widths (0: as many digits as the value has).
_NUMBERS = {"Y,YYY": 5, "YYYY": 4, "YYY": 3, "YY": 2, "Y": 1, "IYYY": 4, "IYY": 3, "IY": 2,
            "I": 1, "MM": 2, "DDD": 3, "DD": 2, "D": 1, "IDDD": 3, "ID": 1, "HH24": 2,
            "HH12": 2, "HH": 2, "MI": 2, "SSSSS": 0, "SSSS": 0, "SS": 2, "MS": 3, "US": 6,
            "FF1": 1, "FF2": 2, "FF3": 3, "FF4": 4, "FF5": 5, "FF6": 6, "Q": 1, "WW": 2,
            "IW": 2, "W": 1, "CC": 2, "J": 0, "TZH": 2, "TZM": 2}
# Text keywords, each spelled UPPER, Capitalised or lower (the output follows the spelling).
_WORDS = ("MONTH", "MON", "DAY", "DY", "AM", "PM", "A.M.", "P.M.", "AD", "BC", "A.D.",
          "B.C.", "RM", "TZ", "OF")
_KEYWORDS = sorted({*_NUMBERS, *(k.lower() for k in _NUMBERS), *_WORDS,
                    *(w.lower() for w in _WORDS), "Month", "Mon", "Day", "Dy"},
                   key=len, reverse=True)
_KEYWORD_RE = re.compile("|".join(re.escape(k) for k in _KEYWORDS))


class _Node:
    """One template element: a keyword (with its modifiers) or literal text."""

    __slots__ = ("key", "spelling", "fill", "ordinal", "text", "translate")

    def __init__(self, key=None, spelling=None, fill=False, ordinal=None, text=None,
                 translate=False):
        self.key, self.spelling, self.fill = key, spelling, fill
        self.ordinal, self.text, self.translate = ordinal, text, translate


@lru_cache(maxsize=256)
def compile_template(template: str) -> tuple[_Node, ...]:
    nodes: list[_Node] = []
    position = 0
    while position < len(template):
        char = template[position]
        if char == '"':
            end = position + 1
            text = []
            while end < len(template) and template[end] != '"':
                if template[end] == "\\" and end + 1 < len(template):
                    end += 1
                text.append(template[end])
                end += 1
            nodes.append(_Node(text="".join(text)))
            position = end + 1
            continue
        if char == "\\" and template[position + 1:position + 2] == '"':
            nodes.append(_Node(text='"'))
            position += 2
            continue
        prefix = template[position:position + 2]          # one FM or TM, as spelled here
        fill, translate = prefix in ("FM", "fm"), prefix in ("TM", "tm")
        position += 2 if fill or translate else 0
        if template[position:position + 2] in ("FX", "fx"):   # a keyword printing nothing
            position += 2
            continue
        match = _KEYWORD_RE.match(template, position)
        if match is None:
            nodes.append(_Node(text=template[position]))
            position += 1
            continue
        spelling = match.group(0)
        position = match.end()
        ordinal = None
        if template[position:position + 2] in ("TH", "th"):
            ordinal = template[position:position + 2]
            position += 2
        nodes.append(_Node(spelling.upper(), spelling, fill, ordinal, translate=translate))
    return tuple(nodes)


# to_char ------------------------------------------------------------------------------------

class _IntervalMoment:
    """An interval's fields under the names a datetime has; date fields are zero."""

    tzinfo = None

    def __init__(self, value):
        months, days, micros = interval_fields(value)
        years, seconds = int(months / 12), int(micros / 1_000_000)
        self.year, self.month, self.day = years, months - years * 12, days
        self.hour = int(seconds / 3600)
        self.minute = int(seconds / 60) - self.hour * 60
        self.second = seconds - int(seconds / 60) * 60
        self.microsecond = micros - seconds * 1_000_000

    def isocalendar(self):
        return self.year, 0, 0

    def isoweekday(self):
        return 0

    def timetuple(self):
        return _NO_DAY

    def toordinal(self):
        return -1721425


class _NoDay:
    tm_yday = 0


_NO_DAY = _NoDay()


def _ordinal(number: int, upper: bool) -> str:
    last_two = abs(number) % 100
    suffix = "th" if 11 <= last_two <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(
        last_two % 10, "th")
    return suffix.upper() if upper else suffix


def _hour12(m) -> int:
    return 12 if m.hour % 12 == 0 else m.hour % 12


def _seconds_of_day(m) -> int:
    return (m.hour * 60 + m.minute) * 60 + m.second


def _offset_seconds(m) -> int:
    """|UTC offset| in seconds of a to_char moment (0 for timestamps and intervals)."""
    offset = m.utcoffset() if m.tzinfo is not None else None
    return abs(int(offset.total_seconds())) if offset else 0


def _tz_hours(m) -> int:
    offset = m.utcoffset() if m.tzinfo is not None else None
    hours = _offset_seconds(m) // 3600
    return -hours if offset and offset.total_seconds() < 0 else hours


_GETTERS = {
    "YYYY": lambda m: m.year, "IYYY": lambda m: m.isocalendar()[0],
    "MM": lambda m: m.month, "DD": lambda m: m.day, "HH24": lambda m: m.hour,
    "HH12": _hour12, "HH": _hour12, "MI": lambda m: m.minute, "SS": lambda m: m.second,
    "MS": lambda m: m.microsecond // 1000, "US": lambda m: m.microsecond,
    "SSSS": _seconds_of_day, "SSSSS": _seconds_of_day, "TZH": lambda m: _tz_hours(m),
    "TZM": lambda m: _offset_seconds(m) // 60 % 60, "Q": lambda m: (m.month - 1) // 3 + 1,
    "CC": lambda m: (m.year + 99) // 100 if m.year > 0 else m.year // 100,
    "DDD": lambda m: m.timetuple().tm_yday, "D": lambda m: m.isoweekday() % 7 + 1,
    "ID": lambda m: m.isoweekday(), "IW": lambda m: m.isocalendar()[1],
    "IDDD": lambda m: (m.isocalendar()[1] - 1) * 7 + m.isoweekday(),
    "WW": lambda m: (m.timetuple().tm_yday - 1) // 7 + 1, "W": lambda m: (m.day - 1) // 7 + 1,
    "J": lambda m: m.toordinal() + 1721425,
    **{f"FF{n}": (lambda m, n=n: m.microsecond // 10 ** (6 - n)) for n in range(1, 7)},
}
for _short in ("YYY", "YY", "Y", "Y,YYY"):
    _GETTERS[_short] = _GETTERS["YYYY"]
for _short in ("IYY", "IY", "I"):
    _GETTERS[_short] = _GETTERS["IYYY"]


def _cased(word: str, spelling: str) -> str:
    if spelling.isupper():
        return word.upper()
    if spelling.islower():
        return word.lower()
    return word


def _word(node: _Node, m) -> str:
    key, spelling = node.key, node.spelling
    dated = m.tzinfo is not None or not isinstance(m, _IntervalMoment)
    if key in ("MONTH", "DAY"):
        name = MONTHS[m.month - 1] if key == "MONTH" else \
            DAYS[m.isoweekday() % 7] if dated else ""
        name = _cased(name, spelling)
        return name if node.fill or node.translate else name.ljust(9)
    if key in ("MON", "DY"):
        name = MONTHS[m.month - 1][:3] if key == "MON" else \
            DAYS[m.isoweekday() % 7][:3] if dated else ""
        return _cased(name, spelling)
    if key in ("AM", "PM", "A.M.", "P.M."):
        word = ("PM" if m.hour >= 12 else "AM") if "." not in key else \
            ("P.M." if m.hour >= 12 else "A.M.")
        return _cased(word, spelling)
    if key in ("AD", "BC", "A.D.", "B.C."):
        return _cased("A.D." if "." in key else "AD", spelling)
    if key == "RM":
        numeral = _ROMAN[m.month - 1] if m.month else ""
        numeral = numeral if node.fill else numeral.ljust(4)
        return numeral.lower() if spelling == "rm" else numeral
    if key == "TZ":
        return _cased(m.tzinfo.tzname(m) or "", spelling) if m.tzinfo is not None else ""
    negative = m.tzinfo is not None and m.utcoffset().total_seconds() < 0     # OF
    seconds = _offset_seconds(m)
    text = ("-" if negative else "+") + str(seconds // 3600).zfill(0 if node.fill else 2)
    return text + (f":{seconds // 60 % 60:02d}" if seconds % 3600 else "")


_SIGN_APART = frozenset({"HH", "HH12", "HH24", "MI", "SS", "TZH"})   # negative: one more column
_LAST_DIGITS = frozenset({"YYY", "YY", "Y", "IYY", "IY", "I"})


def _number_text(node: _Node, get, m) -> str:
    value = get(m)
    if node.key == "Y,YYY":
        text = f"{value // 1000},{value % 1000:03d}"
    else:
        width = _NUMBERS[node.key]
        if node.key in _LAST_DIGITS:
            value %= 10 ** width
        if value < 0 and node.key in _SIGN_APART:
            width += 1
        text = str(value) if node.fill else str(value).zfill(width)   # C's %0*d
        if node.key == "TZH" and value >= 0:
            text = "+" + text
    if node.ordinal:
        text += _ordinal(value, node.ordinal == "TH")
    return text


# Fields an interval has no value for (formatting.c's INVALID_FOR_INTERVAL).
_NOT_FOR_INTERVALS = frozenset({"D", "ID", "AD", "BC", "A.D.", "B.C.", "MON", "MONTH", "DAY",
                                "DY", "TZ", "OF", "TZH", "TZM"})


def _renderer(node: _Node, interval: bool):
    """A function printing one template node for a datetime (or an _IntervalMoment)."""
    if interval and node.key in _NOT_FOR_INTERVALS:
        raise InvalidDatetimeFormatError("invalid format specification for an interval value",
                                         hint="Intervals are not tied to specific calendar "
                                              "dates.")
    if node.key is None:
        return lambda m, text=node.text: text
    if node.key not in _NUMBERS:
        return lambda m: _word(node, m)
    get, width = _GETTERS[node.key], _NUMBERS[node.key]
    if interval or node.fill or node.ordinal or node.key in _SPECIAL_NUMBERS:
        return lambda m: _number_text(node, get, m)
    return lambda m: str(get(m)).zfill(width)           # the common case: no sign, padded


_SPECIAL_NUMBERS = _LAST_DIGITS | {"Y,YYY", "TZH"}


@lru_cache(maxsize=512)
def _renderers(template: str, interval: bool) -> tuple:
    return tuple(_renderer(node, interval) for node in compile_template(template))


# Timestamp fields as Python expressions, for templates compiled into one f-string.
_EXPRESSIONS = {"YYYY": "m.year", "MM": "m.month", "DD": "m.day", "HH24": "m.hour",
                "HH12": "(m.hour % 12 or 12)", "HH": "(m.hour % 12 or 12)", "MI": "m.minute",
                "SS": "m.second", "MS": "m.microsecond // 1000", "US": "m.microsecond",
                "Q": "(m.month - 1) // 3 + 1", "J": "m.toordinal() + 1721425"}


@lru_cache(maxsize=512)
def _timestamp_printer(template: str):
    """The template as one generated function of a datetime: a %-format with a field per
    node, fast fields read inline and the rest calling their renderer."""
    renderers = _renderers(template, False)
    pattern, fields = [], []
    for index, node in enumerate(compile_template(template)):
        if node.key is None:
            pattern.append(node.text.replace("%", "%%"))
        elif node.key in _EXPRESSIONS and not node.fill and not node.ordinal:
            pattern.append(f"%0{_NUMBERS[node.key]}d")
            fields.append(_EXPRESSIONS[node.key])
        else:
            pattern.append("%s")
            fields.append(f"_r[{index}](m)")
    source = f"lambda m: {''.join(pattern)!r} % ({''.join(f + ', ' for f in fields)})"
    return eval(source, {"_r": renderers})  # noqa: S307 - built above from a fixed table


def to_char(value, template: str) -> str | None:
    if not template:
        return None
    if not isinstance(value, datetime):
        moment = _IntervalMoment(value)
        return "".join([render(moment) for render in _renderers(template, True)])
    if value.tzinfo is not None:
        value = zones.in_zone(value)
    return _timestamp_printer(template)(value)


scalar("to_char", (TIMESTAMP, TEXT), TEXT, may_return_null=True)(to_char)
scalar("to_char", (TIMESTAMPTZ, TEXT), TEXT, may_return_null=True)(to_char)
scalar("to_char", (INTERVAL, TEXT), TEXT, may_return_null=True)(to_char)


# to_date / to_timestamp ---------------------------------------------------------------------

_NAME_LISTS = {"MONTH": MONTHS, "MON": [m[:3] for m in MONTHS], "DAY": DAYS,
               "DY": [d[:3] for d in DAYS], "RM": _ROMAN}


def _invalid(text: str, spelling: str, detail: str) -> InvalidDatetimeFormatError:
    return InvalidDatetimeFormatError(f'invalid value "{text}" for "{spelling}"',
                                      detail=detail)


_FRACTIONS = {"MS": 3, "US": 6, **{f"FF{n}": 6 for n in range(1, 7)}}


class _Reader:
    """Walks the input against the template, collecting the fields it names."""

    def __init__(self, text: str):
        self.text = text
        self.position = 0
        self.fields: dict[str, int] = {}

    def skip_blanks(self) -> None:
        while self.position < len(self.text) and self.text[self.position].isspace():
            self.position += 1

    def number(self, node: _Node, fixed: bool) -> int:
        self.skip_blanks()
        width = _NUMBERS[node.key]
        start = self.position
        end = start + (1 if self.text[start:start + 1] in ("-", "+") else 0)
        limit = end + width if fixed and width and not node.fill else len(self.text)
        while end < min(limit, len(self.text)) and self.text[end].isdigit():
            end += 1
        digits = self.text[start:end]
        if not digits.lstrip("+-"):
            shown = self.text[start:start + max(len(node.spelling), width)]
            raise _invalid(shown, node.spelling, "Value must be an integer.")
        self.position = end
        if node.key in _FRACTIONS:                  # '5' for MS is 500 milliseconds
            return int(digits) * 10 ** (_FRACTIONS[node.key] - len(digits.lstrip("+-")))
        return int(digits)

    def word(self, node: _Node) -> int:
        self.skip_blanks()
        if node.key in ("AM", "PM", "A.M.", "P.M."):
            for index, choices in enumerate((("am", "a.m."), ("pm", "p.m."))):
                for choice in choices:
                    if self.text[self.position:self.position + len(choice)].lower() == choice:
                        self.position += len(choice)
                        return index
        names = _NAME_LISTS.get(node.key)
        for index, name in enumerate(names or ()):
            if self.text[self.position:self.position + len(name)].lower() == name.lower():
                self.position += len(name)
                return index
        if names is None:                                    # AD/BC, TZ, OF: skip a word
            while self.position < len(self.text) and not self.text[self.position].isspace():
                self.position += 1
            return 0
        raise _invalid(self.text[self.position:], node.spelling,
                       "The given value did not match any of the allowed values for this "
                       "field.")


def _read(text: str, template: str) -> dict[str, int]:
    nodes = compile_template(template)
    reader = _Reader(text)
    for index, node in enumerate(nodes):
        if reader.position >= len(text):
            break
        if node.key is None:
            _skip_literal(reader, node.text)
        elif node.key in _NUMBERS:
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            fixed = following is not None and following.key in _NUMBERS
            value = reader.number(node, fixed)
            _store(reader.fields, node, value)
        else:
            reader.fields[node.key] = reader.word(node)
    return reader.fields


def _skip_literal(reader: _Reader, text: str) -> None:
    for char in text:
        if reader.position >= len(reader.text):
            return
        current = reader.text[reader.position]
        if char.isspace() or not char.isalnum():
            if not current.isalnum():
                reader.position += 1
        else:
            reader.position += 1


_YEARS = frozenset({"YYYY", "YYY", "YY", "Y", "Y,YYY", "IYYY", "IYY", "IY", "I"})


def _store(fields: dict[str, int], node: _Node, value: int) -> None:
    key = node.key
    if key in _YEARS:
        if key in ("YYY", "YY", "Y", "IYY", "IY", "I") and 0 <= value < 1000:
            value += 2000 if value < 70 else 1900 if value < 100 else \
                2000 if value < 520 else 1000           # adjust_partial_year_to_2020
        key = "year"
    elif key in ("HH", "HH12"):
        if not 1 <= value <= 12:
            raise InvalidDatetimeFormatError(
                f'hour "{value}" is invalid for the 12-hour clock',
                hint="Use the 24-hour clock, or give an hour between 1 and 12.")
        key = "HH12"
    fields[key] = value


def _moment(fields: dict[str, int], text: str) -> datetime:
    year = fields.get("year")
    if year is None and "CC" in fields:
        year = (fields["CC"] - 1) * 100 + 1
    if "J" in fields:
        day = date.fromordinal(fields["J"] - 1721425)
        year, month, mday = day.year, day.month, day.day
    else:
        month = fields.get("MM") or (fields["MONTH"] + 1 if "MONTH" in fields else
                                     fields["MON"] + 1 if "MON" in fields else
                                     fields["RM"] + 1 if "RM" in fields else 1)
        mday = fields.get("DD") or 1
    if year is None:
        raise NotSupportedError("a template without a year gives a BC date, which is "
                                "not supported")
    hour = fields.get("HH24", fields.get("HH12", 0))
    if "AM" in fields or "A.M." in fields or "PM" in fields or "P.M." in fields:
        afternoon = max(fields.get(k, 0) for k in ("AM", "A.M.", "PM", "P.M."))
        hour = hour % 12 + 12 * afternoon
    micro = fields.get("US", fields.get("MS", 0) * 1000)
    for digits in range(1, 7):
        micro = fields.get(f"FF{digits}", micro)
    try:
        if "DDD" in fields and "MM" not in fields and "DD" not in fields:
            base = datetime(year, 1, 1) + timedelta(days=fields["DDD"] - 1)
            year, month, mday = base.year, base.month, base.day
        if not (0 <= hour <= 24 and 0 <= fields.get("MI", 0) < 60
                and 0 <= fields.get("SS", 0) < 60):
            raise ValueError
        moment = datetime(year, month, mday) + timedelta(
            hours=hour, minutes=fields.get("MI", 0), seconds=fields.get("SS", 0),
            microseconds=micro)
        if "SSSS" in fields or "SSSSS" in fields:
            moment += timedelta(seconds=fields.get("SSSS", fields.get("SSSSS", 0)))
    except (ValueError, OverflowError):
        raise DatetimeFieldOverflowError(
            f'date/time field value out of range: "{text}"') from None
    offset = fields.get("TZH", 0) * 60 + (fields.get("TZM", 0) if fields.get("TZH", 0) >= 0
                                         else -fields.get("TZM", 0))
    return moment - timedelta(minutes=offset)


@scalar("to_date", (TEXT, TEXT), DATE)
def to_date(text, template):
    return _moment(_read(text, template), text).date()


@scalar("to_timestamp", (TEXT, TEXT), TIMESTAMPTZ)
def to_timestamp(text, template):
    fields = _read(text, template)
    moment = _moment(fields, text)
    if "TZH" in fields or "TZM" in fields:
        return moment.replace(tzinfo=UTC)
    return zones.from_local(moment)
