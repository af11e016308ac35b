"""Math functions: abs, sign, rounding, roots, exp and logs, power, trigonometry, gcd/lcm.

Where: query layer; registered into functions.py's registry on import. Each function has the
overloads PostgreSQL 15 has (integer, float8, numeric), so resolution gives the same result
types: round(5) is float8, round(5.0) numeric, abs(-1::int2) smallint. Float functions fail
as PostgreSQL's libm wrappers do (22003 out of range, 2201E/2201F bad arguments); numeric ones
compute with PostgreSQL's result scales (numeric_math.py).

>>> _round_numeric(Decimal("2.5")), _integral(round)(2.5), _integral(round)(-0.4)
(Decimal('3'), 2.0, -0.0)
"""

from __future__ import annotations

import math
import random as _random
from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, Decimal

from rowdb.errors import DataError, DivisionByZeroError, NumericValueOutOfRangeError
from rowdb.query import arith, numeric_math
from rowdb.query.functions import scalar
from rowdb.query.types import FLOAT4, FLOAT8, INT2, INT4, INT8, NUMERIC


class InvalidArgumentForPowerError(DataError, sqlstate="2201F"):
    """invalid_argument_for_power_function (sqrt, power)"""


class InvalidArgumentForLogarithmError(DataError, sqlstate="2201E"):
    """invalid_argument_for_logarithm (ln, log)"""


class InvalidArgumentForWidthBucketError(DataError, sqlstate="2201G"):
    """invalid_argument_for_width_bucket_function"""


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


_float_op("cbrt")(math.cbrt)


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
    if math.isnan(v):
        return
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
    if not v.is_nan() and v < 0:
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
    special = numeric_math.power_special(a, b)
    if special is not None:
        return special
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
    if any(math.isnan(v) for v in (value, low, high)):
        raise InvalidArgumentForWidthBucketError(
            "operand, lower bound, and upper bound cannot be NaN")
    if low < high:
        if value < low:
            return 0
        if value >= high:
            return arith.check_int4(count + 1)
        return min(int(count * ((value - low) / (high - low))), count - 1) + 1
    if value > low:
        return 0
    if value <= high:
        return arith.check_int4(count + 1)
    return min(int(count * ((low - value) / (low - high))), count - 1) + 1
