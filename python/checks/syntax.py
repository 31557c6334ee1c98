#!/usr/bin/env python3
"""Checks that a Python file compiles.

    syntax.py FILE

Exit 0 with `FILE: compiles` when it does; exit 1 with `FILE:LINE:COL: SyntaxError: msg` when
not; exit 2 when the file cannot be read.
"""
import sys


def main(argv):
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: syntax.py FILE", file=sys.stderr)
        return 2
    path = argv[0]
    try:
        with open(path, "rb") as fh:
            source = fh.read()
    except OSError as e:
        print(f"syntax.py: cannot read {path}: {e.strerror}", file=sys.stderr)
        return 2
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as e:    # IndentationError and TabError too; one label keeps the format parseable
        print(f"{path}:{e.lineno or 1}:{e.offset or 1}: SyntaxError: {e.msg}")
        return 1
    except ValueError as e:     # e.g. source with NUL bytes
        print(f"{path}:1:1: SyntaxError: {e}")
        return 1
    print(f"{path}: compiles")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
