"""to_char(number, text): PostgreSQL 15's numeric templates (to_number reads them: numread.py).

Where: query layer; registered into functions.py's registry on import, beside datefmt.py's
date/time to_char (overload resolution picks by the first argument's type). The parser keeps
to_char's template as written (parse.py), so templates arrive here verbatim.

The model is formatting.c's NUM_processor, in the C locale: a template compiles once
(cached) into nodes and a description (digits before and after the point, flags for FM, S,
PL/MI/SG, PR, V, RN, EEEE, the first and last 0). Each input type then spells its value as
a string of digits, rounded to the template's places (numeric halves away from zero; float8
through printf with at most 15 significant digits, float4 6), '#' when the value needs more
digits than the template has, a Roman numeral for RN or a mantissa and exponent for EEEE;
the processor walks the nodes writing digits, blanks, signs and literal text. Quirks kept:
a blank stands where a plus sign would go, a 9 past the value's last digit ends the output
(the C code writes the string terminator), FM drops padding and trailing zeros.

>>> to_char_number(Decimal("1234.5"), "9,999.99"), to_char_int(12, "999")
(' 1,234.50', '  12')
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

from rowdb.errors import (InvalidTextRepresentationError, NotSupportedError,
                          NumericValueOutOfRangeError, SyntaxError)
from rowdb.query.arith import numeric_round, to_float4
from rowdb.query.functions import scalar
from rowdb.query.textio import format_numeric
from rowdb.query.types import FLOAT4, FLOAT8, INT4, INT8, NUMERIC, TEXT

# Keywords by first letter, in formatting.c's search order (the first that matches wins).
_KEYWORDS = {",": (",",), ".": (".",), "0": ("0",), "9": ("9",), "B": ("B",), "C": ("C",),
             "D": ("D",), "E": ("EEEE",), "F": ("FM",), "G": ("G",), "L": ("L",),
             "M": ("MI",), "P": ("PL", "PR"), "R": ("RN",), "S": ("SG", "SP", "S"),
             "T": ("TH",), "V": ("V",)}
_KEYWORDS.update({k.lower(): tuple(w.lower() for w in v) for k, v in _KEYWORDS.items()
                  if k.isalpha()})
_SAME = {"EEEE": "E", "eeee": "E", "RN": "RN", "rn": "rn", "TH": "TH", "th": "th"}

# Flags (NUM_F_*).
DECIMAL, LDECIMAL, ZERO, BLANK, FILL, LSIGN, BRACKET, MINUS, PLUS, ROMAN, MULTI, EEEE = (
    1 << n for n in range(12))
_PRE, _POST = -1, 1                       # where S puts the sign: before or after the digits


class _Desc:
    """NUMDesc: what the template asks for, gathered while parsing."""

    def __init__(self):
        self.flag = self.pre = self.post = self.lsign = self.pre_lsign_num = 0
        self.multi = self.zero_start = self.zero_end = 0

    def has(self, flag: int) -> bool:
        return bool(self.flag & flag)


def _syntax(message: str, detail: str | None = None) -> SyntaxError:
    return SyntaxError(message, detail=detail) if detail else SyntaxError(message)


def _prepare(num: _Desc, key: str) -> None:
    """NUMDesc_prepare: account for one keyword, refusing impossible combinations."""
    if num.has(EEEE) and key != "E":
        raise _syntax('"EEEE" must be the last pattern used')
    if key in ("9", "0") and num.has(BRACKET):
        raise _syntax(f'"{key}" must be ahead of "PR"')
    if key == "9":
        if num.has(MULTI):
            num.multi += 1
        elif num.has(DECIMAL):
            num.post += 1
        else:
            num.pre += 1
    elif key == "0":
        if not num.has(ZERO) and not num.has(DECIMAL):
            num.flag |= ZERO
            num.zero_start = num.pre + 1
        if num.has(DECIMAL):
            num.post += 1
        else:
            num.pre += 1
        num.zero_end = num.pre + num.post
    elif key == "B":
        if num.pre == 0 and num.post == 0 and not num.has(ZERO):
            num.flag |= BLANK
    elif key in ("D", "."):
        if key == "D":
            num.flag |= LDECIMAL
        if num.has(DECIMAL):
            raise _syntax("multiple decimal points")
        if num.has(MULTI):
            raise _syntax('cannot use "V" and decimal point together')
        num.flag |= DECIMAL
    elif key == "FM":
        num.flag |= FILL
    elif key == "S":
        if num.has(LSIGN):
            raise _syntax('cannot use "S" twice')
        if num.flag & (PLUS | MINUS | BRACKET):
            raise _syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together')
        if not num.has(DECIMAL):
            num.lsign, num.pre_lsign_num = _PRE, num.pre
            num.flag |= LSIGN
        elif num.lsign == 0:
            num.lsign = _POST
            num.flag |= LSIGN
    elif key in ("MI", "PL", "SG"):
        if num.has(LSIGN):
            raise _syntax(f'cannot use "S" and "{key}" together')
        num.flag |= {"MI": MINUS, "PL": PLUS, "SG": MINUS | PLUS}[key]
    elif key == "PR":
        if num.flag & (LSIGN | PLUS | MINUS):
            raise _syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together')
        num.flag |= BRACKET
    elif key in ("RN", "rn"):
        num.flag |= ROMAN
    elif key == "V":
        if num.has(DECIMAL):
            raise _syntax('cannot use "V" and decimal point together')
        num.flag |= MULTI
    elif key == "E":
        if num.has(EEEE):
            raise _syntax('cannot use "EEEE" twice')
        if num.flag & (BLANK | FILL | LSIGN | BRACKET | MINUS | PLUS | ROMAN | MULTI):
            raise _syntax('"EEEE" is incompatible with other formats',
                          '"EEEE" may only be used together with digit and decimal point '
                          'patterns.')
        num.flag |= EEEE


@lru_cache(maxsize=256)
def compile_template(template: str) -> tuple[tuple, _Desc]:
    """parse_format for numbers: nodes are (keyword, None) or (None, literal character)."""
    nodes: list[tuple] = []
    num = _Desc()
    position = 0
    while position < len(template):
        char = template[position]
        for word in _KEYWORDS.get(char, ()):
            if template.startswith(word, position):
                key = _SAME.get(word, word.upper())
                _prepare(num, key)
                nodes.append((key, None))
                position += len(word)
                break
        else:
            if char == '"':
                position += 1
                while position < len(template) and template[position] != '"':
                    if template[position] == "\\" and position + 1 < len(template):
                        position += 1
                    nodes.append((None, template[position]))
                    position += 1
                position += 1
                continue
            if char == "\\" and template[position + 1:position + 2] == '"':
                position += 1
            nodes.append((None, template[position]))
            position += 1
    return tuple(nodes), num


def template_description(template: str) -> tuple[tuple, _Desc]:
    nodes, num = compile_template(template)
    return nodes, copy.copy(num)          # the processor adjusts its description


# Values as digit strings --------------------------------------------------------------------

_ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90),
          ("L", 50), ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))
_INT4_MIN, _INT4_MAX = -(1 << 31), (1 << 31) - 1


def int_to_roman(number: int) -> str:
    if not 1 <= number <= 3999:
        return "#" * 15
    out = []
    for numeral, worth in _ROMAN:
        count, number = divmod(number, worth)
        out.append(numeral * count)
    return "".join(out)


def _overflow(num: _Desc) -> str:
    text = "#" * (num.pre + num.post + 1)
    return text[:num.pre] + "." + text[num.pre + 1:]


def _fit(num: _Desc, digits: str) -> tuple[str, int]:
    """Pad (the count of blanks before the digits) or overflow into '#'."""
    point = digits.find(".")
    before = point if point >= 0 else len(digits)
    if before < num.pre:
        return digits, num.pre - before
    if before > num.pre:
        return _overflow(num), 0
    return digits, 0


def _special_fill(num: _Desc) -> str:
    """NaN or infinity under EEEE: '#'s for sign, digits, point and a 4-character exponent."""
    text = " " + "#" * (num.pre + num.post + 5)
    return text[:num.pre + 1] + "." + text[num.pre + 2:]


def numeric_out_sci(value: Decimal, scale: int) -> str:
    """The value as d.ddd (scale digits, halves away from zero) and e+NN."""
    exponent = 0 if value == 0 else value.adjusted()
    with localcontext() as context:
        context.prec = max(len(value.as_tuple().digits), 1) + scale + 10
        significand = value.scaleb(-exponent).quantize(Decimal(1).scaleb(-scale),
                                                       rounding=ROUND_HALF_UP)
    return f"{format_numeric(significand)}e{exponent:+03d}"


def _signed(text: str) -> tuple[str, str]:
    return ("-", text[1:]) if text.startswith("-") else ("+", text)


def _sci(text: str) -> str:
    return text if text.startswith("-") else " " + text


def _pg_printf(places: int, value: float) -> str:
    """printf("%.*f") as PostgreSQL's own snprintf spells NaN and the infinities."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return "%.*f" % (places, value)


def _numeric_digits(value: Decimal, num: _Desc):
    if num.has(ROMAN):
        if value.is_nan():
            raise NotSupportedError("cannot convert NaN to integer")
        if value.is_infinite():
            raise NotSupportedError("cannot convert infinity to integer")
        whole = int(numeric_round(value, 0))
        if not _INT4_MIN <= whole <= _INT4_MAX:
            raise NumericValueOutOfRangeError("integer out of range")
        return int_to_roman(whole), 0, 0
    if num.has(EEEE):
        if not value.is_finite():
            return _special_fill(num), 0, 0
        return _sci(numeric_out_sci(value, num.post)), 0, 0
    if num.has(MULTI) and value.is_finite():
        value = value.scaleb(num.multi)
        num.pre += num.multi
    elif num.has(MULTI):
        num.pre += num.multi
    sign, digits = _signed(format_numeric(numeric_round(value, num.post)))
    digits, spaces = _fit(num, digits)
    return digits, spaces, sign


def _int_digits(value: int, num: _Desc, bits: int):
    if num.has(ROMAN):
        if bits == 64 and not _INT4_MIN <= value <= _INT4_MAX:
            raise NumericValueOutOfRangeError("integer out of range")
        return int_to_roman(value), 0, 0
    if num.has(EEEE):
        if bits == 32:
            text = "%+.*e" % (num.post, float(value))
            return (" " + text[1:] if text[0] == "+" else text), 0, 0
        return _sci(numeric_out_sci(Decimal(value), num.post)), 0, 0
    if num.has(MULTI):
        if bits == 32:                          # int32 arithmetic, wrapping as C does
            factor = 10 ** num.multi
            factor = factor if factor <= _INT4_MAX else _INT4_MIN
            value = (value * factor + (1 << 31)) % (1 << 32) - (1 << 31)
        else:
            value *= 10 ** num.multi
            if not -(1 << 63) <= value < (1 << 63):
                raise NumericValueOutOfRangeError("bigint out of range")
        num.pre += num.multi
    sign, digits = _signed(str(value))
    if num.post:
        digits += "." + "0" * num.post
    digits, spaces = _fit(num, digits)
    return digits, spaces, sign


def _float_digits(value: float, num: _Desc, significant: int):
    finite = value == value and value not in (float("inf"), float("-inf"))
    if num.has(ROMAN):
        whole = round(value) if finite else None
        return int_to_roman(whole if whole is not None and
                            _INT4_MIN <= whole <= _INT4_MAX else 0), 0, 0
    if num.has(EEEE):
        if not finite:
            return _special_fill(num), 0, 0
        text = "%+.*e" % (num.post, value)
        return (" " + text[1:] if text[0] == "+" else text), 0, 0
    if num.has(MULTI):
        value = value * float(10 ** num.multi)
        if significant == 6:
            value = to_float4(value) if abs(value) < 3.5e38 else value
        num.pre += num.multi
    whole = len(_pg_printf(0, abs(value)))
    if whole >= significant:
        num.post = 0
    elif whole + num.post > significant:
        num.post = significant - whole
    sign, digits = _signed(_pg_printf(num.post, value))
    digits, spaces = _fit(num, digits)
    return digits, spaces, sign


# The processor ------------------------------------------------------------------------------

def _ordinal(digits: str, upper: bool) -> str:
    if not digits[-1:].isdigit():
        raise InvalidTextRepresentationError(f'"{digits}" is not a number')
    last = digits[-1] if len(digits) < 2 or digits[-2] != "1" else "0"
    suffix = {"1": "st", "2": "nd", "3": "rd"}.get(last, "th")
    return suffix.upper() if upper else suffix


class _Writer:
    """NUMProc for to_char: the output and where the walk is in the digit string."""

    def __init__(self, num: _Desc, number: str, spaces: int, sign):
        self.num, self.number, self.spaces, self.sign = num, number, spaces, sign
        self.out: list[str] = []
        self.pos = 0                      # number_p
        self.curr = 0                     # num_curr
        self.num_in = False
        self.last = None                  # last_relevant: index into number
        if num.zero_start:
            num.zero_start -= 1
        if num.has(ROMAN):                # PostgreSQL 15's "Roman correction"
            num.lsign = num.pre_lsign_num = num.post = num.pre = 0
            num.flag = ROMAN | (num.flag & FILL)
            self.spaces, self.sign = 0, 0
        if num.flag & (PLUS | MINUS):
            self.sign_wrote = not (num.has(PLUS) and not num.has(MINUS))
        else:
            if self.sign != "-" and num.has(FILL):
                num.flag &= ~BRACKET
            self.sign_wrote = self.sign == "+" and num.has(FILL) and not num.has(LSIGN)
            if num.lsign == _PRE and num.pre == num.pre_lsign_num:
                num.lsign = _POST
        self.count = num.post + num.pre - 1
        if num.has(FILL) and num.has(DECIMAL):
            self.last = self._last_relevant()
        if not self.sign_wrote and self.spaces == 0:
            self.count += 1

    def _last_relevant(self):
        number = self.number
        point = number.find(".")
        if point < 0:
            return None
        last = point
        for index in range(point + 1, len(number)):
            if number[index] != "0":
                last = index
        if self.num.zero_end > self.spaces:
            last_zero = min(len(number) - 1, self.num.zero_end - self.spaces)
            last = max(last, last_zero)
        return last

    def _at(self, index) -> str:
        return self.number[index] if index is not None and index < len(self.number) else ""

    def _predec_space(self) -> bool:
        return (not self.num.has(ZERO) and self.pos == 0 and self.number[:1] == "0"
                and self.num.post != 0)

    def digit(self, key: str) -> None:
        """NUM_numpart_to_char: one 9, 0, '.' or D."""
        num, out = self.num, self.out
        if num.has(ROMAN):
            return
        self.num_in = False
        last_is_point = self.last is not None and self._at(self.last) == "."
        if not self.sign_wrote and (
                self.curr >= self.spaces or (num.has(ZERO) and num.zero_start == self.curr)) \
                and (not self._predec_space() or last_is_point):
            if num.has(LSIGN):
                if num.lsign == _PRE:
                    out.append("-" if self.sign == "-" else "+")
                    self.sign_wrote = True
            elif num.has(BRACKET):
                out.append(" " if self.sign == "+" else "<")
                self.sign_wrote = True
            elif self.sign == "+":
                if not num.has(FILL):
                    out.append(" ")
                self.sign_wrote = True
            elif self.sign == "-":
                out.append("-")
                self.sign_wrote = True
        if self.curr < self.spaces and (num.zero_start > self.curr or not num.has(ZERO)):
            if not num.has(FILL):
                out.append(" ")
        elif num.has(ZERO) and self.curr < self.spaces and num.zero_start <= self.curr:
            out.append("0")
            self.num_in = True
        else:
            char = self._at(self.pos)
            if char == ".":
                if not last_is_point or num.has(FILL):
                    out.append(".")
            elif self.last is not None and self.pos > self.last and key != "0":
                pass
            elif self._predec_space():
                if not num.has(FILL):
                    out.append(" ")
                elif last_is_point:
                    out.append("0")
            else:
                out.append(char or "\0")  # past the digits: C writes the terminator
                self.num_in = True
            if self.pos < len(self.number):
                self.pos += 1
        end = self.count + (1 if self.spaces else 0) + (1 if num.has(DECIMAL) else 0)
        if self.last is not None and self.last == self.pos:
            end = self.curr
        if self.curr + 1 == end:
            if self.sign_wrote and num.has(BRACKET):
                out.append(" " if self.sign == "+" else ">")
            elif num.has(LSIGN) and num.lsign == _POST:
                out.append("-" if self.sign == "-" else "+")
        self.curr += 1

    def run(self, nodes) -> str:
        num, out = self.num, self.out
        if num.has(EEEE):
            return self.number
        fill = num.has(FILL)
        for key, char in nodes:
            if key is None:
                out.append(char)
            elif key in ("9", "0", ".", "D"):
                self.digit(key)
            elif key in (",", "G"):
                if self.num_in:
                    out.append(",")
                elif not fill:
                    out.append(" ")
            elif key == "L":
                out.append(" ")
            elif key in ("RN", "rn"):
                numeral = self.number[self.pos:]
                numeral = numeral.lower() if key == "rn" else numeral
                out.append(numeral if fill else numeral.rjust(15))
            elif key in ("TH", "th"):
                if not (num.has(ROMAN) or self.number[:1] == "#" or self.sign == "-"
                        or num.has(DECIMAL)):
                    out.append(_ordinal(self.number, key == "TH"))
            elif key == "MI":
                if self.sign == "-":
                    out.append("-")
                elif not fill:
                    out.append(" ")
            elif key == "PL":
                if self.sign == "+":
                    out.append("+")
                elif not fill:
                    out.append(" ")
            elif key == "SG":
                out.append(self.sign or "\0")
        return "".join(out).split("\0", 1)[0]


def _format(value, template: str, digits) -> str:
    if not template:
        return ""
    nodes, num = template_description(template)
    number, spaces, sign = digits(value, num)
    return _Writer(num, number, spaces, sign).run(nodes)


@scalar("to_char", (NUMERIC, TEXT), TEXT)
def to_char_number(value, template):
    value = value if isinstance(value, Decimal) else Decimal(value)
    return _format(value, template, _numeric_digits)


@scalar("to_char", (INT4, TEXT), TEXT)
def to_char_int(value, template):
    return _format(value, template, lambda v, num: _int_digits(v, num, 32))


@scalar("to_char", (INT8, TEXT), TEXT)
def to_char_bigint(value, template):
    return _format(value, template, lambda v, num: _int_digits(v, num, 64))


@scalar("to_char", (FLOAT8, TEXT), TEXT)
def to_char_double(value, template):
    return _format(float(value), template, lambda v, num: _float_digits(v, num, 15))


@scalar("to_char", (FLOAT4, TEXT), TEXT)
def to_char_real(value, template):
    return _format(float(value), template, lambda v, num: _float_digits(v, num, 6))

