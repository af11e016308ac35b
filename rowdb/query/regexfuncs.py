"""The regexp_* functions of PostgreSQL 15, and the helpers of ~, ~* and SIMILAR TO.

Where: query layer; registered into functions.py's registry on import, called per row by
compiled expressions (predicates.py compiles the operators to `regex_match` and
`similar_match`). text[] results are Python lists, as rowdb returns arrays. Matches are
found as PostgreSQL's setup_regexp_matches finds them: each search starts where the last
match ended, one character further after an empty match; the split functions drop empty
matches at either end of the string or right after another match.

>>> regexp_split_to_array("hello", ""), regexp_match("abc", "(x)?b")
(['h', 'e', 'l', 'l', 'o'], [None])
>>> _regexp_replace("foobarbaz", "b(..)", "<\\\\1>", "g")
'foo<ar><az>'
"""

from __future__ import annotations

import re

from rowdb.errors import InvalidParameterValueError
from rowdb.query.functions import scalar
from rowdb.query.regex import check_flags, compile_are, similar_to_regex
from rowdb.query.types import BOOL, INT4, TEXT


def regex_match(s: str, pattern: str, ignore_case: bool) -> bool:
    """s ~ pattern, s ~* pattern."""
    return compile_are(pattern, "i" if ignore_case else "").search(s) is not None


def similar_match(s, pattern, escape="\\"):
    """s SIMILAR TO pattern [ESCAPE escape]; NULL when any is NULL."""
    if s is None or pattern is None or escape is None:
        return None
    return compile_are(similar_to_regex(pattern, escape), "").match(s) is not None


def _matches(compiled: re.Pattern, s: str, start: int, every: bool, ignore_degenerate=False):
    """The matches PostgreSQL finds in s from index `start` (all, or only the first)."""
    found, previous_end, length = [], 0, len(s)
    while start <= length:
        match = compiled.search(s, start)
        if match is None:
            break
        begin, end = match.span()
        if not ignore_degenerate or (begin < length and end > previous_end):
            found.append(match)
        previous_end = end
        if not every:
            break
        start = end + (begin == end)
    return found


def _groups(match: re.Match) -> list:
    return list(match.groups()) if match.re.groups else [match.group(0)]


def _positive(value: int, name: str, zero_ok: bool = False) -> int:
    if value < 0 or (value == 0 and not zero_ok):
        raise InvalidParameterValueError(f'invalid value for parameter "{name}": {value}')
    return value


@scalar("regexp_like", (TEXT, TEXT, TEXT), BOOL, min_args=2)
def _regexp_like(s, pattern, flags=""):
    check_flags(flags, "regexp_like")
    return compile_are(pattern, flags).search(s) is not None


@scalar("regexp_match", (TEXT, TEXT, TEXT), TEXT, min_args=2, may_return_null=True)
def regexp_match(s, pattern, flags=""):
    check_flags(flags, "regexp_match")
    match = compile_are(pattern, flags).search(s)
    return None if match is None else _groups(match)


def regexp_matches(s, pattern, flags=""):
    """The rows of regexp_matches (set-returning): one text[] per match."""
    every = check_flags(flags)
    return [_groups(m) for m in _matches(compile_are(pattern, flags), s, 0, every)]


@scalar("regexp_split_to_array", (TEXT, TEXT, TEXT), TEXT, min_args=2)
def regexp_split_to_array(s, pattern, flags=""):
    check_flags(flags, "regexp_split_to_array")
    pieces, last = [], 0
    for match in _matches(compile_are(pattern, flags), s, 0, True, ignore_degenerate=True):
        pieces.append(s[last:match.start()])
        last = match.end()
    pieces.append(s[last:])
    return pieces


def regexp_split_to_table(s, pattern, flags=""):
    """The rows of regexp_split_to_table (set-returning)."""
    check_flags(flags, "regexp_split_to_table")
    return regexp_split_to_array(s, pattern, flags)


@scalar("regexp_count", (TEXT, TEXT, INT4, TEXT), INT4, min_args=2)
def _regexp_count(s, pattern, start=1, flags=""):
    _positive(start, "start")
    check_flags(flags, "regexp_count")
    return len(_matches(compile_are(pattern, flags), s, start - 1, True))


def _nth(s, pattern, start, n, flags, subexpr, function):
    _positive(start, "start")
    _positive(n, "n")
    _positive(subexpr, "subexpr", zero_ok=True)
    check_flags(flags, function)
    found = _matches(compile_are(pattern, flags), s, start - 1, True)
    if len(found) < n:
        return None
    match = found[n - 1]
    if subexpr > match.re.groups or match.start(subexpr) < 0:
        return None
    return match, subexpr


@scalar("regexp_instr", (TEXT, TEXT, INT4, INT4, INT4, TEXT, INT4), INT4, min_args=2)
def _regexp_instr(s, pattern, start=1, n=1, endoption=0, flags="", subexpr=0):
    if endoption not in (0, 1):
        raise InvalidParameterValueError(f'invalid value for parameter "endoption": '
                                         f'{endoption}')
    found = _nth(s, pattern, start, n, flags, subexpr, "regexp_instr")
    if found is None:
        return 0
    match, group = found
    return (match.end(group) if endoption else match.start(group)) + 1


@scalar("regexp_substr", (TEXT, TEXT, INT4, INT4, TEXT, INT4), TEXT, min_args=2,
        may_return_null=True)
def _regexp_substr(s, pattern, start=1, n=1, flags="", subexpr=0):
    found = _nth(s, pattern, start, n, flags, subexpr, "regexp_substr")
    return None if found is None else found[0].group(found[1])


def _replacement(template: str):
    r"""PostgreSQL's replacement text: \1..\9 groups, \& the match, \\ a backslash."""
    if "\\" not in template:
        return lambda match: template

    def expand(match: re.Match) -> str:
        out, i = [], 0
        while i < len(template):
            char = template[i]
            following = template[i + 1:i + 2]
            if char == "\\" and following.isdigit() and following != "0":
                group = int(following)
                out.append((match.group(group) or "") if group <= match.re.groups else "")
                i += 2
            elif char == "\\" and following == "&":
                out.append(match.group(0))
                i += 2
            elif char == "\\" and following == "\\":
                out.append("\\")
                i += 2
            else:
                out.append(char)
                i += 1
        return "".join(out)
    return expand


def _replace(s, pattern, replacement, start, n, flags):
    """Replace the n-th match at or after index start (every one from there if n is 0)."""
    compiled = compile_are(pattern, flags)
    expand = _replacement(replacement)
    out, last = [], 0
    for index, match in enumerate(_matches(compiled, s, start, True), 1):
        if n and index != n:
            continue
        out.append(s[last:match.start()])
        out.append(expand(match))
        last = match.end()
        if n:
            break
    out.append(s[last:])
    return "".join(out)


@scalar("regexp_replace", (TEXT, TEXT, TEXT, TEXT), TEXT)
def _regexp_replace(s, pattern, replacement, flags=""):
    every = check_flags(flags)
    return _replace(s, pattern, replacement, 0, 0 if every else 1, flags)


@scalar("regexp_replace", (TEXT, TEXT, TEXT, INT4, INT4, TEXT), TEXT, min_args=3)
def _regexp_replace_at(s, pattern, replacement, start=1, n=None, flags=""):
    _positive(start, "start")
    every = check_flags(flags)
    if n is None:
        n = 0 if every else 1
    _positive(n, "n", zero_ok=True)
    return _replace(s, pattern, replacement, start - 1, n, flags)
