"""PostgreSQL regular expressions (AREs) on Python's `re`: flags, translation, SIMILAR TO.

Where: query layer; regexfuncs.py (regexp_* functions), strfuncs.py (substring FROM
pattern) and predicates.py (~, ~*, SIMILAR TO) compile patterns here. `compile_are`
translates the common differences between PostgreSQL's AREs and Python's syntax:
\\m \\M \\y \\Y word boundaries, [[:class:]] names, `$` (end of string only unless
newline-sensitive), the `***=` and `(?flags)` prefixes, and PostgreSQL's flag letters.
As in PostgreSQL under the C locale (rowdb's, see strfuncs.py), classes, \\w and
case-insensitive matching know ASCII only. PostgreSQL's leftmost-longest rules for
alternation and its greediness of whole REs are not reproduced.

>>> compile_are("[[:alpha:]]+$", "").search("12ab").group(0)
'ab'
>>> bool(compile_are("\\\\mbar", "").search("foobar")), similar_to_regex("a_%", "\\\\")
(False, '^(?:a..*)$')
"""

from __future__ import annotations

import re
from functools import lru_cache

from rowdb.errors import DataError, InvalidParameterValueError


class InvalidRegularExpressionError(DataError, sqlstate="2201B"):
    """invalid_regular_expression"""


class InvalidEscapeSequenceError(DataError, sqlstate="22025"):
    """invalid_escape_sequence"""


_FLAG_LETTERS = frozenset("bcegimnpqstwx")
_CLASSES = {"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z",
            "lower": "a-z", "space": r" \t\n\r\f\v", "blank": r" \t",
            "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f", "cntrl": r"\x00-\x1f\x7f",
            "print": " -~", "graph": "!-~", "word": r"\w"}
_ESCAPES = {"m": r"\b(?=\w)", "M": r"\b(?<=\w)", "y": r"\b", "Y": r"\B"}
_MESSAGES = (("missing )", "parentheses () not balanced"),
             ("unbalanced parenthesis", "parentheses () not balanced"),
             ("unterminated character set", "brackets [] not balanced"),
             ("nothing to repeat", "quantifier operand invalid"),
             ("multiple repeat", "quantifier operand invalid"),
             ("invalid group reference", "invalid backreference number"),
             ("unknown group", "invalid backreference number"),
             ("bad escape", "invalid escape \\ sequence"),
             ("bad character range", "invalid character range"))


def check_flags(flags: str, function: str | None = None) -> bool:
    """The flags are valid PostgreSQL option letters; True when 'g' is among them.
    `function` names a function that rejects 'g' (22023, as PostgreSQL)."""
    for flag in flags:
        if flag not in _FLAG_LETTERS:
            raise InvalidParameterValueError(f'invalid regular expression option: "{flag}"')
    if "g" in flags and function is not None:
        hint = "Use the regexp_matches function instead." if function == "regexp_match" \
            else None
        raise InvalidParameterValueError(
            f'{function}() does not support the "global" option', hint=hint)
    return "g" in flags


@lru_cache(maxsize=512)
def compile_are(pattern: str, flags: str = "") -> re.Pattern:
    """A PostgreSQL ARE with its flags (the 'g' letter is ignored), compiled for re."""
    check_flags(flags)
    if pattern.startswith("***="):
        pattern, flags = pattern[4:], flags + "q"
    elif pattern.startswith("***:"):
        pattern = pattern[4:]
    embedded = re.match(r"\(\?([a-z]*)\)", pattern)
    if embedded and "q" not in flags:
        for letter in embedded.group(1):
            if letter not in _FLAG_LETTERS - {"g"}:
                raise InvalidRegularExpressionError(
                    "invalid regular expression: invalid embedded option")
        pattern, flags = pattern[embedded.end():], flags + embedded.group(1)
    ignore_case = multiline = False
    dot_all = True
    for flag in flags:
        if flag in "ic":
            ignore_case = flag == "i"
        elif flag in "nm":
            multiline, dot_all = True, False
        elif flag == "p":
            multiline, dot_all = False, False
        elif flag == "w":
            multiline, dot_all = True, True
        elif flag == "s":
            multiline, dot_all = False, True
    bits = re.ASCII | (re.IGNORECASE if ignore_case else 0) | (re.MULTILINE if multiline else 0) | \
        (re.DOTALL if dot_all else 0)
    if "q" in flags:
        text = re.escape(pattern)
    else:
        bits |= re.VERBOSE if "x" in flags else 0
        text = _translate(pattern, multiline)
    try:
        return re.compile(text, bits)
    except re.error as error:
        raise _invalid(str(error)) from None
    except (OverflowError, RecursionError):
        raise InvalidRegularExpressionError(
            "invalid regular expression: regular expression is too complex") from None


def _invalid(message: str) -> InvalidRegularExpressionError:
    for python, postgres in _MESSAGES:
        if message.startswith(python):
            message = postgres
            break
    return InvalidRegularExpressionError(f"invalid regular expression: {message}")


def _translate(pattern: str, multiline: bool) -> str:
    out, i, n = [], 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= n:
                raise InvalidRegularExpressionError(
                    "invalid regular expression: invalid escape \\ sequence")
            following = pattern[i + 1]
            out.append(_ESCAPES.get(following, "\\" + following))
            i += 2
        elif char == "[":
            text, i = _bracket(pattern, i + 1)
            out.append(text)
        elif char == "$" and not multiline:
            out.append(r"\Z")
            i += 1
        elif char == "{" and not pattern[i + 1:i + 2].isdigit():
            out.append(r"\{")  # a literal brace, as PostgreSQL reads `{,2}`
            i += 1
        elif char == "{" and not re.match(r"\{\d+(,\d*)?\}", pattern[i:]):
            raise InvalidRegularExpressionError(
                "invalid regular expression: braces {} not balanced"
                if "}" not in pattern[i:] else "invalid regular expression: invalid repetition"
                " count(s)")
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _bracket(pattern: str, i: int) -> tuple[str, int]:
    """A bracket expression starting after its '[': (Python text, index past its ']')."""
    n = len(pattern)
    negate = i < n and pattern[i] == "^"
    i += negate
    items, classes = [], []
    if i < n and pattern[i] == "]":
        items.append(r"\]")
        i += 1
    while i < n and pattern[i] != "]":
        char = pattern[i]
        kind = pattern[i + 1] if char == "[" and i + 1 < n else ""
        if kind in (":", ".", "="):
            end = pattern.find(kind + "]", i + 2)
            if end < 0:
                break
            name = pattern[i + 2:end]
            if kind == ":":
                if name not in _CLASSES:
                    raise InvalidRegularExpressionError(
                        "invalid regular expression: invalid character class")
                classes.append(_CLASSES[name])
            else:
                items.append(re.escape(name))
            i = end + 2
        elif char == "\\" and i + 1 < n:
            items.append(pattern[i:i + 2])
            i += 2
        else:
            items.append("\\" + char if char in "[&|~" else char)
            i += 1
    if i >= n:
        raise InvalidRegularExpressionError(
            "invalid regular expression: brackets [] not balanced")
    body = "".join(items + classes)
    return f"[{'^' if negate else ''}{body}]", i + 1


def similar_to_regex(pattern: str, escape: str | None) -> str:
    """SQL's SIMILAR TO pattern as an anchored ARE (PostgreSQL's similar_to_escape)."""
    if escape is not None and len(escape) > 1:
        raise InvalidEscapeSequenceError("invalid escape string",
                                         hint="Escape string must be empty or one character.")
    out, in_bracket, escaped, i = [], False, False, 0
    while i < len(pattern):
        char = pattern[i]
        i += 1
        if escaped:
            out.append(re.escape(char) if not char.isalnum() else "\\" + char)
            escaped = False
        elif escape and char == escape:
            escaped = True
        elif in_bracket:
            out.append(char)
            in_bracket = char != "]"
        elif char == "[":
            out.append(char)
            in_bracket = True
            if i < len(pattern) and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                out.append("]")
                i += 1
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        elif char == "(":
            out.append("(?:")
        elif char in ".^$\\":
            out.append("\\" + char)
        else:
            out.append(char)
    return "^(?:" + "".join(out) + ")$"
