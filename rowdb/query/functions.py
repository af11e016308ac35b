"""Scalar SQL functions: name -> implementation, argument types and result type.

Where: query layer; compile.py looks functions up by name and argument types and calls the
implementation per row. Strict functions (the default, as in PostgreSQL) are not called when
an argument is NULL: the compiler guards them. Add a function with `@scalar(...)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlglot import exp

from rowdb.errors import InvalidParameterValueError, UndefinedFunctionError
from rowdb.query import arith
from rowdb.query.types import FLOAT8, INT4, INT8, NUMERIC, TEXT, UNKNOWN, SqlType

AGGREGATE_NAMES = frozenset({"count", "sum", "avg", "min", "max", "string_agg", "array_agg",
                             "bool_and", "bool_or", "every"})

SAME = "same"  # result type: the (first) argument's type


@dataclass(frozen=True)
class Function:
    name: str
    fn: Callable
    params: tuple  # SqlType per argument, or None for "any"; trailing ... for variadic
    returns: object  # SqlType, SAME, or callable(arg codes) -> SqlType
    strict: bool = True
    min_args: int | None = None

    def arg_types(self, count: int) -> list:
        params = list(self.params)
        if params and params[-1] is Ellipsis:
            params = params[:-1]
            params += [params[-1]] * (count - len(params))
        return [p if p is not None else UNKNOWN for p in params[:count]]

    def result(self, args) -> SqlType:
        if self.returns is SAME:
            return args[0].type if args[0].type != UNKNOWN else TEXT
        if callable(self.returns):
            return self.returns(args)
        return self.returns


_REGISTRY: dict[str, list[Function]] = {}


def scalar(name: str, params: tuple, returns, strict: bool = True, min_args=None):
    def register(fn):
        for alias in name.split("|"):
            _REGISTRY.setdefault(alias, []).append(
                Function(alias, fn, params, returns, strict, min_args))
        return fn
    return register


def name_of(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    return node.sql_name().lower()


def arguments_of(node: exp.Func) -> list[exp.Expression]:
    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    out = []
    for key in node.arg_types:
        value = node.args.get(key)
        if value is None:
            continue
        if isinstance(value, list):
            out.extend(value)
        elif isinstance(value, exp.Expression):
            out.append(value)
    return out


def lookup(name: str, arg_types: list[SqlType]) -> Function:
    candidates = _REGISTRY.get(name, [])
    for fn in candidates:
        params = fn.params
        variadic = params and params[-1] is Ellipsis
        fixed = len(params) - 1 if variadic else len(params)
        least = fn.min_args if fn.min_args is not None else fixed
        if least <= len(arg_types) <= (10**6 if variadic else fixed):
            if _accepts(fn.arg_types(len(arg_types)), arg_types):
                return fn
    shown = ", ".join(str(t) for t in arg_types)
    raise UndefinedFunctionError(f"function {name}({shown}) does not exist",
                                 hint="No function matches the given name and argument "
                                      "types. You might need to add explicit type casts.")


def _accepts(params: list, args: list[SqlType]) -> bool:
    for param, arg in zip(params, args):
        if param == UNKNOWN or arg == UNKNOWN:
            continue
        if param.category != arg.category:
            return False
    return True


def _numeric_result(args) -> SqlType:
    kinds = {a.type.name for a in args}
    if kinds & {"float4", "float8"}:
        return FLOAT8
    if "numeric" in kinds:
        return NUMERIC
    return args[0].type


# Math ---------------------------------------------------------------------------------------

@scalar("abs", (None,), SAME)
def _abs(v):
    return abs(v)


@scalar("sign", (None,), _numeric_result)
def _sign(v):
    return type(v)((v > 0) - (v < 0))


@scalar("ceil|ceiling", (None,), _numeric_result)
def _ceil(v):
    if isinstance(v, float):
        return float(math.ceil(v))
    return type(v)(math.ceil(v))


@scalar("floor", (None,), _numeric_result)
def _floor(v):
    if isinstance(v, float):
        return float(math.floor(v))
    return type(v)(math.floor(v))


def _round_result(args):
    return FLOAT8 if args[0].type.name in ("float4", "float8") else NUMERIC


@scalar("round", (None, INT4), _round_result, min_args=1)
def _round(v, digits=0):
    if isinstance(v, float):
        return float(round(v, digits)) if digits else float(round(v))  # half to even (rint)
    q = Decimal(1).scaleb(-digits)
    return Decimal(v).quantize(q, rounding=ROUND_HALF_UP)


@scalar("trunc", (None, INT4), _round_result, min_args=1)
def _trunc(v, digits=0):
    if isinstance(v, float):
        return float(math.trunc(v))
    return Decimal(v).scaleb(digits).to_integral_value(rounding="ROUND_DOWN").scaleb(-digits)


@scalar("sqrt", (FLOAT8,), FLOAT8)
def _sqrt(v):
    if v < 0:
        raise InvalidParameterValueError("cannot take square root of a negative number")
    return math.sqrt(v)


@scalar("power|pow", (FLOAT8, FLOAT8), FLOAT8)
def _power(a, b):
    from rowdb.query.runtime import power
    return power(a, b)


@scalar("mod", (None, None), _numeric_result)
def _mod(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return arith.int_mod(a, b)
    return arith.numeric_mod(Decimal(a), Decimal(b))


@scalar("ln", (FLOAT8,), FLOAT8)
def _ln(v):
    if v <= 0:
        raise InvalidParameterValueError("cannot take logarithm of a non-positive number")
    return math.log(v)


@scalar("exp", (FLOAT8,), FLOAT8)
def _exp(v):
    return math.exp(v)


@scalar("pi", (), FLOAT8)
def _pi():
    return math.pi


# Strings ------------------------------------------------------------------------------------

@scalar("length|char_length|character_length", (TEXT,), INT4)
def _length(s):
    return len(s)


@scalar("octet_length", (TEXT,), INT4)
def _octet_length(s):
    return len(s.encode())


@scalar("lower", (TEXT,), TEXT)
def _lower(s):
    return s.lower()


@scalar("upper", (TEXT,), TEXT)
def _upper(s):
    return s.upper()


@scalar("substring|substr", (TEXT, INT4, INT4), TEXT, min_args=2)
def _substring(s, start, count=None):
    if count is not None and count < 0:
        raise InvalidParameterValueError("negative substring length not allowed")
    begin = start - 1
    end = None if count is None else begin + count
    begin = max(begin, 0)
    if end is not None and end <= begin:
        return ""
    return s[begin:end]


@scalar("replace", (TEXT, TEXT, TEXT), TEXT)
def _replace(s, old, new):
    return s.replace(old, new) if old else s


@scalar("strpos", (TEXT, TEXT), INT4)
def _strpos(s, sub):
    return s.find(sub) + 1


@scalar("left", (TEXT, INT4), TEXT)
def _left(s, n):
    return s[:n] if n >= 0 else s[:n]


@scalar("right", (TEXT, INT4), TEXT)
def _right(s, n):
    return s[-n:] if n > 0 else s[-n:] if n < 0 else ""


@scalar("repeat", (TEXT, INT4), TEXT)
def _repeat(s, n):
    return s * max(n, 0)


@scalar("reverse", (TEXT,), TEXT)
def _reverse(s):
    return s[::-1]


@scalar("btrim|trim", (TEXT, TEXT), TEXT, min_args=1)
def _btrim(s, chars=" "):
    return s.strip(chars)


@scalar("ltrim", (TEXT, TEXT), TEXT, min_args=1)
def _ltrim(s, chars=" "):
    return s.lstrip(chars)


@scalar("rtrim", (TEXT, TEXT), TEXT, min_args=1)
def _rtrim(s, chars=" "):
    return s.rstrip(chars)


@scalar("concat", (None, ...), TEXT, strict=False, min_args=1)
def _concat(*values):
    from rowdb.query.textio import format_value  # noqa: F401 - formats non-text values
    return "".join(_text(v) for v in values if v is not None)


def _text(value) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value)


@scalar("md5", (TEXT,), TEXT)
def _md5(s):
    import hashlib
    return hashlib.md5(s.encode()).hexdigest()


INT8  # re-exported for callers that want the common types at hand
