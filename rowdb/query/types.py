"""SQL types: what a type is, its PostgreSQL catalog facts, its names, and which casts exist.

Where: query layer, the bottom of it. The binder turns type names (text or sqlglot nodes) into
`SqlType`s here and resolves expression types with resolve.py; the executor converts values
with casts.py (cast, assignment_cast), textio.py (parse_text, format_value) and arith.py; the
server reads `oid`, `typlen` and `typmod` for RowDescription.

Values are plain Python objects, one representation per type:
    int2, int4, int8 -> int          numeric -> decimal.Decimal (NaN, +-Infinity too)
    float4, float8   -> float        text, varchar, bpchar -> str (bpchar(n) stored padded)
    bool -> bool    date -> date     time -> time    timestamp -> naive datetime
    timestamptz -> aware datetime in UTC             interval -> storage.interval.Interval
    bytea -> bytes  uuid -> uuid.UUID                unknown -> str (an untyped literal)
and SQL NULL is None for every type. timestamptz values stay in UTC whatever the session
time zone (zones.py), which only changes how they are read, printed and split into fields.

The public names of the neighbouring modules are re-exported lazily (see `__getattr__`), so
`from rowdb.query.types import cast, parse_text` works without an import cycle.

>>> parse_type_name("NUMERIC(10, 2)")
SqlType(name='numeric', precision=10, scale=2, length=None)
>>> str(parse_type_name("varchar(20)")), parse_type_name("varchar(20)").typmod
('character varying(20)', 24)
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rowdb.errors import (InvalidParameterValueError, NotSupportedError, SyntaxError,
                          UndefinedObjectError)


@dataclass(frozen=True)
class TypeInfo:
    """One pg_type row, reduced to what rowdb needs."""

    oid: int
    category: str      # pg_type.typcategory: N numeric, S string, B boolean, D datetime, ...
    preferred: bool    # pg_type.typispreferred: the category's target in type resolution
    typlen: int        # pg_type.typlen: bytes, or -1 for varlena (-2 for unknown's cstring)
    display: str       # format_type_be(): the name in messages


TYPE_INFO: dict[str, TypeInfo] = {
    "int2": TypeInfo(21, "N", False, 2, "smallint"),
    "int4": TypeInfo(23, "N", False, 4, "integer"),
    "int8": TypeInfo(20, "N", False, 8, "bigint"),
    "numeric": TypeInfo(1700, "N", False, -1, "numeric"),
    "float4": TypeInfo(700, "N", False, 4, "real"),
    "float8": TypeInfo(701, "N", True, 8, "double precision"),
    "text": TypeInfo(25, "S", True, -1, "text"),
    "varchar": TypeInfo(1043, "S", False, -1, "character varying"),
    "bpchar": TypeInfo(1042, "S", False, -1, "character"),
    "bool": TypeInfo(16, "B", True, 1, "boolean"),
    "date": TypeInfo(1082, "D", False, 4, "date"),
    "time": TypeInfo(1083, "D", False, 8, "time without time zone"),
    "timestamp": TypeInfo(1114, "D", False, 8, "timestamp without time zone"),
    "timestamptz": TypeInfo(1184, "D", True, 8, "timestamp with time zone"),
    "interval": TypeInfo(1186, "T", True, 16, "interval"),
    "bytea": TypeInfo(17, "U", False, -1, "bytea"),
    "uuid": TypeInfo(2950, "U", False, 16, "uuid"),
    "unknown": TypeInfo(705, "X", False, -2, "unknown"),
}

STRING_NAMES = frozenset({"text", "varchar", "bpchar"})
DATETIME_PRECISION_NAMES = frozenset({"time", "timestamp", "timestamptz"})


@dataclass(frozen=True)
class SqlType:
    """A SQL type: a pg_type name plus the modifiers PostgreSQL keeps in typmod.

    `precision`/`scale` are numeric's (p, s), `precision` alone is the fractional second
    digits of time(p)/timestamp(p); `length` is varchar(n)/char(n). `serial` marks a type
    that came from serial/bigserial/smallserial; it takes no part in equality or hashing.
    """

    name: str
    precision: int | None = None
    scale: int | None = None
    length: int | None = None
    serial: bool = field(default=False, compare=False, repr=False)

    def __post_init__(self):
        assert self.name in TYPE_INFO, self.name
        assert self.length is None or self.name in ("varchar", "bpchar")
        assert self.scale is None or self.name == "numeric"
        assert self.precision is None or self.name in ("numeric", *DATETIME_PRECISION_NAMES)

    @property
    def info(self) -> TypeInfo:
        return TYPE_INFO[self.name]

    @property
    def oid(self) -> int:
        return TYPE_INFO[self.name].oid

    @property
    def category(self) -> str:
        return TYPE_INFO[self.name].category

    @property
    def preferred(self) -> bool:
        return TYPE_INFO[self.name].preferred

    @property
    def typlen(self) -> int:
        return TYPE_INFO[self.name].typlen

    @property
    def typmod(self) -> int:
        """The type modifier as RowDescription reports it (-1 when there is none)."""
        if self.length is not None:
            return self.length + 4
        if self.name == "numeric" and self.precision is not None:
            return ((self.precision << 16) | (self.scale & 0x7FF)) + 4
        if self.precision is not None:
            return self.precision
        return -1

    @property
    def base_name(self) -> str:
        """The name without modifiers, as PostgreSQL's messages print it: `character varying`."""
        return TYPE_INFO[self.name].display

    @property
    def has_modifiers(self) -> bool:
        return self.precision is not None or self.length is not None

    def without_modifiers(self) -> SqlType:
        return BASE_TYPES[self.name]

    def __str__(self) -> str:
        """PostgreSQL's format_type(oid, typmod): `numeric(10,2)`, `character(3)`, `bpchar`."""
        if self.length is not None:
            return f"{self.base_name}({self.length})"
        if self.name == "numeric" and self.precision is not None:
            return f"numeric({self.precision},{self.scale})"
        if self.name == "bpchar":
            return "bpchar"
        if self.precision is not None:
            head, _, tail = self.base_name.partition(" ")
            return f"{head}({self.precision}) {tail}"
        return self.base_name


INT2 = SqlType("int2")
INT4 = SqlType("int4")
INT8 = SqlType("int8")
NUMERIC = SqlType("numeric")
FLOAT4 = SqlType("float4")
FLOAT8 = SqlType("float8")
TEXT = SqlType("text")
VARCHAR = SqlType("varchar")
BPCHAR = SqlType("bpchar")
BOOL = SqlType("bool")
DATE = SqlType("date")
TIME = SqlType("time")
TIMESTAMP = SqlType("timestamp")
TIMESTAMPTZ = SqlType("timestamptz")
INTERVAL = SqlType("interval")
BYTEA = SqlType("bytea")
UUID = SqlType("uuid")
UNKNOWN = SqlType("unknown")

BASE_TYPES: dict[str, SqlType] = {t.name: t for t in (
    INT2, INT4, INT8, NUMERIC, FLOAT4, FLOAT8, TEXT, VARCHAR, BPCHAR, BOOL, DATE, TIME,
    TIMESTAMP, TIMESTAMPTZ, INTERVAL, BYTEA, UUID, UNKNOWN)}
TYPES_BY_OID: dict[int, SqlType] = {t.oid: t for t in BASE_TYPES.values()}


def output_type(sql_type: SqlType) -> SqlType:
    """The type a result column reports: an unresolved `unknown` goes out as text."""
    return TEXT if sql_type.name == "unknown" else sql_type


# Type names -----------------------------------------------------------------------------

NUMERIC_PRECISION_MAX = 1000        # PostgreSQL's NUMERIC_MAX_PRECISION.
NUMERIC_SCALE_MIN = -1000           # PostgreSQL 15 allows negative scales ...
NUMERIC_SCALE_MAX = 1000            # ... and scales above the precision.
STRING_LENGTH_MAX = 10485760        # MaxAttrSize: varchar(n) and char(n) limit.
FRACTION_DIGITS_MAX = 6             # time(p), timestamp(p): microseconds.

# Spelling (lower case, single spaces) -> pg_type name; "float" and "char" keep their own
# modifier rules (float(p) picks real or double, bare char means char(1)).
_ALIASES: dict[str, str] = {
    "int": "int4", "int4": "int4", "integer": "int4",
    "int2": "int2", "smallint": "int2", "int8": "int8", "bigint": "int8",
    "serial": "int4", "serial4": "int4", "bigserial": "int8", "serial8": "int8",
    "smallserial": "int2", "serial2": "int2",
    "numeric": "numeric", "decimal": "numeric", "dec": "numeric",
    "real": "float4", "float4": "float4", "float": "float", "double precision": "float8",
    "float8": "float8",
    "text": "text", "varchar": "varchar", "character varying": "varchar",
    "char varying": "varchar", "char": "char", "character": "char", "bpchar": "bpchar",
    "bool": "bool", "boolean": "bool", "date": "date",
    "time": "time", "time without time zone": "time",
    "timestamp": "timestamp", "timestamp without time zone": "timestamp",
    "timestamptz": "timestamptz", "timestamp with time zone": "timestamptz",
    "interval": "interval", "bytea": "bytea", "uuid": "uuid", "unknown": "unknown",
}
_SERIALS = frozenset({"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"})
_UNSUPPORTED = {"timetz": "time with time zone", "time with time zone": "time with time zone"}
_NAME_RE = re.compile(r"^([a-z][a-z0-9 ]*?)\s*(?:\(([^()]*)\))?\s*(with(?:out)? time zone)?$")


def parse_type_name(text: str) -> SqlType:
    """The SqlType a PostgreSQL type name denotes, with every alias and modifier spelling.

    >>> parse_type_name("float(30)"), parse_type_name("character(3)").length
    (SqlType(name='float8', precision=None, scale=None, length=None), 3)
    >>> parse_type_name("bigserial").serial
    True
    """
    spelled = " ".join(text.strip().lower().split())
    if spelled.endswith("[]"):
        raise NotSupportedError(f"array types are not supported: {text.strip()}")
    match = _NAME_RE.match(spelled)
    if not match:
        raise UndefinedObjectError(f'type "{text.strip()}" does not exist')
    words, args_text, zone = match.groups()
    if zone:
        words = f"{words} {zone}"
    args = _parse_modifiers(args_text, text)
    return make_type(words, args)


def _parse_modifiers(args_text: str | None, text: str) -> list[int]:
    if args_text is None:
        return []
    try:
        return [int(part) for part in args_text.split(",")]
    except ValueError:
        raise SyntaxError(f'syntax error in type name "{text.strip()}"') from None


def make_type(spelling: str, args: list[int]) -> SqlType:
    """Build a type from one spelling of its name and its integer modifiers."""
    if spelling in _UNSUPPORTED:
        raise NotSupportedError(f"type {_UNSUPPORTED[spelling]} is not supported")
    name = _ALIASES.get(spelling)
    if name is None:
        raise UndefinedObjectError(f'type "{spelling}" does not exist')
    if name == "float":
        return _float_type(args)
    if name == "numeric":
        return _numeric_type(args)
    if name in ("varchar", "char", "bpchar"):
        return _string_type(name, args)
    if name in DATETIME_PRECISION_NAMES and args:
        return _datetime_type(name, args)
    if args:
        raise SyntaxError(f'type modifier is not allowed for type "{name}"')
    if spelling in _SERIALS:
        return SqlType(name, serial=True)
    return BASE_TYPES[name]


def _float_type(args: list[int]) -> SqlType:
    if not args:
        return FLOAT8
    if len(args) > 1:
        raise SyntaxError('type modifier is not allowed for type "float8"')
    if args[0] < 1:
        raise InvalidParameterValueError("precision for type float must be at least 1 bit")
    if args[0] > 53:
        raise InvalidParameterValueError("precision for type float must be less than 54 bits")
    return FLOAT4 if args[0] <= 24 else FLOAT8


def _numeric_type(args: list[int]) -> SqlType:
    if not args:
        return NUMERIC
    if len(args) > 2:
        raise SyntaxError("invalid NUMERIC type modifier")
    precision, scale = args[0], (args[1] if len(args) == 2 else 0)
    if not 1 <= precision <= NUMERIC_PRECISION_MAX:
        raise InvalidParameterValueError(
            f"NUMERIC precision {precision} must be between 1 and {NUMERIC_PRECISION_MAX}")
    if not NUMERIC_SCALE_MIN <= scale <= NUMERIC_SCALE_MAX:
        raise InvalidParameterValueError(
            f"NUMERIC scale {scale} must be between {NUMERIC_SCALE_MIN} and {NUMERIC_SCALE_MAX}")
    return SqlType("numeric", precision=precision, scale=scale)


def _string_type(name: str, args: list[int]) -> SqlType:
    target = "varchar" if name == "varchar" else "bpchar"
    if not args:
        return SqlType("bpchar", length=1) if name == "char" else BASE_TYPES[target]
    if len(args) > 1:
        raise SyntaxError(f'type modifier is not allowed for type "{target}"')
    label = "varchar" if name == "varchar" else "char"
    if args[0] < 1:
        raise InvalidParameterValueError(f"length for type {label} must be at least 1")
    if args[0] > STRING_LENGTH_MAX:
        raise InvalidParameterValueError(
            f"length for type {label} cannot exceed {STRING_LENGTH_MAX}")
    return SqlType(target, length=args[0])


def _datetime_type(name: str, args: list[int]) -> SqlType:
    if len(args) > 1:
        raise SyntaxError(f'type modifier is not allowed for type "{name}"')
    if args[0] < 0:
        label = TYPE_INFO[name].display.split(" ")[0].upper()
        raise InvalidParameterValueError(f"{label}({args[0]}) precision must not be negative")
    # PostgreSQL warns and lowers a precision above 6; rowdb lowers it silently.
    return SqlType(name, precision=min(args[0], FRACTION_DIGITS_MAX))


_SQLGLOT_SPELLINGS = {
    "INT": "int4", "SMALLINT": "int2", "BIGINT": "int8", "SERIAL": "serial",
    "BIGSERIAL": "bigserial", "SMALLSERIAL": "smallserial", "DECIMAL": "numeric",
    "FLOAT": "float4", "DOUBLE": "float", "TEXT": "text", "VARCHAR": "varchar", "CHAR": "char",
    "BPCHAR": "bpchar", "BOOLEAN": "bool", "DATE": "date", "TIME": "time",
    "TIMESTAMP": "timestamp", "TIMESTAMPTZ": "timestamptz", "INTERVAL": "interval",
    "VARBINARY": "bytea", "UUID": "uuid", "TIMETZ": "timetz", "UNKNOWN": "unknown",
}


def from_sqlglot(dtype) -> SqlType:
    """The SqlType of a sqlglot `exp.DataType` parsed with read="postgres".

    sqlglot reads `float` and `float(n)` as DOUBLE, so DOUBLE goes through float(n)'s rules;
    names sqlglot does not know (serial4, foo) arrive as USERDEFINED and are looked up here.
    """
    kind = dtype.this.name if hasattr(dtype.this, "name") else str(dtype.this)
    if kind == "USERDEFINED":
        return _user_defined(dtype)
    if kind == "ARRAY":
        raise NotSupportedError(f"array types are not supported: {dtype.sql('postgres')}")
    spelling = _SQLGLOT_SPELLINGS.get(kind)
    if spelling is None or (kind == "INTERVAL" and dtype.args.get("unit")):
        raise NotSupportedError(f"type {dtype.sql('postgres').lower()} is not supported")
    args = []
    for param in dtype.expressions:
        try:
            args.append(int(param.this.this))
        except (AttributeError, TypeError, ValueError):
            raise SyntaxError(f"invalid type modifier: {param.sql('postgres')}") from None
    return make_type(spelling, args)


def _user_defined(dtype) -> SqlType:
    name_node = dtype.args.get("kind")
    spelled = name_node.sql("postgres") if name_node is not None else dtype.sql("postgres")
    quoted = getattr(name_node, "quoted", False)
    plain = spelled.strip('"') if quoted else spelled.lower()
    if quoted and plain != plain.lower():
        raise UndefinedObjectError(f'type "{plain}" does not exist')
    if plain in _ALIASES and not (quoted and plain == "char"):
        return make_type(plain, [])
    raise UndefinedObjectError(f'type "{plain}" does not exist')


# Casts: which conversions exist and in which context ------------------------------------

EXPLICIT, ASSIGNMENT, IMPLICIT = "e", "a", "i"    # pg_cast.castcontext, weakest first

# pg_cast rows among rowdb's types (PostgreSQL 15), as (source, target): context.
_PG_CAST: dict[tuple[str, str], str] = {
    ("bool", "int4"): "e", ("int4", "bool"): "e",
    ("bool", "text"): "a", ("bool", "varchar"): "a", ("bool", "bpchar"): "a",
    ("int8", "int2"): "a", ("int8", "int4"): "a", ("int8", "float4"): "i",
    ("int8", "float8"): "i", ("int8", "numeric"): "i",
    ("int2", "int8"): "i", ("int2", "int4"): "i", ("int2", "float4"): "i",
    ("int2", "float8"): "i", ("int2", "numeric"): "i",
    ("int4", "int8"): "i", ("int4", "int2"): "a", ("int4", "float4"): "i",
    ("int4", "float8"): "i", ("int4", "numeric"): "i",
    ("float4", "int8"): "a", ("float4", "int2"): "a", ("float4", "int4"): "a",
    ("float4", "float8"): "i", ("float4", "numeric"): "a",
    ("float8", "int8"): "a", ("float8", "int2"): "a", ("float8", "int4"): "a",
    ("float8", "float4"): "a", ("float8", "numeric"): "a",
    ("numeric", "int8"): "a", ("numeric", "int2"): "a", ("numeric", "int4"): "a",
    ("numeric", "float4"): "i", ("numeric", "float8"): "i",
    ("text", "bpchar"): "i", ("text", "varchar"): "i",
    ("bpchar", "text"): "i", ("bpchar", "varchar"): "i",
    ("varchar", "text"): "i", ("varchar", "bpchar"): "i",
    ("date", "timestamp"): "i", ("date", "timestamptz"): "i",
    ("time", "interval"): "i",
    ("timestamp", "date"): "a", ("timestamp", "time"): "a", ("timestamp", "timestamptz"): "i",
    ("timestamptz", "date"): "a", ("timestamptz", "time"): "a",
    ("timestamptz", "timestamp"): "a",
    ("interval", "time"): "a",
}


@lru_cache(maxsize=4096)
def cast_context(source: SqlType, target: SqlType) -> str | None:
    """The weakest context a source -> target cast is allowed in: "i", "a", "e", or None.

    Beyond pg_cast, PostgreSQL converts through text: any type to a string type in assignment
    context, a string type to any type only explicitly; an unknown literal goes anywhere.
    """
    if source.name == target.name or source.name == "unknown":
        return IMPLICIT
    context = _PG_CAST.get((source.name, target.name))
    if context is not None:
        return context
    if target.name in STRING_NAMES:
        return ASSIGNMENT
    if source.name in STRING_NAMES:
        return EXPLICIT
    return None


def implicit_castable(source: SqlType, target: SqlType) -> bool:
    """Whether PostgreSQL converts source to target silently (function arguments, CASE)."""
    return cast_context(source, target) == IMPLICIT


def assignment_castable(source: SqlType, target: SqlType) -> bool:
    """Whether INSERT/UPDATE may store a source value into a target column."""
    return cast_context(source, target) in (IMPLICIT, ASSIGNMENT)


def explicit_castable(source: SqlType, target: SqlType) -> bool:
    """Whether CAST(x AS target) is allowed at all."""
    return cast_context(source, target) is not None


_ELSEWHERE = {
    "cast": "casts", "cast_function": "casts", "assignment_cast": "casts",
    "assignment_cast_function": "casts", "apply_modifiers": "casts",
    "parse_text": "textio", "format_value": "textio", "format_float8": "textio",
    "format_float4": "textio", "format_numeric": "textio",
    "common_type": "resolve", "binary_result_type": "resolve",
    "int_div": "arith", "int_mod": "arith", "check_int2": "arith", "check_int4": "arith",
    "check_int8": "arith", "numeric_div": "arith", "numeric_avg": "arith",
    "float_div": "arith", "to_float4": "arith",
}


def __getattr__(name: str):
    """Re-export the value-level API of casts, textio, resolve and arith on first use."""
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"rowdb.query.{module}"), name)
