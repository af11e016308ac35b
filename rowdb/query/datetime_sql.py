"""Date/time SQL the function registry cannot express: INTERVAL literals, intervals with
months, the transaction clock, div(), and functions that need their call site.

Where: query layer. compile.py merges `DISPATCH` (sqlglot node type -> compiler function)
into its own dispatch table; each compiler function takes (compiler, node) and returns a
`Code` like ExprCompiler's methods. datefuncs.py uses `Interval` and `shift` for month
arithmetic and age(). compile.py and functions.py are imported where used: both import
this module's users, so a top-level import would be circular.

Intervals are rowdb.storage.interval.Interval values (months, days, microseconds kept
apart, as PostgreSQL does); `shift` adds them to dates and timestamps month-wise
(2024-01-31 + 1 month is 2024-02-29), then days, then time.

now() and its relatives read the clock once per transaction (autocommit: per statement):
the time is kept per transaction workspace (a weak-keyed map).

>>> str(parse_month_interval("1 year 2 months 3 days 04:05:06"))
'1 year 2 mons 3 days 04:05:06'
>>> shift(datetime(2024, 1, 31), Interval(1)), str(-Interval(13, 2))
(datetime.datetime(2024, 2, 29, 0, 0), '-1 years -1 mons -2 days')
"""

from __future__ import annotations

import calendar
import re
import weakref
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial

from sqlglot import exp

from rowdb.errors import InvalidDatetimeFormatError, NotSupportedError
from rowdb.query import intervals, zones
from rowdb.query.intervals import Interval, format_interval, interval_div, interval_mul
from rowdb.query.types import (DATE, INT4, INTERVAL, NUMERIC, TEXT, TIME, TIMESTAMP,
                               TIMESTAMPTZ)

UTC = timezone.utc
_ONE_MICROSECOND = timedelta(microseconds=1)
DAY_MICROSECONDS = 86_400_000_000
MONTH_DAYS = 30                      # PostgreSQL's DAYS_PER_MONTH


# Intervals ------------------------------------------------------------------------------------

def interval_fields(value: Interval) -> tuple[int, int, int]:
    """(months, days, microseconds) of an interval."""
    return value.months, value.days, value.micros


def shift(moment: date, interval) -> datetime:
    """timestamp + interval: months first (clamped to the month's end), then days, then time.
    A date counts as its midnight; the result is a timestamp (aware if moment was). On an
    aware one, months and days move the wall clock of the session zone, time the instant."""
    months, days, micros = interval_fields(interval)
    if type(moment) is datetime and moment.tzinfo is not None:
        if moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        if (months or days) and zones.session_zone() is not UTC:
            local = shift(zones.to_local(moment), Interval(months, days, 0))
            return zones.from_local(local) + timedelta(microseconds=micros)
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    try:
        if months:
            index = moment.year * 12 + moment.month - 1 + months
            year, month = divmod(index, 12)
            day = min(moment.day, calendar.monthrange(year, month + 1)[1])
            moment = moment.replace(year=year, month=month + 1, day=day)
        return moment + timedelta(days=days, microseconds=micros)
    except (ValueError, OverflowError):
        raise NotSupportedError("timestamps outside the years 1 to 9999 are not supported") \
            from None


_MONTH_UNITS = {"year": 12, "years": 12, "y": 12, "yr": 12, "yrs": 12,
                "month": 1, "months": 1, "mon": 1, "mons": 1,
                "decade": 120, "decades": 120, "dec": 120, "decs": 120,
                "century": 1200, "centuries": 1200, "c": 1200, "cent": 1200,
                "millennium": 12000, "millennia": 12000, "mil": 12000, "mils": 12000}
_MONTH_FIELD = re.compile(r"(?<![\w.:-])([+-]?(?:\d+\.?\d*|\.\d+))\s*(" +
                          "|".join(sorted(_MONTH_UNITS, key=len, reverse=True)) + r")\b")
_YEAR_MONTH = re.compile(r"(?<![\w.:-])([+-]?)(\d+)-(\d+)(?![\w:.-])")
_ISO_MONTHS = re.compile(r"p(?:([-+]?[\d.]+)y)?(?:([-+]?[\d.]+)m)?")


def parse_month_interval(text: str) -> Interval:
    """interval_in, with year-month fields ('1-2') and fractional years read here."""
    lowered = " ".join(text.strip().lower().split())
    sign = 1
    if lowered.endswith(" ago"):
        sign, lowered = -1, lowered[:-4]
    months = Decimal(0)
    if lowered.startswith("p"):
        if not _ISO_MONTHS.match(lowered).group(0)[1:]:
            return intervals.parse_interval(text)        # no years or months
        months, lowered = _iso_months(lowered)
    elif not (_YEAR_MONTH.search(lowered) or _MONTH_FIELD.search(lowered)):
        return intervals.parse_interval(text)
    else:
        for match in _YEAR_MONTH.finditer(lowered):
            negative = match.group(1) == "-"
            amount = int(match.group(2)) * 12 + int(match.group(3))
            months += -amount if negative else amount
        lowered = _YEAR_MONTH.sub(" ", lowered)
        for match in _MONTH_FIELD.finditer(lowered):
            months += _month_amount(Decimal(match.group(1)), _MONTH_UNITS[match.group(2)])
        lowered = _MONTH_FIELD.sub(" ", lowered).strip()
    whole = int(months)
    spill_days = (months - whole) * MONTH_DAYS
    rest = Interval()
    if lowered.strip(" @"):
        try:
            rest = intervals.parse_interval(lowered)
        except InvalidDatetimeFormatError:
            raise InvalidDatetimeFormatError(
                f'invalid input syntax for type interval: "{text}"') from None
    _, days, micros = interval_fields(rest)
    days += int(spill_days)
    micros += int(((spill_days - int(spill_days)) * DAY_MICROSECONDS)
                  .to_integral_value(ROUND_HALF_EVEN))
    return Interval.checked(sign * whole, sign * days, sign * micros)


def _month_amount(amount: Decimal, scale: int) -> Decimal:
    """Months in `amount` units: fractions of years round to whole months, as PostgreSQL."""
    if scale == 1:
        return amount
    return (amount * scale).to_integral_value(ROUND_HALF_EVEN)


def _iso_months(text: str) -> tuple[Decimal, str]:
    match = _ISO_MONTHS.match(text)
    years, months = match.groups() if match else (None, None)
    total = _month_amount(Decimal(years), 12) if years else Decimal(0)
    total += Decimal(months) if months else 0
    rest = text[match.end():] if match else text[1:]
    return total, ("p" + rest if rest and rest != "t" else "")


# The transaction clock ----------------------------------------------------------------------

def _code(*fields):
    from rowdb.query.compile import Code
    return Code(*fields)


_TRANSACTION_STARTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def transaction_now(ns) -> datetime:
    """The transaction's start time (aware, UTC), read once per transaction."""
    context = ns.get("X")
    workspace = getattr(context, "workspace", None)
    if workspace is None:
        return datetime.now(UTC)
    started = _TRANSACTION_STARTS.get(workspace)
    if started is None:
        started = _TRANSACTION_STARTS[workspace] = datetime.now(UTC)
    return started


def statement_now(ns) -> datetime:
    """The statement's start time: read once per execution of a plan (X is per execution)."""
    context = ns.get("X")
    cached = ns.get("_statement_clock")
    if cached is not None and cached[0] is context and context is not None:
        return cached[1]
    now = datetime.now(UTC)
    ns["_statement_clock"] = (context, now)
    return now


def _clock_value(ns, kind: str, precision: int | None = None):
    now = statement_now(ns) if kind == "statement" else transaction_now(ns)
    if precision is not None:
        from rowdb.query.datetimes import round_timestamp
        now = round_timestamp(now, precision)
    if kind in ("timestamptz", "statement"):
        return now
    now = zones.to_local(now)
    if kind == "date":
        return now.date()
    if kind == "time":
        return now.time()
    return now


_CLOCK_TYPES = {"timestamptz": TIMESTAMPTZ, "statement": TIMESTAMPTZ, "timestamp": TIMESTAMP,
                "date": DATE, "time": TIME}


def _clock(compiler, kind: str, precision_node=None):
    precision = None
    if precision_node is not None:
        precision = int(compiler.compile(precision_node).value)
    ref = compiler.ns.const(partial(_clock_value, compiler.ns, kind, precision))
    return _code(f"{ref}()", _CLOCK_TYPES[kind], False)


def compile_current_timestamp(compiler, node):
    """now(), current_timestamp[(p)], transaction_timestamp(): the transaction's start."""
    return _clock(compiler, "timestamptz", node.this)


def compile_current_date(compiler, node):
    return _clock(compiler, "date")


def compile_localtimestamp(compiler, node):
    return _clock(compiler, "timestamp", node.this)


def compile_localtime(compiler, node):
    return _clock(compiler, "time", node.this)


def compile_current_time(compiler, node):
    raise NotSupportedError("type time with time zone is not supported")


# INTERVAL literals --------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)\s*\Z")
_FIELD_ORDER = ("year", "month", "day", "hour", "minute", "second")


def compile_interval(compiler, node):
    """INTERVAL '1 day', INTERVAL '2' MONTH, INTERVAL '1-2' YEAR TO MONTH, INTERVAL $1."""
    body, unit = node.this, node.args.get("unit")
    if not (isinstance(body, exp.Literal) and body.is_string):
        return compiler.coerce(compiler.compile(body), INTERVAL)
    text = body.this
    last_field = None
    if isinstance(unit, exp.IntervalSpan):
        last_field = unit.expression.name.lower()
    elif unit is not None:
        last_field = unit.name.lower()
        if _PLAIN_NUMBER.match(text):
            text, last_field = f"{text} {last_field}", None
    value = parse_month_interval(text)
    if last_field is not None:
        value = truncate_interval(value, last_field.rstrip("s"))
    return _code(compiler.ns.const(value), INTERVAL, False, True, value)


_TIME_UNIT_MICROSECONDS = {"hour": 3_600_000_000, "minute": 60_000_000, "second": 1_000_000}


def truncate_interval(value, field: str):
    """Drop the fields below `field` (year, month, day, hour, minute, second), as a typed
    INTERVAL ... field literal and date_trunc do."""
    months, days, micros = interval_fields(value)
    if field in ("year", "decade", "century", "millennium"):
        size = {"year": 12, "decade": 120, "century": 1200, "millennium": 12000}[field]
        return Interval.checked(int(months / size) * size, 0, 0)
    if field in ("month", "quarter"):
        size = 3 if field == "quarter" else 1
        return Interval.checked(int(months / size) * size, 0, 0)
    if field in ("day", "week"):
        return Interval.checked(months, days, 0)
    scale = _TIME_UNIT_MICROSECONDS.get(field)
    if scale is None:
        scale = {"millisecond": 1000}.get(field, 1)
    return Interval.checked(months, days, int(micros / scale) * scale)


# Date/time operators ---------------------------------------------------------------------

def date_plus_days(day: date, count: int) -> date:
    try:
        return day + timedelta(days=count)
    except OverflowError:
        if count > 0:
            raise NotSupportedError("dates after the year 9999 are not supported") from None
        raise NotSupportedError("BC dates are not supported") from None


def date_minus_days(day: date, count: int) -> date:
    return date_plus_days(day, -count)


def date_difference(left: date, right: date) -> int:
    return (left - right).days


def moment_plus_interval(moment: date, interval) -> datetime:
    return shift(moment, interval)


def moment_minus_interval(moment: date, interval) -> datetime:
    return shift(moment, -interval)


def date_plus_time(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock)


def time_plus_interval(clock: time, interval) -> time:
    """time + interval wraps around midnight; months and days are ignored."""
    _, _, micros = interval_fields(interval)
    since_midnight = ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 \
        + clock.microsecond
    seconds, micro = divmod((since_midnight + micros) % DAY_MICROSECONDS, 1_000_000)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)


def time_minus_interval(clock: time, interval) -> time:
    return time_plus_interval(clock, -interval)


def time_difference(left: time, right: time) -> Interval:
    return Interval(0, 0, _time_micros(left) - _time_micros(right))


def _time_micros(clock: time) -> int:
    return ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1_000_000 \
        + clock.microsecond


def number_times_interval(factor, interval):
    return interval_mul(interval, factor)


_INTEGERS = ("int2", "int4", "int8")
_NUMBERS = (*_INTEGERS, "numeric", "float4", "float8")
_MOMENTS = ("date", "timestamp", "timestamptz")


def _moment_difference(a, b, tz):
    """timestamp - timestamp: days and time (justify_hours), as PostgreSQL's timestamp_mi."""
    span = _as_timestamp(a, "timestamptz" in tz) - _as_timestamp(b, "timestamptz" in tz)
    return intervals.justify_hours(Interval(0, 0, span // _ONE_MICROSECOND))


def _as_timestamp(value, aware: bool) -> datetime:
    if type(value) is date:
        value = datetime.combine(value, time())
    if aware and value.tzinfo is None:
        value = zones.from_local(value)
    return value


_ARITH = {
    **{("+", "date", n): date_plus_days for n in _INTEGERS},
    **{("+", n, "date"): lambda n_, d: date_plus_days(d, n_) for n in _INTEGERS},
    **{("-", "date", n): date_minus_days for n in _INTEGERS},
    ("-", "date", "date"): date_difference,
    **{("+", m, "interval"): moment_plus_interval for m in _MOMENTS},
    **{("+", "interval", m): lambda i, m_: shift(m_, i) for m in _MOMENTS},
    **{("-", m, "interval"): moment_minus_interval for m in _MOMENTS},
    ("+", "date", "time"): date_plus_time,
    ("+", "time", "date"): lambda t, d: date_plus_time(d, t),
    ("+", "time", "interval"): time_plus_interval,
    ("+", "interval", "time"): lambda i, t: time_plus_interval(t, i),
    ("-", "time", "interval"): time_minus_interval,
    ("-", "time", "time"): time_difference,
    **{("*", "interval", n): interval_mul for n in _NUMBERS},
    **{("*", n, "interval"): number_times_interval for n in _NUMBERS},
    **{("/", "interval", n): interval_div for n in _NUMBERS},
    # timestamp - date and the like: both sides as timestamps (naive ones read as UTC, the
    # session's zone, when the other side has a zone), the difference an interval
    **{("-", a, b): partial(_moment_difference, tz=(a, b))
       for a in _MOMENTS for b in _MOMENTS if a != b or a != "date"},
}


def arith_helper(op: str, left, right):
    """The run-time function for `left op right` on date/time types where Python's own
    operator is wrong or missing (date + int, date - date, date + interval, time + interval,
    interval * number, ...), or None where Python's operator is right. `left` and `right`
    are SqlTypes; the function takes the two non-NULL values."""
    return _ARITH.get((op, left.name, right.name))


def arith_result(op: str, left, right):
    """The result type PostgreSQL gives those operators (None if not a date/time one)."""
    if (op, left.name, right.name) not in _ARITH:
        return None
    names = {left.name, right.name}
    if op == "-" and (left.name == right.name or names <= set(_MOMENTS)):
        return INT4 if names == {"date"} else INTERVAL
    if "interval" in names and names & set(_MOMENTS):
        return TIMESTAMP if "date" in names else (left if left.name != "interval" else right)
    if names == {"date", "time"}:
        return TIMESTAMP
    if "time" in names:
        return TIME
    if "interval" in names:
        return INTERVAL
    return DATE


# div() and functions that need their call site ----------------------------------------------

def compile_int_div(compiler, node):
    """div(a, b), which sqlglot reads as CAST(a DIV b AS numeric)."""
    left = compiler.coerce(compiler.compile(node.this), NUMERIC)
    right = compiler.coerce(compiler.compile(node.expression), NUMERIC)
    from rowdb.query.functions import lookup
    ref = compiler.ns.const(lookup("div", [NUMERIC, NUMERIC]).fn)
    return compiler._guard([left, right], lambda a, b: f"{ref}({a}, {b})", NUMERIC)


def compile_anonymous(compiler, node):
    """Calls sqlglot leaves unparsed; the few that need the clock or the argument types are
    compiled here, every other one goes to the function registry."""
    name = node.name.lower()
    if name == "transaction_timestamp" and not node.expressions:
        return _clock(compiler, "timestamptz")
    if name == "statement_timestamp" and not node.expressions:
        return _clock(compiler, "statement")
    if name == "age" and len(node.expressions) == 1:
        return _age_from_today(compiler, node.expressions[0])
    if name == "timezone" and len(node.expressions) == 2:
        from rowdb.query.zones_sql import compile_at_time_zone
        return compile_at_time_zone(compiler, node.expressions[1], node.expressions[0])
    if name == "pg_typeof" and len(node.expressions) == 1:
        shown = compiler.compile(node.expressions[0]).type.base_name
        return _code(compiler.ns.const(shown), TEXT, False, True, shown)
    return compiler._function(node)


def _age_from_today(compiler, argument):
    """age(ts): age(current_date at midnight, ts)."""
    from rowdb.query.functions import lookup
    value = compiler.compile(argument)
    impl = lookup("age", [value.type, value.type])
    value = compiler.coerce(value, impl.arg_types(2)[1])
    midnight = impl.arg_types(2)[0] == TIMESTAMPTZ
    ref = compiler.ns.const(partial(_age_today, compiler.ns, impl.fn, midnight))
    return compiler._guard([value], lambda a: f"{ref}({a})", INTERVAL)


def _age_today(ns, age, aware: bool, value):
    today = datetime.combine(zones.to_local(transaction_now(ns)).date(), time())
    return age(zones.from_local(today) if aware else today, value)


def compile_at_time_zone(compiler, node):
    from rowdb.query.zones_sql import compile_at_time_zone_node
    return compile_at_time_zone_node(compiler, node)


DISPATCH = {
    exp.AtTimeZone: compile_at_time_zone,
    exp.Interval: compile_interval,
    exp.CurrentTimestamp: compile_current_timestamp,
    exp.CurrentDate: compile_current_date,
    exp.CurrentTime: compile_current_time,
    exp.Localtimestamp: compile_localtimestamp,
    exp.Localtime: compile_localtime,
    exp.IntDiv: compile_int_div,
    exp.Anonymous: compile_anonymous,
}
