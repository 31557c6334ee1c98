#!/usr/bin/env python3
"""Checks that a file changed only inside its `# ==== TASK N BEGIN/END ====` regions.

    harness.py FILE [--base REV] [--ref NAME]

The file is compared with its version at REV (default: where the clone started: the branch or tag
NAME as cloned, `origin/NAME`; with no NAME, `git merge-base HEAD origin/HEAD`; else the
repository's first commit) with the body of every
task region set aside, so the harness around the regions (the logging, the results file, the
checks of what the tasks return) stays as it was written. Exit 0 with one summary line when it
is unchanged; exit 1 with `FILE:LINE: what` for the first difference; exit 2 when FILE or REV
cannot be read.
"""
from __future__ import annotations

import argparse
import difflib
import subprocess
import sys

from check_common import MARK, read_text


def outside(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, text) of every line outside the regions; a region is kept as its markers."""
    out: list[tuple[int, str]] = []
    inside = False
    for no, line in enumerate(lines, 1):
        m = MARK.match(line)
        if m:
            inside = m.group(2) == "BEGIN"
            out.append((no, line.strip()))
        elif not inside:
            out.append((no, line.rstrip()))
    return out


def git(*args: str) -> str | None:
    r = subprocess.run(["git", *args], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def base_rev(ref: str) -> str | None:
    for name in ([f"origin/{ref}", ref] if ref else []):
        found = git("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}")
        if found:
            return found.strip()
    merged = git("merge-base", "HEAD", "origin/HEAD")
    if merged:
        return merged.strip()
    roots = git("rev-list", "--max-parents=0", "HEAD")
    return roots.split()[0] if roots else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="harness.py", description="Check FILE changed only inside its task regions.")
    parser.add_argument("file")
    parser.add_argument("--base", help="the revision to compare with")
    parser.add_argument("--ref", default="", help="the branch or tag the repository was cloned at (empty: its default branch)")
    args = parser.parse_args(argv)
    text = read_text("harness.py", args.file)
    if text is None:
        return 2
    now = text.splitlines()
    rev = args.base or base_rev(args.ref)
    prefix = (git("rev-parse", "--show-prefix") or "").strip()
    then = git("show", f"{rev}:{prefix}{args.file}") if rev else None
    if then is None:
        print(f"harness.py: cannot read {args.file} at {rev or 'the base revision'}", file=sys.stderr)
        return 2
    a, b = outside(then.splitlines()), outside(now)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, [t for _, t in a], [t for _, t in b], autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        line = b[j1][0] if j1 < len(b) else (b[-1][0] if b else 1)
        removed = [t for _, t in a[i1:i2] if t.strip()]
        added = [t for _, t in b[j1:j2] if t.strip()]
        what = f"removed `{removed[0].strip()}`" if removed else f"added `{added[0].strip()}`" if added else "blank lines changed"
        more = len(removed) + len(added) - 1
        print(f"{args.file}:{line}: changed outside the task regions: {what}" + (f" (+{more} more lines)" if more > 0 else ""))
        return 1
    print(f"{args.file}: unchanged outside the task regions (compared with {rev[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
