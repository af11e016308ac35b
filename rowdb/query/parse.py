"""SQL text to statements: sqlglot's PostgreSQL parser, cached by text, errors as 42601.

Where: first stage of `Session.execute` (parse -> plan -> execute). A parse costs ~150 us
here, forty times a point look-up, so parsed statements are kept in an LRU keyed by the
text; callers must treat the returned trees as read-only. Transaction control (BEGIN, START
TRANSACTION, COMMIT, END, ROLLBACK, ABORT) is recognised before sqlglot, which does not
parse all of its PostgreSQL spellings.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.tokens import TokenType

from rowdb.errors import SyntaxError as SqlSyntaxError, UndefinedFunctionError
from rowdb.storage.lru import ByteLRU

logging.getLogger("sqlglot").setLevel(logging.ERROR)
# sqlglot splits INTERVAL '2 days' into a number and a unit, and would read only the first
# field of INTERVAL '1 day 02:00:00'; a whole-string match keeps multi-field literals as
# they are, for PostgreSQL's interval input to read.
exp.INTERVAL_STRING_RE = re.compile(r"\A\s*(-?[0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]+)\s*\Z")



def _called(name: str, parse_call):
    """A FUNCTION_PARSERS entry that also records the name the call was written with."""
    def parse(parser):
        node = parse_call(parser)
        if isinstance(node, exp.Expression):
            node.meta["called"] = name
        return node
    return parse


def _verbatim(name: str, build):
    """A FUNCTIONS entry keeping a two-argument call as written: sqlglot would rewrite a
    to_char/to_date template into strftime codes, losing case and number patterns."""
    def parse(args, **options):
        if len(args) == 2:
            return exp.Anonymous(this=name, expressions=args)
        return build(args, **options)
    return parse


def _prefix_at(parser):
    """PostgreSQL's prefix `@ x` (absolute value). sqlglot tokenizes `@` and the `$` of
    `$1` alike (PARAMETER) and has no `@` operator; `$` goes back to the usual parse.
    After `@` its tokenizer reads a keyword (NULL, abs...) as a plain name: restored."""
    if parser._prev.text != "@":
        parser._retreat(parser._index - 1)
        return parser._parse_type()
    following = parser._curr
    if following is not None and following.token_type == TokenType.VAR:
        keyword = Postgres.Tokenizer.KEYWORDS.get(following.text.upper())
        if keyword is not None:
            following.token_type = keyword
    return _prefix(exp.Abs)(parser)


def _prefix(kind):
    """A UNARY_PARSERS entry for a prefix operator (@ ~ |/ ||/): PostgreSQL gives these
    generic operators a lower precedence than + and * (`@ -3 + 1` is 2), so the operand is
    a whole sum. The node is marked as an operator (named ?column?; |/ and ||/ take float8)."""
    def parse(parser):
        node = parser.expression(kind(this=parser._parse_term()))
        node.meta["operator"] = True
        return node
    return parse


class RowdbDialect(Postgres):
    """PostgreSQL as sqlglot reads it, keeping each function call's written name in
    `node.meta["called"]` (sqlglot folds substr, now, date_part... into its own node types;
    PostgreSQL names a result column after the function as written)."""

    ORIGINAL_NAME_META_KEY = "called"

    class Parser(Postgres.Parser):
        FUNCTION_PARSERS = {
            **Postgres.Parser.FUNCTION_PARSERS,
            **{name: _called(name.lower(), Postgres.Parser.FUNCTION_PARSERS[name])
               for name in ("POSITION", "DATE_PART")}}
        FUNCTIONS = {
            **Postgres.Parser.FUNCTIONS,
            **{name: _verbatim(name.lower(), Postgres.Parser.FUNCTIONS[name])
               for name in ("TO_CHAR", "TO_DATE", "TO_TIMESTAMP", "TO_NUMBER")},
            # sqlglot's DateBin reads the origin as a unit name (a Var): kept as a call
            "DATE_BIN": lambda args: exp.Anonymous(this="date_bin", expressions=args)}
        UNARY_PARSERS = {
            **Postgres.Parser.UNARY_PARSERS, TokenType.PARAMETER: _prefix_at,
            TokenType.TILDE: _prefix(exp.BitwiseNot), TokenType.RLIKE: _prefix(exp.BitwiseNot),
            TokenType.PIPE_SLASH: _prefix(exp.Sqrt),
            TokenType.DPIPE_SLASH: _prefix(exp.Cbrt)}


_TRANSACTION = re.compile(
    r"^\s*(begin|start\s+transaction|commit|end|rollback|abort)"
    r"(\s+(work|transaction))?(\s+isolation\s+level\s+[a-z ]+?|\s+read\s+(only|write))*"
    r"(\s+and\s+(no\s+)?chain)?\s*$",
    re.IGNORECASE)


_SAVEPOINT = re.compile(
    r"^\s*(savepoint|release(?:\s+savepoint)?|rollback(?:\s+(?:work|transaction))?\s+to"
    r"(?:\s+savepoint)?)\s+(\"[^\"]+\"|[a-z_][a-z0-9_$]*)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TransactionControl:
    """BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE / ROLLBACK TO, already recognised."""

    action: str  # "begin", "commit", "rollback", "savepoint", "release" or "rollback_to"
    name: str = ""
    chain: bool = False  # COMMIT / ROLLBACK AND CHAIN: a new transaction starts at once


@dataclass(frozen=True, slots=True)
class Statement:
    text: str
    tree: exp.Expression | TransactionControl
    placeholders: int  # number of %s / $n parameters
    offset: int = 0    # where the statement starts in the text given to parse()

    def locate(self, name: str) -> int | None:
        """1-based position (in the whole query text) of the first use of an identifier,
        for errors that name one (as PostgreSQL reports the position of the culprit)."""
        match = re.search(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])", self.text,
                          re.IGNORECASE)
        return None if match is None else self.offset + match.start() + 1

    def position_of(self, node) -> int | None:
        """1-based position (in the whole query text) where PostgreSQL points for an error
        in expression `node`: an operator's own symbol, else the expression's first token."""
        if isinstance(node, (exp.Binary, exp.In)) and not isinstance(node, (exp.And, exp.Or)):
            end = _token_bound(node.this, max, "end")
            if end is not None:
                at = end + 1  # past the left operand's last token and its closing parens
                while at < len(self.text) and (self.text[at].isspace() or
                                                self.text[at] in "()"):
                    at += 1
                return self.offset + at + 1
        start = _token_bound(node, min, "start")
        return None if start is None else self.offset + start + 1


def _token_bound(node, pick, field: str) -> int | None:
    """The smallest start (or largest end) of the tokens in `node`'s subtree."""
    found = [n._meta[field] for n in node.walk() if n._meta and field in n._meta]
    return pick(found) if found else None


_cache = ByteLRU(2048)


def parse(sql: str) -> list[Statement]:
    """The statements of `sql`, in order; SyntaxError (42601) with a position if invalid."""
    found = _cache.get(sql)
    if found is None:
        found = _cache[sql] = _parse(sql)
    return found


_placeholder_cache = ByteLRU(2048)


def number_placeholders(sql: str) -> tuple[str, list[str] | None]:
    """Rewrite DB-API placeholders (`%s`, `%(name)s`, `%%`) as `$1, $2, ...` in text order.

    Returns the new text and, for named placeholders, the name of each number. Numbered
    parameters make plans independent of the order in which clauses are compiled.
    """
    found = _placeholder_cache.get(sql)
    if found is not None:
        return found
    try:
        tokens = sqlglot.tokenize(sql, read="postgres")
    except TokenError as exc:
        raise SqlSyntaxError(f"syntax error: {exc}") from None
    out, last, names, count, i = [], 0, [], 0, 0
    named: dict[str, int] = {}
    while i < len(tokens):
        token = tokens[i]
        if token.token_type == TokenType.STRING and "%%" in token.text:
            out.append(sql[last:token.start] + sql[token.start:token.end + 1].replace("%%", "%"))
            last, i = token.end + 1, i + 1
            continue
        if token.token_type != TokenType.MOD:
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and nxt.start == token.end + 1:
            if nxt.token_type == TokenType.MOD:
                out.append(sql[last:token.start] + "%")
                last, i = nxt.end + 1, i + 2
                continue
            if nxt.token_type == TokenType.VAR and nxt.text == "s":
                count += 1
                out.append(sql[last:token.start] + f"${count} ")
                last, i = nxt.end + 1, i + 2
                continue
            group = tokens[i + 1:i + 5]
            if len(group) == 4 and [t.token_type for t in group] == [
                    TokenType.L_PAREN, TokenType.VAR, TokenType.R_PAREN, TokenType.VAR] \
                    and group[3].text == "s":
                name = group[1].text
                if name not in named:
                    names.append(name)
                    named[name] = len(names)
                out.append(sql[last:token.start] + f"${named[name]} ")
                last, i = group[3].end + 1, i + 5
                continue
        i += 1
    out.append(sql[last:])
    found = _placeholder_cache[sql] = ("".join(out), names or None)
    return found


_CALL = re.compile(r"^\s*call\s+", re.IGNORECASE)


def _rowdb_syntax(text: str) -> str:
    """rowdb's additions to PostgreSQL's grammar, rewritten into forms sqlglot reads:
    `CALL f(...)` runs as `SELECT f(...)`, and `t AS OF 'rev'` becomes
    `t FOR VERSION AS OF 'rev'` (Dolt's time-travel form)."""
    if _CALL.match(text):
        text = _CALL.sub("SELECT ", text, count=1)
    if " of" not in text.lower():
        return text
    tokens = sqlglot.tokenize(text, read="postgres")
    out, last = [], 0
    for i, token in enumerate(tokens[:-1]):
        nxt = tokens[i + 1]
        before = tokens[i - 1].text.upper() if i else ""
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if token.token_type == TokenType.ALIAS and nxt.text.upper() == "OF" and \
                before not in ("SYSTEM_TIME", "VERSION", "TIMESTAMP") and after is not None \
                and after.token_type in (TokenType.STRING, TokenType.PARAMETER,
                                         TokenType.PLACEHOLDER, TokenType.MOD):
            out.append(text[last:token.start] + "FOR VERSION AS OF")
            last = nxt.end + 1
    out.append(text[last:])
    return "".join(out)


def _parse(sql: str) -> list[Statement]:
    statements = []
    for start, text in _split(sql):
        savepoint = _SAVEPOINT.match(text)
        if savepoint:
            word = savepoint.group(1).lower().split()[0]
            action = {"savepoint": "savepoint", "release": "release"}.get(word, "rollback_to")
            name = savepoint.group(2)
            name = name[1:-1] if name.startswith('"') else name.lower()
            statements.append(Statement(text, TransactionControl(action, name), 0))
            continue
        control = _TRANSACTION.match(text)
        if control:
            word = control.group(1).lower()
            action = {"start": "begin", "end": "commit", "abort": "rollback"}.get(
                word.split()[0], word)
            read_only = action == "begin" and control.group(5) is not None and \
                control.group(5).lower() == "only"
            chain = action in ("commit", "rollback") and control.group(6) is not None and \
                control.group(7) is None
            statements.append(Statement(text, TransactionControl(
                action, "read only" if read_only else "", chain), 0))
            continue
        try:
            tree = sqlglot.parse_one(_rowdb_syntax(text), read=RowdbDialect)
        except ParseError as exc:
            raise _syntax_error(exc, sql, start, len(text)) from None
        except (TokenError, ValueError) as exc:
            raise SqlSyntaxError(f"syntax error: {exc}") from None
        if tree is None:
            continue
        tree = normalize_identifiers(tree, dialect="postgres")
        statements.append(Statement(text, tree, _count_placeholders(tree), start))
    return statements


def _split(sql: str) -> list[tuple[int, str]]:
    """(offset, text) of each statement; semicolons inside strings do not split."""
    try:
        tokens = sqlglot.tokenize(sql, read="postgres")
    except TokenError as exc:
        raise SqlSyntaxError(f"syntax error: {exc}") from None
    pieces, start = [], 0
    for index, token in enumerate(tokens):
        if token.token_type in _CHECKED:
            _check_grammar(sql, tokens, index)
        if token.token_type == TokenType.SEMICOLON:
            pieces.append((start, sql[start:token.start]))
            start = token.end + 1
    pieces.append((start, sql[start:]))
    return [(offset, text) for offset, text in pieces if text.strip()]


_NOT_AFTER_COMMA = {TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.COMMA, TokenType.FROM,
                    TokenType.SEMICOLON}


_CHECKED = {TokenType.COMMA, TokenType.IN, TokenType.FILTER, TokenType.STRING}


def _check_grammar(sql: str, tokens: list, index: int) -> None:
    """What PostgreSQL's grammar refuses and sqlglot takes: an item missing after a comma
    (`SELECT a, FROM t`), `IN ()`, `FILTER (x > 0)` without WHERE, and two string literals
    on one line (PostgreSQL joins them only across a newline)."""
    token = tokens[index]
    after = tokens[index + 1:index + 3]
    kind = token.token_type
    if kind == TokenType.COMMA:
        if not after:
            raise SqlSyntaxError("syntax error at end of input", position=len(sql) + 1)
        if after[0].token_type in _NOT_AFTER_COMMA:
            _near(sql, after[0])
    elif kind == TokenType.IN and len(after) == 2 and after[0].token_type == \
            TokenType.L_PAREN and after[1].token_type == TokenType.R_PAREN:
        _near(sql, after[1])
    elif kind == TokenType.FILTER and len(after) == 2 and after[0].token_type == \
            TokenType.L_PAREN and after[1].token_type != TokenType.WHERE:
        _near(sql, after[1])
    elif kind == TokenType.STRING and after and after[0].token_type == TokenType.STRING \
            and "\n" not in sql[token.end + 1:after[0].start]:
        _near(sql, after[0])


def _near(sql: str, token) -> None:
    raise SqlSyntaxError(f'syntax error at or near "{sql[token.start:token.end + 1]}"',
                         position=token.start + 1)


def _count_placeholders(tree: exp.Expression) -> int:
    count = 0
    for node in tree.find_all(exp.Placeholder, exp.Parameter):
        if isinstance(node, exp.Parameter):
            count = max(count, int(node.name or 0))
        else:
            count += 1
    return count


def _syntax_error(exc: ParseError, sql: str, offset: int, length: int) -> SqlSyntaxError:
    first = exc.errors[0] if exc.errors else {}
    near = first.get("highlight") or ""
    position = None
    line, col = first.get("line"), first.get("col")
    if line and col:
        lines = sql[offset:].split("\n")
        position = offset + sum(len(text) + 1 for text in lines[:line - 1]) + col
        position = max(1, position - len(near) + 1)
    if position is not None and position - offset + len(near) - 1 >= \
            len(sql[offset:offset + length].rstrip()) and \
            re.match(r"Required keyword|Expect", first.get("description") or ""):
        near = ""  # the statement stops short: PostgreSQL points just past its end
        position = offset + length + 1
    description = first.get("description") or ""
    if description.startswith("The number of provided arguments"):
        # sqlglot knows the function and counts its arguments; PostgreSQL finds no function
        calls = list(re.finditer(r"([A-Za-z_][\w$]*)\s*\(", sql[offset:position or len(sql)]))
        name = calls[-1].group(1).lower() if calls else "?"
        return UndefinedFunctionError(
            f"function {name} with these arguments does not exist",
            hint="No function matches the given name and argument types. You might need to "
                 "add explicit type casts.",
            position=offset + calls[-1].start() + 1 if calls else position)
    message = f'syntax error at or near "{near}"' if near else "syntax error at end of input"
    return SqlSyntaxError(message, position=position, detail=first.get("description"))
