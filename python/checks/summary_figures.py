#!/usr/bin/env python3
"""Checks that a results summary states the figures labpilot measured, and no other.

    summary_figures.py FILE [--rate NAME=VALUE]... [--ms NAME=VALUE]...

--rate: a success rate measured by a stage (0..1), e.g. `RSD=0.9`; --ms: a mean inference time
in ms per step, e.g. `RSD=54.3`. A value that is not a number (a stage that measured nothing) is
skipped. The summary passes when
- every measured rate is stated as a percentage on a line that speaks of a success rate, and
  every percentage on such a line is one of the measured rates (within the rounding it is printed
  with); a per-task figure written `50% (1/2)` only has to agree with its own fraction;
- every measured inference time is stated (within 0.1 ms);
- a speedup (`1.62x` on a line that names the speedup) is the ratio of the slowest to the
  fastest measured time (within 2%).
Exit 1 with one line per disagreement, 0 with a one-line summary, 2 when FILE cannot be read.
"""
from __future__ import annotations

import argparse
import re
import sys

from check_common import read_text

PERCENT = re.compile(r"(\d+(?:\.(\d+))?)\s*%(?:\s*\((\d+)\s*/\s*(\d+)\))?")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
SPEEDUP = re.compile(r"(\d+(?:\.\d+)?)\s*[x×]")


def figures(pairs: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        try:
            out[name] = float(value)
        except ValueError:
            continue  # not measured
    return out


def close(printed: str, decimals: str | None, value: float) -> bool:
    """`printed` could be `value` rounded to the precision it was printed with."""
    return abs(float(printed) - value) <= 0.5 * 10 ** -len(decimals or "") + 1e-9


def check(text: str, rates: dict[str, float], times: dict[str, float]) -> list[str]:
    problems: list[str] = []
    stated: set[str] = set()
    for no, line in enumerate(text.splitlines(), 1):
        if re.search(r"success[\s_-]*rate", line, re.I):
            for m in PERCENT.finditer(line):
                pct, decimals, k, n = m.group(1), m.group(2), m.group(3), m.group(4)
                if k is not None and int(n) > 0 and not close(pct, decimals, 100 * int(k) / int(n)):
                    problems.append(f"line {no}: {m.group(0)} does not agree with its own fraction")
                hits = [name for name, r in rates.items() if close(pct, decimals, 100 * r)]
                stated.update(hits)
                if not hits:
                    measured = ", ".join(f"{name} {100 * r:.1f}%" for name, r in rates.items())
                    problems.append(f"line {no}: success rate {pct}% was not measured (measured: {measured})")
        if re.search(r"speed-?up", line, re.I) and len(times) >= 2:
            m = SPEEDUP.search(line)
            ratio = max(times.values()) / min(times.values()) if min(times.values()) > 0 else 0
            if m and abs(float(m.group(1)) - ratio) > 0.02 * ratio:
                problems.append(f"line {no}: speedup {m.group(1)}x, measured {ratio:.2f}x")
    problems += [f"the measured {name} success rate {100 * r:.1f}% is not stated" for name, r in rates.items() if name not in stated]
    numbers = [float(x) for x in NUMBER.findall(text)]
    for name, ms in times.items():
        if not any(abs(x - ms) <= 0.1 + 1e-9 for x in numbers):
            problems.append(f"the measured {name} inference time {ms:.1f} ms is not stated")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="summary_figures.py", description="Check the figures of a results summary.")
    parser.add_argument("file")
    parser.add_argument("--rate", action="append", default=[], help="NAME=VALUE, a measured success rate (0..1)")
    parser.add_argument("--ms", action="append", default=[], help="NAME=VALUE, a measured mean inference time")
    args = parser.parse_args(argv)
    text = read_text("summary_figures.py", args.file)
    if text is None:
        return 2
    rates, times = figures(args.rate), figures(args.ms)
    problems = check(text, rates, times)
    for p in problems:
        print(f"{args.file}: {p}")
    if problems:
        return 1
    print(f"{args.file}: states the measured figures ({len(rates)} success rates, {len(times)} inference times) and no others")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
