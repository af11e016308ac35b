"""A session's run-time settings: SET, SET LOCAL, RESET and SHOW, as PostgreSQL 15 has them.

Where: session layer, beside session.py, which hands SET/SHOW/RESET statements to
`Settings.command` and tells it where transactions begin and end. Only TimeZone changes
anything (see rowdb/query/zones.py); the other parameters SHOW reports are fixed (UTF-8,
ISO dates, serializable) and SET on them is accepted and ignored.

Transactions: a plain SET inside BEGIN is kept by COMMIT and undone by ROLLBACK; SET LOCAL
lasts until the transaction ends either way, and does nothing outside a transaction.
ROLLBACK TO SAVEPOINT undoes what was set after the savepoint.

>>> s = Settings(); _ = s.command("SET TIME ZONE 'america/new_york'", False); s.show("timezone")
'America/New_York'
"""

from __future__ import annotations

import re

from rowdb.errors import SyntaxError as SqlSyntaxError, UndefinedObjectError
from rowdb.query import zones
from rowdb.query.intervals import parse_interval

FIXED = {  # what SHOW answers (sessions are UTF-8, ISO dates, as PostgreSQL's defaults)
    "server_version": "15.0", "server_version_num": "150000", "server_encoding": "UTF8",
    "client_encoding": "UTF8", "datestyle": "ISO, MDY",
    "intervalstyle": "postgres", "standard_conforming_strings": "on",
    "search_path": '"$user", public', "transaction_isolation": "serializable",
    "default_transaction_isolation": "serializable", "integer_datetimes": "on",
    "is_superuser": "on", "application_name": "", "extra_float_digits": "1",
    "max_identifier_length": "63", "lc_collate": "C", "lc_ctype": "C",
}
SHOWN_NAMES = {"timezone": "TimeZone", "datestyle": "DateStyle",
               "intervalstyle": "IntervalStyle"}

_SET = re.compile(r"set\s+(?:(session|local)\s+)?(?:(time\s+zone)\s+|([\w.]+)\s*(?:=|\bto\b)\s*)"
                  r"(.*)\Z", re.IGNORECASE | re.DOTALL)
_INTERVAL = re.compile(r"interval\s+'([^']*)'(?:\s+hour\s+to\s+minute)?\Z", re.IGNORECASE)


def _value(text: str) -> str | None:
    """A SET value: 'string', identifier or number; None for DEFAULT."""
    text = text.strip()
    if text.lower() == "default":
        return None
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if re.fullmatch(r"[+-]?[\w.]+", text):
        return text.lower() if re.fullmatch(r"[a-z_]\w*", text, re.IGNORECASE) else text
    raise SqlSyntaxError(f'syntax error at or near "{text.split()[0] if text else "SET"}"')


class Settings:
    """One session's settings; `zone` is the session time zone's tzinfo."""

    def __init__(self):
        self.zone_name, self.zone = zones.DEFAULT_ZONE_NAME, zones.UTC
        self._kept = (self.zone_name, self.zone)       # what COMMIT keeps
        self._at_begin: tuple | None = None            # what ROLLBACK goes back to

    def show(self, name: str) -> str:
        name = name.lower()
        if name == "timezone":
            return self.zone_name
        if name not in FIXED:
            raise UndefinedObjectError(f'unrecognized configuration parameter "{name}"')
        return FIXED[name]

    # Transactions ---------------------------------------------------------------------

    def begin(self) -> None:
        self._at_begin = self._kept

    def end(self, committed: bool) -> None:
        if self._at_begin is None:
            return
        if not committed:
            self._kept = self._at_begin
        self.zone_name, self.zone = self._kept
        self._at_begin = None

    def mark(self) -> tuple:
        """The settings at a SAVEPOINT, for ROLLBACK TO."""
        return self.zone_name, self.zone, self._kept

    def restore(self, mark: tuple) -> None:
        self.zone_name, self.zone, self._kept = mark

    # Statements -----------------------------------------------------------------------

    def command(self, text: str, in_transaction: bool):
        """SET / RESET / SHOW text: (columns as (name, shown value) or None, tag)."""
        text = text.strip().rstrip(";").strip()
        word = text.split(None, 1)[0].lower()
        rest = text[len(word):].strip()
        if word == "show":
            name = "_".join(rest.lower().split())
            name = "timezone" if name == "time_zone" else name
            return (SHOWN_NAMES.get(name, name), self.show(name)), "SHOW"
        if word == "reset":
            name = "".join(rest.lower().split())
            if name in ("timezone", "all"):
                self._set(zones.DEFAULT_ZONE_NAME, zones.UTC, False, in_transaction)
            return None, "RESET"
        match = _SET.match(text)
        if match is None:
            return None, "SET"
        scope, time_zone, name, value = match.groups()
        if not time_zone and name.lower() != "timezone":
            return None, "SET"
        local = (scope or "").lower() == "local"
        if local and not in_transaction:
            return None, "SET"                           # PostgreSQL: a warning, no change
        self._set(*self._zone_for(value, bool(time_zone)), local, in_transaction)
        return None, "SET"

    def _zone_for(self, value: str, time_zone_form: bool) -> tuple:
        interval = _INTERVAL.match(value.strip()) if time_zone_form else None
        if interval:
            span = parse_interval(interval.group(1))
            if span.months or span.days:
                raise zones.InvalidParameterValueError(
                    "invalid interval value for time zone: day not allowed")
            return zones.fixed_offset_setting(span.micros // 1_000_000)
        if time_zone_form and value.strip().lower() == "local":
            return zones.DEFAULT_ZONE_NAME, zones.UTC
        name = _value(value)
        if name is None:
            return zones.DEFAULT_ZONE_NAME, zones.UTC
        return zones.setting_zone(name)

    def _set(self, name: str, zone, local: bool, in_transaction: bool) -> None:
        self.zone_name, self.zone = name, zone
        if not local:
            self._kept = (name, zone)
        if not in_transaction:
            self._at_begin = None
