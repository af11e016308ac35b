"""Scalar SQL functions: the registry, PostgreSQL's overload resolution, and the math library.

Where: query layer; compile.py asks `name_of` and `arguments_of` what a sqlglot call node
means, `lookup` picks an overload once per call site, and the generated code calls the
implementation per row. Strict functions (the default, as in PostgreSQL) are not called when
an argument is NULL: the compiler guards them. Add a function with `@scalar(...)`; string
functions live in strfuncs.py, date and time functions in datefuncs.py and datefmt.py, and
importing this module registers them all.

Overloads are resolved as PostgreSQL's func_select_candidate does, reduced to what rowdb's
types need: candidates whose parameters every argument converts to implicitly, then the most
exact matches, then the most preferred types where a conversion is needed, then (for
untyped literals) string parameters, then preferred ones. So sqrt(2) is float8 and
sqrt(2.0) numeric, round(5) float8, length('x') text, as in PostgreSQL.

>>> lookup("sqrt", [INT4]).returns, lookup("sqrt", [NUMERIC]).returns
(SqlType(name='float8', precision=None, scale=None, length=None), \
SqlType(name='numeric', precision=None, scale=None, length=None))
"""

from __future__ import annotations

import math
import random as _random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal
from functools import lru_cache

from sqlglot import exp

from rowdb.errors import (DataError, DivisionByZeroError, NumericValueOutOfRangeError,
                          UndefinedFunctionError)
from rowdb.query import arith, numeric_math
from rowdb.query.types import (FLOAT4, FLOAT8, INT2, INT4, INT8, NUMERIC, TEXT, UNKNOWN,
                               SqlType, implicit_castable)

AGGREGATE_NAMES = frozenset({"count", "sum", "avg", "min", "max", "string_agg", "array_agg",
                             "bool_and", "bool_or", "every"})


class InvalidArgumentForPowerError(DataError, sqlstate="2201F"):
    """invalid_argument_for_power_function (sqrt, power)"""


class InvalidArgumentForLogarithmError(DataError, sqlstate="2201E"):
    """invalid_argument_for_logarithm (ln, log)"""


class InvalidArgumentForWidthBucketError(DataError, sqlstate="2201G"):
    """invalid_argument_for_width_bucket_function"""


@dataclass(frozen=True)
class Function:
    name: str
    fn: Callable
    params: tuple  # SqlType per argument, or None for "any"; trailing ... for variadic
    returns: object  # SqlType, or callable(arg codes) -> SqlType
    strict: bool = True
    min_args: int | None = None

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


def scalar(name: str, params: tuple, returns, strict: bool = True, min_args=None):
    """Register the decorated function under each `|`-separated name."""
    def register(fn):
        for alias in name.split("|"):
            _REGISTRY.setdefault(alias, []).append(
                Function(alias, fn, params, returns, strict, min_args))
            lookup.cache_clear()
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
_FORMATTED = (exp.TimeToStr, exp.StrToDate, exp.StrToTime)


def name_of(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    if isinstance(node, exp.Trim):
        return _TRIM_NAMES.get(str(node.args.get("position") or "").upper(), "btrim")
    if isinstance(node, exp.Pad):
        return "lpad" if node.args.get("is_left") else "rpad"
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


def _postgres_format(node: exp.Expression) -> list[exp.Expression]:
    """sqlglot rewrote a literal to_char/to_date pattern as strftime; spell it back."""
    pattern = node.args.get("format")
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        from sqlglot.dialects.postgres import Postgres
        from sqlglot.time import format_time
        text = format_time(pattern.this, Postgres.INVERSE_TIME_MAPPING,
                           Postgres.INVERSE_TIME_TRIE) or ""
        pattern = exp.Literal.string(text)
    return [node.this] + ([pattern] if pattern is not None else [])


def _unit_first(node: exp.Expression) -> list[exp.Expression]:
    """extract(field FROM x), date_trunc('field', x): the field as a lower-case string."""
    unit = node.this if isinstance(node, exp.Extract) else node.args.get("unit")
    value = node.expression if isinstance(node, exp.Extract) else node.this
    if isinstance(unit, (exp.Var, exp.Literal, exp.Column, exp.Identifier)):
        unit = exp.Literal.string(unit.name.lower())
    return [unit, value] + _given(node, "zone")


def _regexp_replace(node: exp.Expression) -> list[exp.Expression]:
    flags = node.args.get("modifiers") or node.args.get("position")
    return _given(node, "this", "expression", "replacement") + ([flags] if flags else [])


_SPECIAL_ARGUMENTS = {
    exp.Trim: lambda node: _given(node, "this", "expression"),
    exp.Initcap: lambda node: [node.this],          # sqlglot adds a delimiter list
    exp.Pad: lambda node: _given(node, "this", "expression", "fill_pattern"),
    exp.TimeToStr: _postgres_format, exp.StrToDate: _postgres_format,
    exp.StrToTime: _postgres_format,
    exp.UnixToTime: lambda node: [node.this],
    exp.TimestampTrunc: _unit_first, exp.Extract: _unit_first,
    exp.RegexpReplace: _regexp_replace,
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


lookup.cache_clear = _resolve.cache_clear


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


def same_as_first(args) -> SqlType:
    """Result type: the first argument's (text for an untyped literal)."""
    return args[0].type.without_modifiers() if args[0].type != UNKNOWN else TEXT


# Errors shared by the math functions --------------------------------------------------------

def out_of_range(what: str = "input is out of range") -> NumericValueOutOfRangeError:
    return NumericValueOutOfRangeError(what)


def _float_result(value: float, *inputs: float) -> float:
    """PostgreSQL's float overflow/underflow checks on a libm result."""
    if math.isinf(value) and not any(math.isinf(v) for v in inputs):
        raise out_of_range("value out of range: overflow")
    if value == 0.0 and not any(v == 0.0 for v in inputs):
        raise out_of_range("value out of range: underflow")
    return value


# Integers -----------------------------------------------------------------------------------

_INT_CHECK = {INT2: arith.check_int2, INT4: arith.check_int4, INT8: arith.check_int8}

for _type, _check in _INT_CHECK.items():
    scalar("abs", (_type,), _type)(lambda v, _check=_check: _check(abs(v)))

for _type, _check in ((INT4, arith.check_int4), (INT8, arith.check_int8)):
    scalar("gcd", (_type, _type), _type)(
        lambda a, b, _check=_check: _check(math.gcd(a, b)))
    scalar("lcm", (_type, _type), _type)(
        lambda a, b, _check=_check: _check(abs(a * b) // math.gcd(a, b) if a and b else 0))


# Floats -------------------------------------------------------------------------------------

scalar("abs", (FLOAT4,), FLOAT4)(abs)
scalar("abs", (FLOAT8,), FLOAT8)(abs)


def _float_op(name: str):
    """Register a float8 -> float8 function under `name`."""
    return scalar(name, (FLOAT8,), FLOAT8)


@_float_op("sign")
def _sign_float(v):
    return 1.0 if v > 0 else -1.0 if v < 0 else 0.0


def _integral(op: Callable[[float], int]) -> Callable[[float], float]:
    def apply(v: float) -> float:
        if math.isinf(v) or math.isnan(v):
            return v
        return math.copysign(float(op(v)), v)        # -0.4 gives -0, as rint() does
    return apply


_float_op("ceil|ceiling")(_integral(math.ceil))
_float_op("floor")(_integral(math.floor))
_float_op("round")(_integral(round))                 # halves to even, as rint()
_float_op("trunc")(_integral(math.trunc))


@_float_op("sqrt")
def _sqrt_float(v):
    if v < 0:
        raise InvalidArgumentForPowerError("cannot take square root of a negative number")
    return math.sqrt(v)


@_float_op("cbrt")
def _cbrt_float(v):
    if math.isinf(v) or math.isnan(v) or v == 0:
        return v
    root = abs(v) ** (1 / 3)
    root -= (root ** 3 - abs(v)) / (3 * root * root)    # one Newton step, as libm's cbrt
    return math.copysign(root, v)


@_float_op("exp")
def _exp_float(v):
    try:
        result = math.exp(v)
    except OverflowError:
        raise out_of_range("value out of range: overflow") from None
    if result == 0.0 and not math.isinf(v):
        raise out_of_range("value out of range: underflow")
    return result


def _check_log_argument(v) -> None:
    if v == 0:
        raise InvalidArgumentForLogarithmError("cannot take logarithm of zero")
    if v < 0:
        raise InvalidArgumentForLogarithmError("cannot take logarithm of a negative number")


@_float_op("ln")
def _ln_float(v):
    _check_log_argument(v)
    return math.log(v)


@_float_op("log|log10")
def _log10_float(v):
    _check_log_argument(v)
    return math.log10(v)


@scalar("power|pow", (FLOAT8, FLOAT8), FLOAT8)
def _power_float(a, b):
    if a == 0 and b < 0:
        raise InvalidArgumentForPowerError("zero raised to a negative power is undefined")
    if a < 0 and b != math.floor(b):
        raise InvalidArgumentForPowerError(
            "a negative number raised to a non-integer power yields a complex result")
    if math.isnan(a):
        return 1.0 if b == 0 else a
    if math.isnan(b):
        return 1.0 if a == 1 else b
    try:
        result = math.pow(a, b)
    except OverflowError:
        raise out_of_range("value out of range: overflow") from None
    return _float_result(result, a, b) if a != 0 else result


@scalar("pi", (), FLOAT8)
def _pi():
    return math.pi


@scalar("random", (), FLOAT8, strict=False)
def _random_float():
    return _random.random()


_float_op("degrees")(math.degrees)
_float_op("radians")(math.radians)


def _libm(fn: Callable[[float], float], low: float = -math.inf, high: float = math.inf):
    """A float8 function failing as PostgreSQL does outside its domain (22003)."""
    def apply(v: float) -> float:
        if math.isnan(v):
            return v
        if not low <= v <= high:
            raise out_of_range()
        try:
            return fn(v)
        except ValueError:
            raise out_of_range() from None
        except OverflowError:
            raise out_of_range("value out of range: overflow") from None
    return apply


for _name, _fn in (("sin", math.sin), ("cos", math.cos), ("tan", math.tan),
                   ("atan", math.atan), ("sinh", math.sinh), ("cosh", math.cosh),
                   ("tanh", math.tanh), ("asinh", math.asinh)):
    _float_op(_name)(_libm(_fn))
_float_op("asin")(_libm(math.asin, -1.0, 1.0))
_float_op("acos")(_libm(math.acos, -1.0, 1.0))
_float_op("acosh")(_libm(math.acosh, 1.0))


@_float_op("atanh")
def _atanh(v):
    if not -1.0 <= v <= 1.0:
        raise out_of_range()
    return math.copysign(math.inf, v) if abs(v) == 1.0 else math.atanh(v)


@_float_op("cot")
def _cot(v):
    if math.isinf(v):
        raise out_of_range()
    tangent = math.tan(v)
    return math.inf if tangent == 0 else 1.0 / tangent


@scalar("atan2", (FLOAT8, FLOAT8), FLOAT8)
def _atan2(y, x):
    return math.atan2(y, x)


for _name, _fn in (("sind", math.sin), ("cosd", math.cos), ("tand", math.tan)):
    _float_op(_name)(_libm(lambda v, _fn=_fn: _exact_degrees(_fn, v)))


def _exact_degrees(fn: Callable[[float], float], degrees: float) -> float:
    """sind/cosd/tand give exact results at multiples of 30 and 45 degrees."""
    if math.isinf(degrees):
        raise out_of_range()
    result = fn(math.radians(degrees))
    nearest = round(result * 2) / 2
    return nearest if abs(result - nearest) < 1e-12 else result


@scalar("width_bucket", (FLOAT8, FLOAT8, FLOAT8, INT4), INT4)
def _width_bucket_float(value, low, high, count):
    return _width_bucket(value, low, high, count)


# Numeric ------------------------------------------------------------------------------------

def _dec(v) -> Decimal:
    return v if type(v) is Decimal else Decimal(v)


def _no_minus_zero(v: Decimal) -> Decimal:
    return v.copy_abs() if v == 0 else v


@scalar("abs", (NUMERIC,), NUMERIC)
def _abs_numeric(v):
    return _dec(v).copy_abs()


@scalar("sign", (NUMERIC,), NUMERIC)
def _sign_numeric(v):
    v = _dec(v)
    if v.is_nan():
        return v
    return Decimal((v > 0) - (v < 0))


def _to_integral(rounding: str) -> Callable[[Decimal], Decimal]:
    def apply(v):
        v = _dec(v)
        if not v.is_finite():
            return v
        return _no_minus_zero(v.to_integral_value(rounding=rounding))
    return apply


scalar("ceil|ceiling", (NUMERIC,), NUMERIC)(_to_integral(ROUND_CEILING))
scalar("floor", (NUMERIC,), NUMERIC)(_to_integral(ROUND_FLOOR))


@scalar("round", (NUMERIC, INT4), NUMERIC, min_args=1)
def _round_numeric(v, digits=0):
    return arith.numeric_round(_dec(v), digits)


@scalar("trunc", (NUMERIC, INT4), NUMERIC, min_args=1)
def _trunc_numeric(v, digits=0):
    v = _dec(v)
    if not v.is_finite():
        return v
    truncated = v.quantize(Decimal((0, (1,), -digits)), rounding=ROUND_DOWN,
                           context=arith.NUMERIC_CONTEXT)
    if digits < 0:
        truncated = truncated.quantize(Decimal(0), context=arith.NUMERIC_CONTEXT)
    return _no_minus_zero(truncated)


@scalar("sqrt", (NUMERIC,), NUMERIC)
def _sqrt_numeric(v):
    v = _dec(v)
    if v < 0:
        raise InvalidArgumentForPowerError("cannot take square root of a negative number")
    return numeric_math.sqrt(v)


@scalar("exp", (NUMERIC,), NUMERIC)
def _exp_numeric(v):
    return numeric_math.exp(_dec(v))


@scalar("ln", (NUMERIC,), NUMERIC)
def _ln_numeric(v):
    v = _dec(v)
    _check_log_argument(v)
    return numeric_math.ln(v)


@scalar("log|log10", (NUMERIC,), NUMERIC)
def _log10_numeric(v):
    return _log_numeric(Decimal(10), v)


@scalar("log", (NUMERIC, NUMERIC), NUMERIC)
def _log_numeric(base, v):
    base, v = _dec(base), _dec(v)
    _check_log_argument(base)
    _check_log_argument(v)
    if base == 1:
        raise DivisionByZeroError("division by zero")
    return numeric_math.log(base, v)


@scalar("power|pow", (NUMERIC, NUMERIC), NUMERIC)
def _power_numeric(a, b):
    a, b = _dec(a), _dec(b)
    if a == 0 and b < 0:
        raise InvalidArgumentForPowerError("zero raised to a negative power is undefined")
    if a < 0 and b != b.to_integral_value():
        raise InvalidArgumentForPowerError(
            "a negative number raised to a non-integer power yields a complex result")
    return numeric_math.power(a, b)


@scalar("gcd", (NUMERIC, NUMERIC), NUMERIC)
def _gcd_numeric(a, b):
    return numeric_math.gcd(_dec(a), _dec(b))


@scalar("lcm", (NUMERIC, NUMERIC), NUMERIC)
def _lcm_numeric(a, b):
    return numeric_math.lcm(_dec(a), _dec(b))


@scalar("div", (NUMERIC, NUMERIC), NUMERIC)
def numeric_div_trunc(a, b):
    """div(a, b): the integer quotient, truncated toward zero."""
    return numeric_math.div_trunc(_dec(a), _dec(b))


@scalar("scale", (NUMERIC,), INT4)
def _scale(v):
    v = _dec(v)
    return arith.numeric_scale(v) if v.is_finite() else None


@scalar("width_bucket", (NUMERIC, NUMERIC, NUMERIC, INT4), INT4)
def _width_bucket_numeric(value, low, high, count):
    return _width_bucket(_dec(value), _dec(low), _dec(high), count)


def _width_bucket(value, low, high, count: int) -> int:
    """Which of `count` equal buckets between low and high holds value (0 or count+1 outside).
    """
    if count <= 0:
        raise InvalidArgumentForWidthBucketError("count must be greater than zero")
    if low == high:
        raise InvalidArgumentForWidthBucketError("lower bound cannot equal upper bound")
    if value != value or low != low or high != high:
        raise InvalidArgumentForWidthBucketError(
            "operand, lower bound, and upper bound cannot be NaN")
    if low < high:
        if value < low:
            return 0
        if value >= high:
            return arith.check_int4(count + 1)
        return int((value - low) * count / (high - low)) + 1
    if value > low:
        return 0
    if value <= high:
        return arith.check_int4(count + 1)
    return int((low - value) * count / (low - high)) + 1


# The other libraries register themselves on import.
from rowdb.query import datefuncs, strfuncs  # noqa: E402,F401 - registration
