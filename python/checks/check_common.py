"""What the check scripts share: the task-region marker and reading the FILE they judge."""
from __future__ import annotations

import re
import sys

MARK = re.compile(r"^\s*# ==== TASK (\d+) (BEGIN|END) ====\s*$")


def read_text(prog: str, path: str) -> str | None:
    """The text of `path`; None when it cannot be read, the reason printed to stderr as
    `PROG: cannot read PATH: why` (the caller exits 2)."""
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except OSError as e:
        print(f"{prog}: cannot read {path}: {e.strerror}", file=sys.stderr)
        return None
