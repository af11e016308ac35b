"""Integer bitwise operators: & | # ~ << >> on smallint, integer and bigint.

Where: query layer; a mixin of compile.ExprCompiler (which dispatches sqlglot's Bitwise*
nodes here). As in PostgreSQL, & | # take two integers of any width and give the wider
type; << and >> shift an integer of any width by an int4 count (an int8 count has no
operator), masked to the word size as the C operators do on x86 (`1 << 33` is 2), and the
result wraps to the left operand's type (`32767::int2 << 1` is -2).

>>> wrap(2**31, 32), wrap(-2**63 - 1, 64)
(-2147483648, 9223372036854775807)
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import ProgrammingError, UndefinedFunctionError
from rowdb.query.code import Code
from rowdb.query.types import INT4, UNKNOWN

_WIDTH = {"int2": 16, "int4": 32, "int8": 64}
_SYMBOL = {exp.BitwiseAnd: "&", exp.BitwiseOr: "|", exp.BitwiseXor: "#",
           exp.BitwiseLeftShift: "<<", exp.BitwiseRightShift: ">>"}
_PYTHON = {"&": "&", "|": "|", "#": "^"}


class AmbiguousFunctionError(ProgrammingError, sqlstate="42725"):
    """ambiguous_function"""


def wrap(value: int, bits: int) -> int:
    """`value` as a two's complement integer of `bits` bits."""
    half = 1 << (bits - 1)
    return ((value + half) & ((1 << bits) - 1)) - half


def _missing(text: str, unary: bool = False) -> UndefinedFunctionError:
    return UndefinedFunctionError(
        f"operator does not exist: {text}",
        hint="No operator matches the given name and argument type. You might need to add "
             "an explicit type cast." if unary else "No operator matches the given name and "
             "argument types. You might need to add explicit type casts.")


def _ambiguous(text: str) -> AmbiguousFunctionError:
    return AmbiguousFunctionError(
        f"operator is not unique: {text}",
        hint="Could not choose a best candidate operator. You might need to add explicit "
             "type casts.")


class BitwiseCompiler:
    """ExprCompiler methods for the integer bitwise operators."""

    def _bitwise(self, node) -> Code:
        symbol = _SYMBOL[type(node)]
        left, right = self.compile(node.this), self.compile(node.expression)
        shift = symbol in ("<<", ">>")
        if left.type == UNKNOWN and right.type == UNKNOWN:
            raise _ambiguous(f"unknown {symbol} unknown")
        if shift:
            left = self.coerce(left, INT4) if left.type == UNKNOWN else left
            right = self.coerce(right, INT4) if right.type == UNKNOWN else right
        elif left.type == UNKNOWN:
            left = self.coerce(left, right.type if right.type.name in _WIDTH else INT4)
        elif right.type == UNKNOWN:
            right = self.coerce(right, left.type if left.type.name in _WIDTH else INT4)
        lt, rt = left.type.name, right.type.name
        if lt not in _WIDTH or rt not in _WIDTH or (shift and rt == "int8"):
            raise _missing(f"{left.type} {symbol} {right.type}")
        if shift:
            bits = _WIDTH[lt]
            mask = 63 if bits == 64 else 31
            if symbol == ">>":
                return self._guard([left, right], lambda a, b: f"({a} >> ({b} & {mask}))",
                                   left.type.without_modifiers())
            ref = self.ns.const(wrap)
            return self._guard([left, right],
                               lambda a, b: f"{ref}({a} << ({b} & {mask}), {bits})",
                               left.type.without_modifiers())
        result = left.type if _WIDTH[lt] >= _WIDTH[rt] else right.type
        op = _PYTHON[symbol]
        return self._guard([left, right], lambda a, b: f"({a} {op} {b})",
                           result.without_modifiers())

    def _bitwise_not(self, node) -> Code:
        inner = self.compile(node.this)
        if inner.type == UNKNOWN:
            raise _ambiguous("~ unknown")
        if inner.type.name not in _WIDTH:
            raise _missing(f"~ {inner.type}", unary=True)
        return self._guard([inner], lambda a: f"(~{a})", inner.type.without_modifiers())


DISPATCH = {**{kind: BitwiseCompiler._bitwise for kind in _SYMBOL},
            exp.BitwiseNot: BitwiseCompiler._bitwise_not}
