"""Arithmetic with PostgreSQL's semantics: range checks, integer and numeric division, floats.

Where: query layer; the executor calls these per row for + - * / % and avg(), casts.py uses
the range checks. Python ints never overflow, so every integer result goes through
check_int2/4/8 for its result type (resolve.binary_result_type says which).

>>> int_div(-7, 2), int_mod(-7, 3)
(-3, -1)
>>> numeric_div(Decimal(1), Decimal(3))
Decimal('0.33333333333333333333')
>>> numeric_avg(3, 2)
Decimal('1.5000000000000000')
"""

from __future__ import annotations

import math
import struct
from decimal import ROUND_HALF_UP, Context, Decimal

from rowdb.errors import DivisionByZeroError, NumericValueOutOfRangeError

INT2_MIN, INT2_MAX = -(1 << 15), (1 << 15) - 1
INT4_MIN, INT4_MAX = -(1 << 31), (1 << 31) - 1
INT8_MIN, INT8_MAX = -(1 << 63), (1 << 63) - 1

NUMERIC_WEIGHT_DIGITS_MAX = 131072   # Decimal digits before the point numeric can hold.
NUMERIC_SCALE_MAX = 16383            # Digits after the point (NUMERIC_DSCALE_MAX).
NUMERIC_MIN_SIG_DIGITS = 16          # Division keeps at least this many significant digits.
NUMERIC_DISPLAY_SCALE_MAX = 1000     # ... but no more than this many after the point.

# Exact decimal arithmetic: enough digits for any numeric PostgreSQL can store, and no traps,
# so that Infinity - Infinity gives NaN as in PostgreSQL instead of raising.
NUMERIC_CONTEXT = Context(prec=NUMERIC_WEIGHT_DIGITS_MAX + NUMERIC_SCALE_MAX + 1,
                          Emax=NUMERIC_WEIGHT_DIGITS_MAX + 1,
                          Emin=-(NUMERIC_SCALE_MAX + NUMERIC_WEIGHT_DIGITS_MAX + 1),
                          traps=[])

_pack_single = struct.Struct("f").pack          # native: rounds to nearest, may give inf
_unpack_single = struct.Struct("f").unpack
_ZERO = Decimal(0)
_NAN = Decimal("NaN")


def _division_by_zero() -> DivisionByZeroError:
    return DivisionByZeroError("division by zero")


# Integers -------------------------------------------------------------------------------

def check_int2(value: int) -> int:
    if INT2_MIN <= value <= INT2_MAX:
        return value
    raise NumericValueOutOfRangeError("smallint out of range")


def check_int4(value: int) -> int:
    if INT4_MIN <= value <= INT4_MAX:
        return value
    raise NumericValueOutOfRangeError("integer out of range")


def check_int8(value: int) -> int:
    if INT8_MIN <= value <= INT8_MAX:
        return value
    raise NumericValueOutOfRangeError("bigint out of range")


INT_CHECKS = {"int2": check_int2, "int4": check_int4, "int8": check_int8}


def int_div(left: int, right: int) -> int:
    """Integer division truncating toward zero (C semantics); check the result's range."""
    if right == 0:
        raise _division_by_zero()
    quotient = abs(left) // abs(right)
    return quotient if (left < 0) == (right < 0) else -quotient


def int_mod(left: int, right: int) -> int:
    """Remainder with the sign of the dividend, as C's %; INT_MIN % -1 is 0."""
    if right == 0:
        raise _division_by_zero()
    remainder = abs(left) % abs(right)
    return -remainder if left < 0 else remainder


# Floats ---------------------------------------------------------------------------------

def _overflow() -> NumericValueOutOfRangeError:
    return NumericValueOutOfRangeError("value out of range: overflow")


def _underflow() -> NumericValueOutOfRangeError:
    return NumericValueOutOfRangeError("value out of range: underflow")


def round_to_single(value: float) -> float:
    """The nearest single-precision value (a C (float) cast; may be inf or 0)."""
    return _unpack_single(_pack_single(value))[0]


def to_float4(value: float) -> float:
    """Round a double to single precision (a real's value), failing as float8 -> real does."""
    result = _unpack_single(_pack_single(value))[0]
    if math.isinf(result) and not math.isinf(value):
        raise _overflow()
    if result == 0.0 and value != 0.0:
        raise _underflow()
    return result


def float_add(left: float, right: float) -> float:
    result = left + right
    if math.isinf(result) and not math.isinf(left) and not math.isinf(right):
        raise _overflow()
    return result


def float_sub(left: float, right: float) -> float:
    result = left - right
    if math.isinf(result) and not math.isinf(left) and not math.isinf(right):
        raise _overflow()
    return result


def float_mul(left: float, right: float) -> float:
    result = left * right
    if math.isinf(result) and not math.isinf(left) and not math.isinf(right):
        raise _overflow()
    if result == 0.0 and left != 0.0 and right != 0.0:
        raise _underflow()
    return result


def float_div(left: float, right: float) -> float:
    """float8 division: x / 0 fails even for floats (but NaN / 0 is NaN)."""
    if right == 0.0 and not math.isnan(left):
        raise _division_by_zero()
    if right == 0.0:
        return left
    result = left / right
    if math.isinf(result) and not math.isinf(left):
        raise _overflow()
    if result == 0.0 and left != 0.0 and not math.isinf(right):
        raise _underflow()
    return result


# Numeric --------------------------------------------------------------------------------

def numeric_add(left: Decimal, right: Decimal) -> Decimal:
    """Exact sum; its scale is the larger input scale (Decimal exponents do that)."""
    return NUMERIC_CONTEXT.add(left, right)


def numeric_sub(left: Decimal, right: Decimal) -> Decimal:
    return NUMERIC_CONTEXT.subtract(left, right)


def numeric_mul(left: Decimal, right: Decimal) -> Decimal:
    """Exact product; its scale is the sum of the input scales."""
    return NUMERIC_CONTEXT.multiply(left, right)


def numeric_scale(value: Decimal) -> int:
    """The display scale of a finite numeric: digits after the point."""
    return max(0, -value.as_tuple().exponent)


def _weight_and_first_group(value: Decimal) -> tuple[int, int]:
    """Position and value of the first nonzero base-10000 digit, as numeric stores them."""
    if not value:
        return 0, 0
    weight = value.adjusted() // 4
    return weight, int(abs(value).scaleb(-4 * weight, NUMERIC_CONTEXT))


def division_scale(left: Decimal, right: Decimal) -> int:
    """PostgreSQL's select_div_scale: at least 16 significant digits in the quotient."""
    left_weight, left_group = _weight_and_first_group(left)
    right_weight, right_group = _weight_and_first_group(right)
    quotient_weight = left_weight - right_weight
    if left_group <= right_group:
        quotient_weight -= 1
    scale = NUMERIC_MIN_SIG_DIGITS - quotient_weight * 4
    scale = max(scale, numeric_scale(left), numeric_scale(right), 0)
    return min(scale, NUMERIC_DISPLAY_SCALE_MAX)


def round_half_away(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to an integer, halves away from zero."""
    assert denominator != 0
    negative = (numerator < 0) != (denominator < 0)
    quotient, remainder = divmod(abs(numerator), abs(denominator))
    if 2 * remainder >= abs(denominator):
        quotient += 1
    return -quotient if negative else quotient


def numeric_div(left: Decimal, right: Decimal, scale: int | None = None) -> Decimal:
    """numeric / numeric rounded (half away from zero) to select_div_scale's scale."""
    if left.is_nan() or right.is_nan():
        return _NAN
    if right == 0:
        raise _division_by_zero()
    if left.is_infinite():
        if right.is_infinite():
            return _NAN
        return left if right > 0 else -left
    if right.is_infinite():
        return _ZERO
    if scale is None:
        scale = division_scale(left, right)
    left_numerator, left_denominator = left.as_integer_ratio()
    right_numerator, right_denominator = right.as_integer_ratio()
    numerator = left_numerator * right_denominator
    denominator = left_denominator * right_numerator
    if scale >= 0:
        numerator *= 10 ** scale
    else:
        denominator *= 10 ** -scale
    quotient = round_half_away(numerator, denominator)
    return Decimal(quotient).scaleb(-scale, NUMERIC_CONTEXT)


def numeric_mod(left: Decimal, right: Decimal) -> Decimal:
    """Remainder with the dividend's sign; its scale is the larger input scale."""
    if left.is_nan() or right.is_nan():
        return _NAN
    if right == 0:
        raise _division_by_zero()
    if left.is_infinite():
        return _NAN
    if right.is_infinite():
        return left
    result = NUMERIC_CONTEXT.remainder(left, right)
    return result.copy_abs() if result == 0 else result


def numeric_avg(total, count: int) -> Decimal | None:
    """avg() over integers or numerics: the numeric sum divided by the count (NULL if none)."""
    if count == 0:
        return None
    return numeric_div(Decimal(total), Decimal(count))


def numeric_round(value: Decimal, scale: int) -> Decimal:
    """Round to `scale` digits after the point (negative: before), halves away from zero."""
    if not value.is_finite():
        return value
    rounded = value.quantize(Decimal((0, (1,), -scale)), rounding=ROUND_HALF_UP,
                             context=NUMERIC_CONTEXT)
    if scale < 0:
        rounded = rounded.quantize(_ZERO, context=NUMERIC_CONTEXT)
    return rounded.copy_abs() if rounded == 0 else rounded
