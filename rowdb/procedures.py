"""Version-control SQL functions: rowdb_commit, rowdb_add, rowdb_branch, rowdb_checkout,
rowdb_tag, rowdb_reset, rowdb_hashof, active_branch.

Where: session layer. Callable as `SELECT f(...)` and `CALL f(...)` with git-style string
arguments; the expression compiler calls them with the execution context, which gives the
session. A function that reads or moves refs first makes the session's SQL work durable in
the branch's working set (as a COMMIT would), then rebases the transaction on the result.
"""

from __future__ import annotations

import re

from rowdb.errors import InvalidParameterValueError
from rowdb.query.namespace import register_procedures
from rowdb.query.types import TIMESTAMPTZ, parse_text
from rowdb.vc import mergeops, repo
from rowdb.vc.refs import resolve_commit

PROCEDURES = {}


def procedure(name: str):
    def register(fn):
        PROCEDURES[name] = fn
        return fn
    return register


def _split_flags(args) -> tuple[set[str], dict[str, str], list[str]]:
    """git-style arguments: flags (combinable: '-am'), options with values, positionals."""
    takes_value = {"-m", "-b", "--message", "--author", "--date"}
    flags, options, positional = set(), {}, []
    values = [str(a) for a in args if a is not None]
    i = 0
    while i < len(values):
        item = values[i]
        if item.startswith("-") and len(item) > 1:
            parts = [item] if item.startswith("--") else ["-" + c for c in item[1:]]
            for j, option in enumerate(parts):
                if option not in takes_value:
                    flags.add(option)
                    continue
                rest = "".join(p[1:] for p in parts[j + 1:])
                if rest:
                    options[option] = rest
                elif i + 1 < len(values):
                    i += 1
                    options[option] = values[i]
                else:
                    raise InvalidParameterValueError(f"option {option} needs a value")
                break
        else:
            positional.append(item)
        i += 1
    return flags, options, positional


def _author(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    match = re.fullmatch(r"\s*(.*?)\s*<([^>]*)>\s*", text)
    if not match:
        raise InvalidParameterValueError(f'author "{text}" is not of the form "Name <email>"')
    return match.group(1), match.group(2)


@procedure("rowdb_commit")
def rowdb_commit(context, *args) -> str:
    flags, options, _ = _split_flags(args)
    session = context.session
    session.flush_working(context)
    name, email = _author(options.get("--author"))
    date = None
    if "--date" in options:
        date = parse_text(options["--date"], TIMESTAMPTZ)
    digest = repo.commit(session.store, session.branch,
                         options.get("-m") or options.get("--message") or "",
                         author=name, email=email, date=date,
                         allow_empty="--allow-empty" in flags,
                         stage_all=bool({"-a", "-A", "--all"} & flags))
    return digest.hex()


@procedure("rowdb_add")
def rowdb_add(context, *args) -> str:
    flags, _, positional = _split_flags(args)
    session = context.session
    session.flush_working(context)
    everything = bool({"-A", "--all"} & flags) or "." in positional or not positional
    repo.add(session.store, session.branch, None if everything else positional)
    return "ok"


@procedure("rowdb_branch")
def rowdb_branch(context, *args) -> str:
    flags, options, positional = _split_flags(args)
    session = context.session
    store, current = session.store, session.branch
    force = bool({"-f", "--force", "-D"} & flags)
    if {"-d", "-D", "--delete"} & flags:
        for name in positional:
            repo.delete_branch(store, name, current)
        return "ok"
    if {"-m", "--move"} & flags or "-m" in options:
        names = ([options["-m"]] if "-m" in options else []) + positional
        if len(names) == 1:
            names = [current] + names
        old, new = names[0], names[1]
        repo.rename_branch(store, old, new, None)
        if old == current:
            session.switch_branch(new)
        return "ok"
    if {"-c", "--copy"} & flags or "-c" in options:
        names = ([options["-c"]] if "-c" in options else []) + positional
        if len(names) == 1:
            names = [current] + names
        repo.copy_branch(store, names[0], names[1], force)
        return "ok"
    if not positional:
        raise InvalidParameterValueError("rowdb_branch needs a branch name")
    session.flush_working(context)
    start = positional[1] if len(positional) > 1 else "HEAD"
    repo.create_branch(store, positional[0], start, current, force)
    return "ok"


@procedure("rowdb_checkout")
def rowdb_checkout(context, *args) -> str:
    flags, options, positional = _split_flags(args)
    session = context.session
    session.flush_working(context)
    if "-b" in options:
        start = positional[0] if positional else "HEAD"
        repo.create_branch(session.store, options["-b"], start, session.branch)
        session.switch_branch(options["-b"])
        return "ok"
    if not positional:
        raise InvalidParameterValueError("rowdb_checkout needs a branch name")
    session.switch_branch(positional[0])  # UnknownRefError (42704) when there is none
    return "ok"


@procedure("rowdb_tag")
def rowdb_tag(context, *args) -> str:
    flags, _, positional = _split_flags(args)
    session = context.session
    if {"-d", "--delete"} & flags:
        for name in positional:
            repo.delete_tag(session.store, name)
        return "ok"
    if not positional:
        raise InvalidParameterValueError("rowdb_tag needs a tag name")
    revision = positional[1] if len(positional) > 1 else "HEAD"
    return repo.create_tag(session.store, positional[0], revision, session.branch).hex()


@procedure("rowdb_reset")
def rowdb_reset(context, *args) -> str:
    flags, _, positional = _split_flags(args)
    session = context.session
    session.flush_working(context)
    mode = "hard" if "--hard" in flags else "soft" if "--soft" in flags else "mixed"
    store, branch = session.store, session.branch
    _, _, staged, working = repo.roots(store, branch)
    tables = [p for p in positional if p in staged.tables or p in working.tables]
    if mode == "mixed" and tables and len(tables) == len(positional):
        repo.unstage(store, branch, tables)
    else:
        repo.reset(store, branch, mode, positional[0] if positional else None)
    session.reload(context)
    return "ok"


@procedure("rowdb_merge")
def rowdb_merge(context, *args) -> str:
    flags, options, positional = _split_flags(args)
    session = context.session
    session.flush_working(context)
    if "--abort" in flags:
        mergeops.abort(session.store, session.branch)
        session.reload(context)
        return "aborted"
    if not positional:
        raise InvalidParameterValueError("rowdb_merge needs a branch or revision")
    name, email = _author(options.get("--author"))
    outcome = mergeops.merge(session.store, session.branch, positional[0],
                             no_ff="--no-ff" in flags, squash="--squash" in flags,
                             message=options.get("-m"), author=name, email=email)
    session.reload(context)
    if outcome.commit is not None and outcome.message != "Already up to date":
        return outcome.commit.hex()
    return outcome.message


@procedure("rowdb_conflicts_resolve")
def rowdb_conflicts_resolve(context, *args) -> str:
    flags, _, positional = _split_flags(args)
    session = context.session
    session.flush_working(context)
    side = "theirs" if "--theirs" in flags else "ours" if "--ours" in flags else None
    if side is None or not positional:
        raise InvalidParameterValueError(
            "rowdb_conflicts_resolve needs --ours or --theirs and table names")
    tables = list(mergeops.conflicts(session.store, session.branch)) \
        if positional == ["."] else positional
    mergeops.resolve(session.store, session.branch, side, tables)
    session.reload(context)
    return "ok"


@procedure("rowdb_revert")
def rowdb_revert(context, *args) -> str:
    _, _, positional = _split_flags(args)
    session = context.session
    session.flush_working(context)
    digest = b""
    for revision in positional:
        digest = mergeops.replay(session.store, session.branch, revision, invert=True)
    session.reload(context)
    return digest.hex()


@procedure("rowdb_cherry_pick")
def rowdb_cherry_pick(context, *args) -> str:
    _, _, positional = _split_flags(args)
    session = context.session
    session.flush_working(context)
    if not positional:
        raise InvalidParameterValueError("rowdb_cherry_pick needs a revision")
    digest = mergeops.replay(session.store, session.branch, positional[0], invert=False)
    session.reload(context)
    return digest.hex()


@procedure("rowdb_hashof")
def rowdb_hashof(context, revision) -> str:
    session = context.session
    return resolve_commit(session.store, str(revision), session.branch).hex()


@procedure("active_branch")
def active_branch(context) -> str:
    return context.session.branch


register_procedures(PROCEDURES)
