#!/usr/bin/env python3
"""Finds placeholder code left in a Python file.

    placeholders.py FILE [--task N]

Placeholders: TODO/FIXME/XXX comments; functions whose body (after the docstring and imports)
is only `pass`, `...` or `raise NotImplementedError`; `# ==== TASK N BEGIN/END ====` regions with
no statement other than those. With --task N only TASK N's region is judged.

Exit 1 with `FILE:LINE: what` lines when placeholders remain, 0 with a one-line summary when
none do, 2 when the file cannot be read or the region does not exist.
"""
from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tokenize

from check_common import MARK, read_text

TODO = re.compile(r"\b(TODO|FIXME|XXX)\b")


def task_regions(lines: list[str]) -> dict[int, tuple[int, int]]:
    """task -> (BEGIN line, END line), 1-based."""
    begins: dict[int, int] = {}
    out: dict[int, tuple[int, int]] = {}
    for no, line in enumerate(lines, 1):
        m = MARK.match(line)
        if m and m.group(2) == "BEGIN":
            begins[int(m.group(1))] = no
        elif m and int(m.group(1)) in begins:
            out[int(m.group(1))] = (begins[int(m.group(1))], no)
    return out


def is_placeholder_stmt(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis:
        return True
    if isinstance(node, ast.Raise) and node.exc is not None:
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(target, ast.Name) and target.id == "NotImplementedError"
    return False


def effective_body(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that do something: no docstring, no imports."""
    out = list(body)
    if out and isinstance(out[0], ast.Expr) and isinstance(out[0].value, ast.Constant) \
            and isinstance(out[0].value.value, str):
        out = out[1:]
    return [s for s in out if not isinstance(s, (ast.Import, ast.ImportFrom))]


def describe(node: ast.stmt) -> str:
    return {ast.Pass: "`pass`", ast.Raise: "`raise NotImplementedError`"}.get(type(node), "`...`")


def find(source: str, tree: ast.AST, regions: dict[int, tuple[int, int]]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and TODO.search(tok.string):
            problems.append((tok.start[0], f"{TODO.search(tok.string).group(1)} marker: {tok.string.strip()}"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = effective_body(node.body)
            if all(is_placeholder_stmt(s) for s in body):
                line = body[0].lineno if body else node.lineno
                what = " and ".join(sorted({describe(s) for s in body})) or "only a docstring and imports"
                problems.append((line, f"function {node.name}() body is a placeholder ({what})"))
    stmts = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
    for task, (begin, end) in sorted(regions.items()):
        inside = [s for s in stmts if begin < s.lineno < end]
        top = [s for s in inside if not any(o is not s and o.lineno <= s.lineno and o.end_lineno >= s.end_lineno
                                               and begin < o.lineno for o in inside)]
        if all(is_placeholder_stmt(s) for s in top):
            what = ", ".join(describe(s) for s in top) or "nothing"
            problems.append((begin, f"TASK {task} region is not implemented (contains {what})"))
        else:
            problems += [(line, f"TASK {task} region: {what}") for line, what in stubs_within(inside)]
    return sorted(set(problems))


def stubs_within(stmts: list[ast.stmt]) -> list[tuple[int, str]]:
    """Placeholders left among real code of a region: `raise NotImplementedError` or a `...`
    statement anywhere, and a block (branch, loop, with, try) whose whole body is `pass`. A bare
    `except ...: pass` is left alone: it swallows an error, it does not stand for missing code."""
    out: list[tuple[int, str]] = []
    for s in stmts:
        if is_placeholder_stmt(s) and not isinstance(s, ast.Pass):
            out.append((s.lineno, f"{describe(s)} left among the code"))
        for field in ("body", "orelse", "finalbody"):
            body = getattr(s, field, None)
            if isinstance(body, list) and body and all(isinstance(b, ast.Pass) for b in body):
                out.append((body[0].lineno, f"`pass` as the whole body of a `{type(s).__name__.lower()}` block"))
    return out



def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="placeholders.py", description="Find placeholder code left in FILE.")
    parser.add_argument("file")
    parser.add_argument("--task", type=int, help="judge only the TASK N region")
    args = parser.parse_args(argv)
    source = read_text("placeholders.py", args.file)
    if source is None:
        return 2
    try:
        tree = ast.parse(source, filename=args.file)
    except SyntaxError as e:
        print(f"{args.file}:{e.lineno}:{e.offset}: SyntaxError: {e.msg}")
        return 1
    regions = task_regions(source.splitlines())
    if args.task is not None and args.task not in regions:
        print(f"placeholders.py: {args.file} has no '# ==== TASK {args.task} BEGIN/END ====' region", file=sys.stderr)
        return 2
    problems = find(source, tree, regions)
    if args.task is not None:
        begin, end = regions[args.task]
        problems = [(line, what) for line, what in problems if begin <= line <= end]
    for line, what in problems:
        print(f"{args.file}:{line}: {what}")
    if problems:
        return 1
    if args.task is not None:
        begin, end = regions[args.task]
        print(f"{args.file}: TASK {args.task} implemented (lines {begin}-{end}), no placeholders")
    else:
        print(f"{args.file}: no placeholders ({len(regions)} task regions implemented)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
