"""Output column names of select items, as PostgreSQL names them.

Where: query layer; plan.py and grouping.py name a query's columns, dml.py the columns of
RETURNING.
"""

from __future__ import annotations

from sqlglot import exp


def output_name(item) -> str:
    """A select item's column name: its alias, column or function name, else ?column?."""
    if isinstance(item, exp.Alias):
        return item.alias
    if isinstance(item, exp.Filter):  # count(*) FILTER (WHERE ...) is named count
        item = item.this
    if isinstance(item, exp.Column):
        return item.name
    called = item.meta.get("called") if item._meta else None
    if item._meta and item.meta.get("operator"):  # @ x, |/ x, ||/ x
        return "?column?"
    if called:  # a function call: named as written (sqlglot folds substr into substring...)
        return called
    if isinstance(item, exp.Concat):  # 'a' 'b' on two lines: no function call
        return "?column?"
    if isinstance(item, exp.Cast):
        return output_name(item.this) if isinstance(item.this, exp.Column) else \
            _cast_name(item)
    if type(item) in _SHOWN:
        return _SHOWN[type(item)]
    if isinstance(item, exp.Func):
        from rowdb.query.functions import name_of
        return name_of(item) if not isinstance(item, exp.Anonymous) else item.name.lower()
    if isinstance(item, exp.Case):
        return "case"
    return "?column?"


def _cast_name(item: exp.Cast) -> str:
    from rowdb.query.types import from_sqlglot
    sql_type = from_sqlglot(item.to)
    return {"int4": "int4", "int8": "int8", "int2": "int2", "text": "text",
            "numeric": "numeric", "float8": "float8", "float4": "float4", "bool": "bool",
            "varchar": "varchar", "bpchar": "bpchar", "date": "date"}.get(sql_type.name,
                                                                         sql_type.name)


# Calls sqlglot parses into nodes named otherwise: the column name PostgreSQL shows.
_SHOWN = {exp.LogicalAnd: "bool_and", exp.LogicalOr: "bool_or", exp.GroupConcat: "string_agg",
          exp.Interval: "interval", exp.ArrayAgg: "array_agg"}
