"""Terminal output of the `rowdb` command: aligned tables (psql's aligned format) and colors.

Where: command line, below cli.py and the cli_* command modules; pure string building, no
repository access. Values become text through the query layer's output functions, so the
command line prints `t`, `1.5` or `2024-01-02 03:04:05+00` exactly as the server would send
them; NULL prints as `NULL` (a diff must tell it from an empty string).

>>> print("\\n".join(aligned_table(["id", "name"], [["1", "a"], ["22", "NULL"]], [True, False])))
 id | name
----+------
  1 | a
 22 | NULL
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Callable, Sequence

from rowdb.query.textio import format_value

NULL_TEXT = "NULL"

# ANSI SGR codes, named by what they mean in rowdb's output.
RED, GREEN, YELLOW, CYAN, BOLD, DIM = "31", "32", "33", "36", "1", "2"
REMOVED, ADDED = RED, GREEN
REMOVED_CELL, ADDED_CELL = "1;97;41", "1;97;42"   # bold white on red / green: changed cells
HEADER = BOLD
COMMIT_HASH = YELLOW


def use_color(when: str, stream) -> bool:
    """--color always/never/auto: auto colors a terminal unless NO_COLOR or TERM=dumb."""
    if when == "always":
        return True
    if when == "never":
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Palette:
    """Wraps text in ANSI colors when enabled, returns it unchanged otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def paint(self, text: str, style: str | None) -> str:
        if not self.enabled or not style or not text:
            return text
        return f"\x1b[{style}m{text}\x1b[0m"


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide East Asian characters count 2, combining
    marks 0.

    >>> display_width("abc"), display_width("日本"), display_width("e\\u0301")
    (3, 4, 1)
    """
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def cell_text(value, sql_type=None) -> str:
    """One value as table cell text: PostgreSQL's output format, control characters escaped.

    >>> cell_text(None), cell_text("a\\nb"), cell_text(True)
    ('NULL', 'a\\\\nb', 'true')
    """
    if value is None:
        return NULL_TEXT
    if sql_type is not None:
        text = format_value(value, sql_type)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    if text is None:
        return NULL_TEXT
    if any(c in text for c in "\n\r\t"):
        text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return text


def is_numeric(sql_type) -> bool:
    return sql_type is not None and sql_type.category == "N"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def _center(text: str, width: int) -> str:
    room = width - display_width(text)
    left = room // 2
    return " " * left + text + " " * (room - left)


CellStyle = Callable[[int, int], "str | None"]


def aligned_table(headers: Sequence[str], rows: Sequence[Sequence[str]],
                  right_aligned: Sequence[bool] | None = None,
                  cell_style: CellStyle | None = None, palette: Palette | None = None,
                  header_style: str | None = None) -> list[str]:
    """psql's aligned format as lines (without the row-count footer). `rows` hold cell text;
    `cell_style(row, column)` names an ANSI style for a cell, applied after padding so that
    colors never upset the alignment."""
    count = len(headers)
    right = list(right_aligned or [False] * count)
    assert len(right) == count, "one alignment per column"
    widths = [display_width(h) for h in headers]
    for row in rows:
        assert len(row) == count, "every row has one cell per column"
        for i, text in enumerate(row):
            widths[i] = max(widths[i], display_width(text))
    paint = (palette or Palette(False)).paint
    head = "|".join(" " + _center(h, w) + " " for h, w in zip(headers, widths))
    lines = [paint(head.rstrip(), header_style), "+".join("-" * (w + 2) for w in widths)]
    for r, row in enumerate(rows):
        cells = []
        for i, text in enumerate(row):
            padded = _pad(text, widths[i], right[i])
            if i == count - 1 and not right[i]:
                padded = padded.rstrip()
            style = cell_style(r, i) if cell_style else None
            cells.append(" " + paint(padded, style) + " ")
        lines.append("|".join(cells).rstrip())
    return lines


def row_count(count: int) -> str:
    return "(1 row)" if count == 1 else f"({count} rows)"


def result_lines(columns: Sequence[tuple[str, object]], rows: Sequence[Sequence],
                 palette: Palette | None = None) -> list[str]:
    """A query result (columns as (name, SqlType)) as an aligned table plus its row count."""
    types = [t for _, t in columns]
    texts = [[cell_text(v, t) for v, t in zip(row, types)] for row in rows]
    lines = aligned_table([n for n, _ in columns], texts, [is_numeric(t) for t in types],
                          palette=palette, header_style=HEADER)
    return lines + [row_count(len(rows))]


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 row`, `2 rows`.

    >>> plural(1, "table"), plural(3, "table")
    ('1 table', '3 tables')
    """
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
