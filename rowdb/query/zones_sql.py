"""SQL over time zones: x AT TIME ZONE z, timezone(z, x) and current_setting(name).

Where: query layer; datetime_sql.py's DISPATCH sends exp.AtTimeZone here and its
compile_anonymous sends timezone(z, x); current_setting is registered into functions.py.
The zone is resolved per call (zones.expression_zone caches names), so a column of zone
names works; the session zone itself is not read.

timestamp AT TIME ZONE z reads the wall-clock time in z and gives the instant
(timestamptz); timestamptz AT TIME ZONE z gives z's wall-clock time (timestamp). A date or
an untyped string is taken as timestamptz, as PostgreSQL's preferred type.
"""

from __future__ import annotations

from rowdb.errors import NotSupportedError, UndefinedObjectError
from rowdb.query import zones
from rowdb.query.functions import scalar
from rowdb.query.types import BOOL, INTERVAL, TEXT, TIMESTAMP, TIMESTAMPTZ


def _zone(zone):
    return zones.expression_zone(zone) if isinstance(zone, str) else zones.interval_zone(zone)


def timestamp_at_zone(value, zone):
    """timestamp AT TIME ZONE zone: the instant at which zone's clocks show `value`."""
    return zones.from_local(value, _zone(zone))


def timestamptz_at_zone(value, zone):
    """timestamptz AT TIME ZONE zone: what zone's clocks show at the instant `value`."""
    return zones.to_local(value, _zone(zone))


def compile_at_time_zone(compiler, value_node, zone_node):
    value = compiler.compile(value_node)
    zone = compiler.compile(zone_node)
    if value.type.name in ("time", "timetz"):
        raise NotSupportedError("type time with time zone is not supported")
    if value.type.name != "timestamp":
        value = compiler.coerce(value, TIMESTAMPTZ)
    zone = compiler.coerce(zone, INTERVAL if zone.type.name == "interval" else TEXT)
    if value.type.name == "timestamp":
        fn, result = timestamp_at_zone, TIMESTAMPTZ
    else:
        fn, result = timestamptz_at_zone, TIMESTAMP
    if value.const and zone.const:
        folded = None if value.value is None or zone.value is None \
            else fn(value.value, zone.value)
        from rowdb.query.compile import Code
        return Code(compiler.ns.const(folded), result, folded is None, True, folded)
    ref = compiler.ns.const(fn)
    return compiler._guard([value, zone], lambda a, b: f"{ref}({a}, {b})", result)


def compile_at_time_zone_node(compiler, node):
    return compile_at_time_zone(compiler, node.this, node.args["zone"])


def current_setting(name: str, missing_ok: bool = False):
    settings = zones.session_settings()
    if settings is None:
        return zones.DEFAULT_ZONE_NAME if name.lower() == "timezone" else None
    try:
        return settings.show(name)
    except UndefinedObjectError:
        if missing_ok:
            return None
        raise


scalar("current_setting", (TEXT,), TEXT)(current_setting)
scalar("current_setting", (TEXT, BOOL), TEXT, may_return_null=True)(current_setting)
