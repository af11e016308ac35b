"""House rules the code keeps (see ../shared/STYLE.md): module docstrings, line and module
sizes, LMDB only in kv.py, imports flowing storage <- vc <- query <- session <- server/shell.
The exception lists only shrink."""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "rowdb"
LAYERS = ["storage", "vc", "query", "session", "server", "shell"]  # lower may not import higher
MODULE_LINES_MAX = 600
LINE_COLUMNS_MAX = 100
LONG_MODULES: set[str] = set()


def modules():
    return sorted(PACKAGE.rglob("*.py"))


def imported(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_every_module_says_where_it_is():
    for path in modules():
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), f"{path} has no module docstring"


def test_lines_and_modules_are_small():
    for path in modules():
        lines = path.read_text().splitlines()
        rel = str(path.relative_to(PACKAGE))
        if rel not in LONG_MODULES:
            assert len(lines) <= MODULE_LINES_MAX, f"{rel} has {len(lines)} lines"
        for number, line in enumerate(lines, 1):
            assert len(line) <= LINE_COLUMNS_MAX, f"{rel}:{number} is {len(line)} columns"


def test_only_kv_imports_lmdb():
    for path in modules():
        if "lmdb" in imported(path):
            assert path.relative_to(PACKAGE).as_posix() == "storage/kv.py", path


def test_imports_flow_one_way():
    for path in modules():
        rel = path.relative_to(PACKAGE).parts
        if rel[0] not in LAYERS:
            continue
        own = LAYERS.index(rel[0])
        for name in imported(path):
            parts = name.split(".")
            if parts[0] == "rowdb" and len(parts) > 1 and parts[1] in LAYERS:
                assert LAYERS.index(parts[1]) <= own, f"{path} imports {name}"
