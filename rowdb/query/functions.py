"""Scalar SQL functions: the registry, PostgreSQL's overload resolution, and the math library.

Where: query layer; compile.py asks `name_of` and `arguments_of` what a sqlglot call node
means, `lookup` picks an overload once per call site, and the generated code calls the
implementation per row. Strict functions (the default, as in PostgreSQL) are not called when
an argument is NULL: the compiler guards them. Add a function with `@scalar(...)`; math lives
in mathfuncs.py, strings in strfuncs.py, dates and times in datefuncs.py and datefmt.py,
number templates in numfmt.py and numread.py; importing this module registers them all.

Overloads are resolved as PostgreSQL's func_select_candidate does, reduced to what rowdb's
types need: candidates whose parameters every argument converts to implicitly, then the most
exact matches, then the most preferred types where a conversion is needed, then (for
untyped literals) string parameters, then preferred ones. So sqrt(2) is float8 and
sqrt(2.0) numeric, round(5) float8, length('x') text, as in PostgreSQL.

>>> from rowdb.query.types import INT4, NUMERIC
>>> lookup("sqrt", [INT4]).returns, lookup("sqrt", [NUMERIC]).returns
(SqlType(name='float8', precision=None, scale=None, length=None), \
SqlType(name='numeric', precision=None, scale=None, length=None))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp

from rowdb.errors import InvalidParameterValueError, UndefinedFunctionError
from rowdb.query.types import BYTEA, INT4, TEXT, UNKNOWN, SqlType, implicit_castable

AGGREGATE_NAMES = frozenset({"count", "sum", "avg", "min", "max", "string_agg", "array_agg",
                             "bool_and", "bool_or", "every"})


@dataclass(frozen=True)
class Function:
    name: str
    fn: Callable
    params: tuple  # SqlType per argument, or None for "any"; trailing ... for variadic
    returns: object  # SqlType, or callable(arg codes) -> SqlType
    strict: bool = True
    min_args: int | None = None
    may_return_null: bool = False   # NULL from non-NULL arguments (to_char with '')

    def arg_types(self, count: int) -> list:
        params = list(self.params)
        if params and params[-1] is Ellipsis:
            params = params[:-1]
            params += [params[-1]] * (count - len(params))
        return [p if p is not None else UNKNOWN for p in params[:count]]

    def result(self, args) -> SqlType:
        if callable(self.returns):
            return self.returns(args)
        return self.returns

    def takes(self, count: int) -> bool:
        variadic = bool(self.params) and self.params[-1] is Ellipsis
        fixed = len(self.params) - 1 if variadic else len(self.params)
        least = self.min_args if self.min_args is not None else fixed
        return least <= count and (variadic or count <= fixed)


_REGISTRY: dict[str, list[Function]] = {}


def scalar(name: str, params: tuple, returns, strict: bool = True, min_args=None,
           may_return_null: bool = False):
    """Register the decorated function under each `|`-separated name."""
    def register(fn):
        for alias in name.split("|"):
            _REGISTRY.setdefault(alias, []).append(
                Function(alias, fn, params, returns, strict, min_args, may_return_null))
        _resolve.cache_clear()
        return fn
    return register


# What a sqlglot node calls ------------------------------------------------------------------

# sqlglot normalises some PostgreSQL calls into its own node types; their PostgreSQL names.
_NAMES = {exp.StrPosition: "strpos", exp.TimeToStr: "to_char", exp.StrToDate: "to_date",
          exp.StrToTime: "to_timestamp", exp.UnixToTime: "to_timestamp",
          exp.TimestampTrunc: "date_trunc", exp.Hex: "to_hex", exp.Rand: "random",
          exp.Uuid: "gen_random_uuid", exp.Extract: "extract", exp.DateFromParts: "make_date",
          exp.TimeFromParts: "make_time", exp.TimestampFromParts: "make_timestamp",
          exp.Length: "length", exp.Pow: "power", exp.Ceil: "ceil"}
_TRIM_NAMES = {"LEADING": "ltrim", "TRAILING": "rtrim"}


def name_of(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Trim):
        return _TRIM_NAMES.get(str(node.args.get("position") or "").upper(), "btrim")
    if isinstance(node, exp.Pad):
        return "lpad" if node.args.get("is_left") else "rpad"
    called = node.meta.get("called") if node._meta else None
    if called in _REGISTRY:  # as written: substr has no regexp form, date_part is float8
        return called
    if isinstance(node, exp.SHA2Digest):
        return f"sha{node.args['length'].name}"
    name = _NAMES.get(type(node))
    return name if name is not None else node.sql_name().lower()


def arguments_of(node: exp.Func) -> list[exp.Expression]:
    """The argument expressions in PostgreSQL's order."""
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    special = _SPECIAL_ARGUMENTS.get(type(node))
    if special is not None:
        return special(node)
    out = []
    for key in node.arg_types:
        value = node.args.get(key)
        if isinstance(value, list):
            out.extend(value)
        elif isinstance(value, exp.Expression):
            out.append(value)
    return out


def _given(node: exp.Expression, *keys: str) -> list[exp.Expression]:
    return [node.args[key] for key in keys if isinstance(node.args.get(key), exp.Expression)]


def _unit_first(node: exp.Expression) -> list[exp.Expression]:
    """extract(field FROM x), date_trunc('field', x): the field as a lower-case string."""
    unit = node.this if isinstance(node, exp.Extract) else node.args.get("unit")
    value = node.expression if isinstance(node, exp.Extract) else node.this
    if isinstance(unit, (exp.Var, exp.Literal, exp.Column, exp.Identifier)):
        unit = exp.Literal.string(unit.name.lower())
    return [unit, value] + _given(node, "zone")


def _log(node: exp.Expression) -> list[exp.Expression]:
    """sqlglot reads log10(x) as log(10, x); its made-up 10 has no source position."""
    base, value = node.this, node.expression
    if value is None:
        return [base]
    if isinstance(base, exp.Literal) and base.this == "10" and "line" not in base.meta:
        return [value]
    return [base, value]


def _regexp_replace(node: exp.Expression) -> list[exp.Expression]:
    return _given(node, "this", "expression", "replacement", "position", "occurrence",
                  "modifiers")


def _sha2(node: exp.Expression) -> list[exp.Expression]:
    """sqlglot reads sha256(x) as SHA2Digest(x, 256)."""
    return [node.this]


_SPECIAL_ARGUMENTS = {
    exp.Trim: lambda node: _given(node, "this", "expression"),
    exp.Initcap: lambda node: [node.this],          # sqlglot adds a delimiter list
    exp.Pad: lambda node: _given(node, "this", "expression", "fill_pattern"),
    exp.UnixToTime: lambda node: [node.this],
    exp.TimestampTrunc: _unit_first, exp.Extract: _unit_first,
    exp.RegexpReplace: _regexp_replace, exp.Log: _log, exp.SHA2Digest: _sha2,
    exp.Substring: lambda node: _given(node, "this", "start", "length"),
    exp.Length: lambda node: [node.this],
    exp.Chr: lambda node: list(node.expressions),
    exp.Concat: lambda node: list(node.expressions),
    exp.ConcatWs: lambda node: list(node.expressions),
    exp.Round: lambda node: _given(node, "this", "decimals"),
    exp.Trunc: lambda node: _given(node, "this", "decimals"),
    exp.Ceil: lambda node: [node.this], exp.Floor: lambda node: [node.this],
    exp.Hex: lambda node: [node.this],
    exp.SplitPart: lambda node: _given(node, "this", "delimiter", "part_index"),
    exp.Left: lambda node: _given(node, "this", "expression"),
    exp.Right: lambda node: _given(node, "this", "expression"),
    exp.Rand: lambda node: _given(node, "this"),
    exp.Uuid: lambda node: [],
}


# Overload resolution ------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _resolve(name: str, arg_types: tuple) -> Function:
    count = len(arg_types)
    candidates = [fn for fn in _REGISTRY.get(name, ()) if fn.takes(count)
                  and all(_converts(a, p) for a, p in zip(arg_types, fn.arg_types(count)))]
    if not candidates:
        shown = ", ".join(t.base_name for t in arg_types)
        raise UndefinedFunctionError(f"function {name}({shown}) does not exist",
                                     hint="No function matches the given name and argument "
                                          "types. You might need to add explicit type casts.")
    return max(candidates, key=lambda fn: _score(fn.arg_types(count), arg_types))


def lookup(name: str, arg_types: list[SqlType]) -> Function:
    """The overload of `name` PostgreSQL would call for these argument types (42883 if none)."""
    return _resolve(name, tuple(t.without_modifiers() for t in arg_types))



def _converts(arg: SqlType, param: SqlType) -> bool:
    return (param == UNKNOWN or arg == UNKNOWN or arg.name == param.name
            or implicit_castable(arg, param))


def _score(params: list, args: tuple) -> tuple[int, int, int, int]:
    exact = preferred = unknown_string = unknown_preferred = 0
    for param, arg in zip(params, args):
        if param == UNKNOWN:
            continue
        if arg == UNKNOWN:
            unknown_string += param.category == "S"
            unknown_preferred += param.preferred
        elif arg.name == param.name:
            exact += 1
        else:
            preferred += param.preferred
    return exact, preferred, unknown_string, unknown_preferred


# The libraries register themselves on import.
from rowdb.query import (datefmt, datefuncs, digests, mathfuncs, numfmt,  # noqa: F401
                         numread, regexfuncs, strfuncs, zones_sql)


@scalar("encode", (BYTEA, TEXT), TEXT)
def _encode(data, form):
    """encode(bytea, 'hex' | 'base64' | 'escape')."""
    import base64
    form = form.lower()
    if form == "hex":
        return data.hex()
    if form == "base64":
        return base64.b64encode(data).decode()
    if form == "escape":
        return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\{b:03o}" for b in data)
    raise InvalidParameterValueError(f'unrecognized encoding: "{form}"')


@scalar("decode", (TEXT, TEXT), BYTEA)
def _decode(text, form):
    import base64
    import binascii
    form = form.lower()
    try:
        if form == "hex":
            return bytes.fromhex(text)
        if form == "base64":
            return base64.b64decode(text, validate=False)
    except (ValueError, binascii.Error) as exc:
        raise InvalidParameterValueError(f"invalid {form} data: {exc}") from None
    raise InvalidParameterValueError(f'unrecognized encoding: "{form}"')


@scalar("num_nulls", (None, ...), INT4, strict=False)
def _num_nulls(*values):
    """num_nulls(VARIADIC "any"): how many arguments are NULL (at least one argument)."""
    return sum(value is None for value in values)


@scalar("num_nonnulls", (None, ...), INT4, strict=False)
def _num_nonnulls(*values):
    return sum(value is not None for value in values)
