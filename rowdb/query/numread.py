"""to_number(text, text): a number read through a PostgreSQL 15 numeric template.

Where: query layer; registered into functions.py's registry on import. Templates compile
with numfmt.py's parser; this is the reading half of formatting.c's NUM_processor, in the C
locale. Each 9, 0, '.' or D takes at most one input character (a digit, the point, or a
sign before the first digit); ',' and G skip a comma; MI, PL and SG read a sign; L, TH and
literal text skip characters. The digits read become a numeric of the template's precision
(22003 when the integer part overflows it), scaled down by V's digits.

>>> to_number("-1,234.5", "9G999D9"), to_number("<12>", "99PR")
(Decimal('-1234.5'), Decimal('-12'))
"""

from __future__ import annotations

from decimal import Decimal

from rowdb.errors import NotSupportedError
from rowdb.query.functions import scalar
from rowdb.query.numfmt import (BRACKET, DECIMAL, EEEE, FILL, LSIGN, MINUS, MULTI, PLUS,
                                ROMAN, template_description)
from rowdb.query.textio import parse_numeric
from rowdb.query.types import NUMERIC, TEXT

_DATA = frozenset("0123456789.,+-")


class _Reader:
    """NUMProc for to_number: the input, the position in it, and the number so far."""

    def __init__(self, text: str, num):
        self.text, self.num = text, num
        self.pos = 0
        self.number = [" "]               # the sign, then the digits read
        self.read_pre = self.read_post = 0
        self.read_dec = False

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def char(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def skip_non_data(self, count: int) -> None:
        """NUM_eat_non_data_chars: up to count characters that are not digits or signs."""
        while count > 0 and not self.done() and self.char() not in _DATA:
            self.pos += 1
            count -= 1

    def digit(self, key: str) -> None:
        """NUM_numpart_from_char: a sign before the first digit, a digit or the point."""
        num = self.num
        if self.done():
            return
        if self.char() == " ":
            self.pos += 1
        if self.done():
            return
        if self.number[0] == " " and key in ("0", "9") and self.read_pre + self.read_post == 0:
            if self.char() == "-" or (num.has(BRACKET) and self.char() == "<"):
                self.number[0] = "-"
                self.pos += 1
            elif self.char() == "+":
                self.number[0] = "+"
                self.pos += 1
        if self.done():
            return
        read = False
        char = self.char()
        if "0" <= char <= "9":
            if self.read_dec and self.read_post == num.post:
                return
            self.number.append(char)
            if self.read_dec:
                self.read_post += 1
            else:
                self.read_pre += 1
            read = True
        elif num.has(DECIMAL) and not self.read_dec and char == ".":
            self.number.append(".")
            self.read_dec = read = True
        if self.number[0] != " " or self.read_pre + self.read_post == 0:
            return
        if num.has(LSIGN) and read and self.pos + 1 < len(self.text) \
                and not "0" <= self.char(1) <= "9":
            if self.char(1) in ("-", "+"):
                self.number[0] = self.char(1)
                self.pos += 1
        elif not read and not num.has(LSIGN) and num.flag & (PLUS | MINUS):
            if char in ("-", "+"):
                self.number[0] = char

    def run(self, nodes) -> None:
        num = self.num
        for key, _ in nodes:
            if self.done():
                break
            if key is None:
                self.pos += 1
                continue
            if key in ("9", "0", ".", "D"):
                self.digit(key)
            elif key in (",", "G"):
                if num.has(FILL) or self.char() != ",":
                    continue
            elif key == "L":
                self.skip_non_data(1)
                continue
            elif key in ("TH", "th"):
                if not num.has(DECIMAL):
                    self.skip_non_data(2)
                continue
            elif key in ("MI", "PL", "SG"):
                wanted = {"MI": "-", "PL": "+", "SG": "-+"}[key]
                if self.char() in wanted:
                    self.number[0] = self.char()
                else:
                    self.skip_non_data(1)
                    continue
            else:
                continue
            self.pos += 1



def _power_of_ten(exponent: int) -> Decimal:
    """numeric_power(10, -k): 16 digits after the point."""
    return Decimal(1).scaleb(-exponent).quantize(Decimal("1e-16"))


@scalar("to_number", (TEXT, TEXT), NUMERIC, may_return_null=True)
def to_number(text, template):
    if not template:
        return None
    nodes, num = template_description(template)
    if num.has(EEEE):
        raise NotSupportedError('"EEEE" not supported for input')
    if num.has(ROMAN):
        raise NotSupportedError('"RN" not supported for input')
    if num.zero_start:
        num.zero_start -= 1
    reader = _Reader(text, num)
    reader.run(nodes)
    digits = reader.number
    if digits[-1] == "." and len(digits) > 1:
        digits = digits[:-1]
    scale = reader.read_post
    precision = num.pre + num.multi + scale
    from rowdb.query.casts import fit_numeric
    value = fit_numeric(parse_numeric("".join(digits)), precision, scale)
    if num.has(MULTI):
        value = value * _power_of_ten(num.multi)
    return value

