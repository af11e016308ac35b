"""Numeric sqrt, exp, ln, log, power, gcd, lcm and div with PostgreSQL's result scales.

Where: query layer; the numeric overloads in functions.py call these per row. PostgreSQL
picks each result's display scale from an estimate of the result's size so that it shows
at least 16 significant digits (NUMERIC_MIN_SIG_DIGITS), never fewer digits after the point
than an input has, and at most 1000; the value is then rounded half away from zero. Python's
Decimal computes each function correctly rounded at a precision with guard digits to spare.

>>> sqrt(Decimal("2.0")), exp(Decimal("1.0")), ln(Decimal("1.05"))
(Decimal('1.414213562373095'), Decimal('2.7182818284590452'), Decimal('0.048790164169432003'))
>>> power(Decimal("2.0"), Decimal("10")), log(Decimal(2), Decimal(8))
(Decimal('1024.0000000000000000'), Decimal('3.0000000000000000'))
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal

from rowdb.errors import DivisionByZeroError, NumericValueOutOfRangeError
from rowdb.query.arith import NUMERIC_CONTEXT, NUMERIC_WEIGHT_DIGITS_MAX, numeric_scale

MIN_SIG_DIGITS = 16          # NUMERIC_MIN_SIG_DIGITS
DISPLAY_SCALE_MAX = 1000     # NUMERIC_MAX_DISPLAY_SCALE
RESULT_SCALE_MAX = 2000      # NUMERIC_MAX_RESULT_SCALE
GUARD_DIGITS = 12            # Extra precision before the final rounding.

_NAN = Decimal("NaN")
_INF = Decimal("Infinity")
_ZERO = Decimal(0)
_ONE = Decimal(1)


def _overflow() -> NumericValueOutOfRangeError:
    return NumericValueOutOfRangeError("value overflows numeric format")


def _scale(rscale: int, *inputs: Decimal) -> int:
    """Clamp a proposed result scale: at least every input's scale, within 0..1000."""
    for value in inputs:
        rscale = max(rscale, numeric_scale(value))
    return min(max(rscale, 0), DISPLAY_SCALE_MAX)


def _context(rscale: int, digits_before_point: int) -> Context:
    return Context(prec=max(rscale + max(digits_before_point, 1), 1) + GUARD_DIGITS,
                   Emax=NUMERIC_CONTEXT.Emax, Emin=NUMERIC_CONTEXT.Emin, traps=[])


def _rounded(value: Decimal, rscale: int) -> Decimal:
    result = value.quantize(Decimal((0, (1,), -rscale)), rounding=ROUND_HALF_UP,
                            context=NUMERIC_CONTEXT)
    return result.copy_abs() if result == 0 else result


def _weight(value: Decimal) -> int:
    """The base-10000 weight of a numeric's first digit group, as PostgreSQL stores it."""
    return value.adjusted() // 4 if value != 0 else 0


def sqrt(value: Decimal) -> Decimal:
    """numeric_sqrt; the caller rejects negative values."""
    if not value.is_finite():
        return value
    rscale = _scale(MIN_SIG_DIGITS - ((_weight(value) + 1) * 4 // 2 - 1), value)
    root = value.sqrt(_context(rscale, value.adjusted() // 2 + 1))
    return _rounded(root, rscale)


def sqrt_at(value: Decimal, rscale: int) -> Decimal:
    """sqrt_var at a given result scale (stddev takes its variance's scale)."""
    root = value.sqrt(_context(rscale, value.adjusted() // 2 + 1))
    return _rounded(root, rscale)


def exp(value: Decimal) -> Decimal:
    if value.is_nan():
        return value
    if value.is_infinite():
        return value if value > 0 else _ZERO
    argument = float(value)
    weight = min(max(argument * 0.434294481903252, -RESULT_SCALE_MAX), RESULT_SCALE_MAX)
    rscale = _scale(MIN_SIG_DIGITS - int(weight), value)
    if abs(argument) >= RESULT_SCALE_MAX * 3:            # exp_var's limit
        if argument > 0:
            raise _overflow()
        return _rounded(_ZERO, rscale)
    if weight < -(rscale + 1):
        return _rounded(_ZERO, rscale)
    return _rounded(value.exp(_context(rscale, int(weight) + 1)), rscale)


def ln_weight(value: Decimal) -> int:
    """estimate_ln_dweight: the decimal weight of ln(value), for choosing scales."""
    if value <= 0 or not value.is_finite():
        return 0
    if Decimal("0.9") <= value <= Decimal("1.1"):
        difference = value - _ONE
        return difference.adjusted() if difference != 0 else 0
    estimate = float(value.ln(Context(prec=20)))
    return int(math.log10(abs(estimate)))


def ln(value: Decimal) -> Decimal:
    """numeric_ln; the caller rejects zero and negative values."""
    if not value.is_finite():
        return value
    rscale = _scale(MIN_SIG_DIGITS - ln_weight(value), value)
    return _rounded(value.ln(_context(rscale, ln_weight(value) + 1)), rscale)


def log(base: Decimal, value: Decimal) -> Decimal:
    """numeric_log(base, value); the caller rejects zero, negative values and base 1."""
    if base.is_nan() or value.is_nan():
        return _NAN
    if base.is_infinite() or value.is_infinite():
        if base.is_infinite() and value.is_infinite():
            return _NAN
        return _INF if value.is_infinite() else _ZERO
    digits_before_point = ln_weight(value) - ln_weight(base)
    rscale = _scale(MIN_SIG_DIGITS - digits_before_point, base, value)
    context = _context(rscale, digits_before_point + 1)
    context.prec += 5
    return _rounded(context.divide(value.ln(context), base.ln(context)), rscale)


def power(base: Decimal, exponent: Decimal) -> Decimal:
    """numeric_power; the caller rejects 0 ^ negative and negative ^ non-integer."""
    special = power_special(base, exponent)
    if special is not None:
        return special
    integral = exponent == exponent.to_integral_value()
    if integral and -2**31 <= exponent < 2**31:
        return _power_integer(base, int(exponent))
    if base == 0:
        return _rounded(_ZERO, _scale(MIN_SIG_DIGITS, base, exponent))
    estimate = float(exponent) * float(base.ln(Context(prec=20))) * 0.434294481903252
    if estimate > NUMERIC_WEIGHT_DIGITS_MAX:
        raise _overflow()
    rscale = _scale(MIN_SIG_DIGITS - int(estimate), base, exponent)
    if estimate < -(rscale + 1):
        return _rounded(_ZERO, rscale)
    context = _context(rscale, int(estimate) + 1)
    exponent_context = _context(rscale + 2 * abs(int(estimate)) + 10, 1)
    result = (exponent_context.multiply(exponent, base.ln(exponent_context))).exp(context)
    return _rounded(result, rscale)


def _power_integer(base: Decimal, exponent: int) -> Decimal:
    rscale = _scale(MIN_SIG_DIGITS, base)
    if exponent == 0:
        return _rounded(_ONE, rscale)
    if base == 0:
        return _rounded(_ZERO, rscale)
    estimate = exponent * math.log10(abs(float(base))) if abs(base.adjusted()) < 300 else \
        exponent * (base.adjusted() + 0.5)
    if estimate > NUMERIC_WEIGHT_DIGITS_MAX:
        raise _overflow()
    if estimate < -(rscale + 2):
        return _rounded(_ZERO, rscale)
    context = _context(rscale, int(estimate) + 2)
    context.prec += len(str(abs(exponent)))
    return _rounded(context.power(base, exponent), rscale)


def power_special(base: Decimal, exponent: Decimal) -> Decimal | None:
    """POSIX pow() rules for NaN and infinities, as PostgreSQL 15 follows them."""
    if base.is_nan() or exponent.is_nan():
        if (base.is_nan() and exponent == 0) or (exponent.is_nan() and base == 1):
            return _ONE
        return _NAN
    if exponent.is_infinite():
        magnitude = abs(base)
        if magnitude == 1:
            return _ONE
        grows = (magnitude > 1) == (exponent > 0)
        return _INF if grows else _ZERO
    if base.is_infinite():
        if exponent == 0:
            return _ONE
        odd = exponent % 2 == 1 or exponent % 2 == -1
        if exponent < 0:
            return _ZERO
        return -_INF if base < 0 and odd else _INF
    return None


def _scaled_integers(a: Decimal, b: Decimal) -> tuple[int, int, int]:
    scale = max(numeric_scale(a), numeric_scale(b))
    return int(a.scaleb(scale)), int(b.scaleb(scale)), scale


def gcd(a: Decimal, b: Decimal) -> Decimal:
    if not (a.is_finite() and b.is_finite()):
        return _NAN
    left, right, scale = _scaled_integers(a, b)
    return Decimal(math.gcd(left, right)).scaleb(-scale).quantize(Decimal((0, (1,), -scale)))


def lcm(a: Decimal, b: Decimal) -> Decimal:
    if not (a.is_finite() and b.is_finite()):
        return _NAN
    left, right, scale = _scaled_integers(a, b)
    value = abs(left * right) // math.gcd(left, right) if left and right else 0
    return Decimal(value).scaleb(-scale).quantize(Decimal((0, (1,), -scale)),
                                                  context=NUMERIC_CONTEXT)


def div_trunc(a: Decimal, b: Decimal) -> Decimal:
    """div(a, b): a / b truncated toward zero, scale 0."""
    if a.is_nan() or b.is_nan():
        return _NAN
    if b == 0:
        raise DivisionByZeroError("division by zero")
    if a.is_infinite():
        if b.is_infinite():
            return _NAN
        return a if b > 0 else -a
    if b.is_infinite():
        return _ZERO
    quotient = NUMERIC_CONTEXT.divide_int(a, b)
    return quotient.copy_abs() if quotient == 0 else quotient
