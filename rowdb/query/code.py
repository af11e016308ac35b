"""Code: what the expression compiler produces for one SQL expression.

Where: query layer; compile.py and predicates.py build Code values, plans evaluate their
text as Python expressions in the plan's namespace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rowdb.query.types import SqlType


@dataclass(frozen=True, slots=True)
class Code:
    """A compiled expression: Python source, its SQL type, whether it can be NULL, and for
    constants the value itself."""

    text: str
    type: SqlType
    nullable: bool = True
    const: bool = False
    value: object = None
    origin: object = field(default=None, compare=False)  # a literal's parsed node
