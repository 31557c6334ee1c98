"""What a helper module does when it is imported, judged for the `stats-untouched` rule of
invariants.py: code that patches something it did not define (an attribute of an imported
module or class, anything reached through `sys.modules` or `builtins`, `setattr` on it) changes
what the evaluation measures without a line of the task regions saying so.
"""
from __future__ import annotations

import ast

REACH = {"modules", "builtins", "__builtins__", "get_referrers", "_getframe", "currentframe"}


def imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.ImportFrom):
            names.update(a.asname or a.name for a in n.names)
    return names


def root(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def patches(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for each patch of something imported, and each reach into the interpreter's modules."""
    imported = imported_names(tree)
    found: list[tuple[int, str]] = []
    for n in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
        elif isinstance(n, ast.Delete):
            targets = n.targets
        for t in targets:
            if isinstance(t, (ast.Attribute, ast.Subscript)) and root(t) in imported:
                found.append((n.lineno, f"`{ast.unparse(t)}` patches `{root(t)}`, which the module imported"))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("setattr", "delattr") and n.args:
            found.append((n.lineno, f"`{ast.unparse(n)}` patches an object at run time"))
        if isinstance(n, ast.Attribute) and n.attr in REACH and root(n) in ("sys", "gc", "inspect", "builtins"):
            found.append((n.lineno, f"`{ast.unparse(n)}` reaches into the interpreter's modules or frames"))
        if isinstance(n, (ast.Import, ast.ImportFrom)) and any(a.name == "builtins" for a in n.names):
            found.append((n.lineno, "imports builtins, to patch what every module sees"))
    return sorted(set(found))
