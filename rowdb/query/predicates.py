"""Predicates to Python: IS, IS DISTINCT FROM, BETWEEN, IN, LIKE, ~, SIMILAR TO, quantifiers.

Where: query layer; a mixin of compile.ExprCompiler (which dispatches these node types to
it), written in the same way: each predicate becomes one Python expression string with
SQL's three-valued logic (None is NULL).
"""

from __future__ import annotations

from sqlglot import exp

from rowdb.errors import (NotSupportedError, SyntaxError as SqlSyntaxError,
                          UndefinedFunctionError, UndefinedObjectError)
from rowdb.query import regex, regexfuncs, runtime
from rowdb.query.code import Code
from rowdb.query.rowvalues import row_items
from rowdb.query.types import BOOL, TEXT


class PredicateCompiler:
    """ExprCompiler methods for predicates (mixed into compile.ExprCompiler)."""

    def _float_compare(self, op: str, left: Code, right: Code) -> Code:
        """A float or numeric comparison where NaN equals NaN and sorts above everything.
        Against a constant that is not NaN, Python's own operators agree except for > and
        >= with NaN on the left (and < and <= with it on the right)."""
        def number(code):
            return code.const and code.value is not None and code.value == code.value
        if number(right) and op in ("==", "!=", "<", "<="):
            return self._guard([left, right], lambda a, b: f"({a} {op} {b})", BOOL)
        if number(left) and op in ("==", "!=", ">", ">="):
            return self._guard([left, right], lambda a, b: f"({a} {op} {b})", BOOL)
        helper = _FLOAT_COMPARE[op]
        return self._guard([left, right], lambda a, b: f"{helper}({a}, {b})", BOOL)

    def _collate(self, node: exp.Collate) -> Code:
        """x COLLATE "C": strings compare by code point here, which is what the C, POSIX,
        default and ucs_basic collations do (the test clusters run in the C locale)."""
        name = node.expression.name
        if name not in _COLLATIONS:
            raise UndefinedObjectError(f'collation "{name}" for encoding "UTF8" does not exist')
        return self.compile(node.this)

    def _quantified(self, node, op: str) -> Code:
        """x op ALL (subquery) / x op ANY (subquery or array)."""
        quantifier = node.expression
        inner = quantifier.this
        if isinstance(inner, exp.Paren):
            inner = inner.this
        value = self.compile(node.this)
        kind = "all" if isinstance(quantifier, exp.All) else "any"
        if isinstance(inner, (exp.Select, exp.Union, exp.Subquery)):
            plan = self.planner.subquery(inner.this if isinstance(inner, exp.Subquery)
                                         else inner, self.subquery_scope)
            _one_column(plan)
            value, _ = self._comparable(value, Code("None", plan.types[0]))
            ref = self.ns.const(plan)
            items = f"[row[0] for row in {ref}.rows((r,) + o)]"
        elif isinstance(inner, exp.Array) or _array_literal(inner):
            elements = inner.expressions if isinstance(inner, exp.Array) else [
                exp.Null() if e is None else exp.Literal.string(e)
                for e in runtime.parse_array_text(inner.this)]  # '{1,2}' as an array
            codes = [self._comparable(value, self.compile(e))[1] for e in elements]
            items = f"[{', '.join(c.text for c in codes)}]"
        else:  # a parameter or expression giving a list (a Python list or tuple)
            array = self.compile(inner)
            items = f"_as_list({array.text})"
        return Code(f"_quantified({value.text}, {items}, {op!r}, {kind!r})", BOOL, True)

    def _is(self, node: exp.Is) -> Code:
        target = node.expression
        items = row_items(node.this)
        if items is not None and isinstance(target, exp.Null):
            return self._row_is_null(node, items)
        inner = self.compile(node.this)
        word = "is not" if node.args.get("negate") else "is"
        if isinstance(target, exp.Null):
            if inner.const:  # folded: Python warns on `1 is None`
                value = (inner.value is None) != bool(node.args.get("negate"))
                return Code(repr(value), BOOL, False, True, value)
            return Code(f"({inner.text} {word} None)", BOOL, False)
        if isinstance(target, exp.Boolean):
            inner = self.coerce(inner, BOOL)
            return Code(f"({inner.text} {word} {bool(target.this)})", BOOL, False)
        raise NotSupportedError(f"unsupported IS: {node.sql('postgres')}")

    def _distinct_from(self, node) -> Code:
        rows = self._row_compare(node)
        if rows is not None:
            return rows
        left, right = self._comparable(self.compile(node.this), self.compile(node.expression))
        text = f"_distinct({left.text}, {right.text})"
        if isinstance(node, exp.NullSafeEQ):
            text = f"(not {text})"
        return Code(text, BOOL, False)

    def _between(self, node: exp.Between) -> Code:
        if node.args.get("symmetric"):
            low, high = node.args["low"], node.args["high"]
            forward = exp.Between(this=node.this, low=low, high=high)
            backward = exp.Between(this=node.this.copy(), low=high.copy(), high=low.copy())
            return self.compile(exp.Or(this=forward, expression=backward))
        value = self.compile(node.this)
        low = self._comparable(value, self.compile(node.args["low"]))
        high = self._comparable(value, self.compile(node.args["high"]))
        name = self.ns.temp()
        value_text = f"({name} := {low[0].text})"
        # Guarded as nullable, the assignment is the first thing `ge` evaluates, even when
        # a NULL bound makes the comparison itself unreached.
        ge = self._guard([Code(value_text, value.type, True), low[1]],
                         lambda a, b: f"({a} >= {b})", BOOL)
        le = self._guard([Code(name, value.type, value.nullable), high[1]],
                         lambda a, b: f"({a} <= {b})", BOOL)
        if not ge.nullable and not le.nullable:
            return Code(f"({ge.text} and {le.text})", BOOL, False)
        first = self.ns.temp()
        return Code(f"(False if ({first} := {ge.text}) is False else _and3({first}, "
                    f"{le.text}))", BOOL, True)

    def _in(self, node: exp.In) -> Code:
        items = row_items(node.this)
        if items is not None:
            return self._row_in(node, items)
        value = self.compile(node.this)
        query = node.args.get("query")
        if query is not None:
            plan = self.planner.subquery(query.this if isinstance(query, exp.Subquery)
                                         else query, self.subquery_scope)
            _one_column(plan)
            value, _ = self._comparable(value, Code("None", plan.types[0]))
            ref = self.ns.const(plan)
            return Code(f"_in_subquery({value.text}, {ref}, (r,) + o)", BOOL, True)
        items = [self.compile(item) for item in node.expressions]
        items = [self._comparable(value, item)[1] for item in items]
        if items:
            value = self._comparable(value, items[0])[0]
        if all(item.const for item in items):
            values = [item.value for item in items]
            has_null = any(v is None for v in values)
            ref = self.ns.const(frozenset(v for v in values if v is not None))
            return Code(f"_in_set({value.text}, {ref}, {has_null})", BOOL, True)
        listed = ", ".join(item.text for item in items)
        return Code(f"_in_list({value.text}, ({listed},))", BOOL, True)

    def _like(self, node) -> Code:
        ignore_case = isinstance(node, exp.ILike)
        escape = "\\"
        target = node
        value, pattern = self.compile(target.this), self.compile(target.expression)
        if {value.type.category, pattern.type.category} - {"S", "X"}:
            symbol = "~~*" if ignore_case else "~~"
            raise UndefinedFunctionError(
                f"operator does not exist: {value.type} {symbol} "
                f"{pattern.type}",
                hint="No operator matches the given name and argument types. You might need "
                     "to add explicit type casts.")
        # character(n) matches with its padding (bpcharlike); the pattern is text
        value = Code(value.text, TEXT, value.nullable, value.const, value.value) \
            if value.type.name == "bpchar" else self.coerce(value, TEXT)
        pattern = self.coerce(pattern, TEXT)
        test = "is None" if node.args.get("negate") else "is not None"
        if pattern.const and pattern.value is not None:
            compiled = runtime.like_pattern(pattern.value, escape, ignore_case)
            ref = self.ns.const(compiled)
            return self._guard([value], lambda a: f"({ref}.match({a}) {test})", BOOL)
        code = Code(f"_like({value.text}, {pattern.text}, {ignore_case})", BOOL, True)
        if node.args.get("negate"):
            return self._guard([code], lambda a: f"(not {a})", BOOL)
        return code

    def _regex_operator(self, node) -> Code:
        """s ~ pattern and s ~* pattern (sqlglot's RegexpLike / RegexpILike; a call written
        regexp_like(...) is the function)."""
        if node.meta.get("called") if node._meta else None:
            return self._function(node)
        ignore_case = isinstance(node, exp.RegexpILike)
        value, pattern = self._string_operands(node, "~*" if ignore_case else "~")
        if pattern.const and pattern.value is not None:
            try:
                compiled = regex.compile_are(pattern.value, "i" if ignore_case else "")
            except regex.InvalidRegularExpressionError:
                pass  # reported when a row is tested, as PostgreSQL does
            else:
                ref = self.ns.const(compiled)
                return self._guard([value], lambda a: f"({ref}.search({a}) is not None)", BOOL)
        ref = self.ns.const(regexfuncs.regex_match)
        return self._guard([value, pattern], lambda a, b: f"{ref}({a}, {b}, {ignore_case})",
                           BOOL)

    def _similar(self, node, escape=None) -> Code:
        """s SIMILAR TO pattern [ESCAPE e] (NOT SIMILAR TO arrives wrapped in Not)."""
        value, pattern = self._string_operands(node, "~")
        escape = self.coerce(self.compile(escape), TEXT) if escape is not None else \
            Code("'\\\\'", TEXT, False)
        ref = self.ns.const(regexfuncs.similar_match)
        return Code(f"{ref}({value.text}, {pattern.text}, {escape.text})", BOOL, True)

    def _string_operands(self, node, symbol: str) -> tuple[Code, Code]:
        value, pattern = self.compile(node.this), self.compile(node.expression)
        if {value.type.category, pattern.type.category} - {"S", "X"}:
            raise UndefinedFunctionError(
                f"operator does not exist: {value.type} {symbol} {pattern.type}",
                hint="No operator matches the given name and argument types. You might need "
                     "to add explicit type casts.")
        return self.coerce(value, TEXT), self.coerce(pattern, TEXT)

    def _escape(self, node: exp.Escape) -> Code:
        if isinstance(node.this, exp.SimilarTo):
            return self._similar(node.this, node.expression)
        like = node.this
        escape = node.expression
        value = self.coerce(self.compile(like.this), TEXT)
        pattern = self.coerce(self.compile(like.expression), TEXT)
        esc = self.coerce(self.compile(escape), TEXT)
        return Code(f"_like({value.text}, {pattern.text}, "
                    f"{isinstance(like, exp.ILike)}, {esc.text} or None)", BOOL, True)


def _one_column(plan) -> None:
    """x IN (SELECT ...) and x op ANY/ALL (SELECT ...) compare with one column."""
    if len(plan.types) != 1:
        raise SqlSyntaxError(
            f"subquery has too {'many' if plan.types else 'few'} columns")


_FLOAT_COMPARE = {"==": "_feq", "!=": "_fne", "<": "_flt", "<=": "_fle", ">": "_fgt",
                  ">=": "_fge"}
_COLLATIONS = {"C", "POSIX", "default", "ucs_basic"}


def _array_literal(node) -> bool:
    """An untyped string literal where an array goes: PostgreSQL reads it as one."""
    return isinstance(node, exp.Literal) and node.is_string
