#!/usr/bin/env python3
"""Checks that a results summary states the figures labpilot measured, and no other.

    summary_figures.py FILE [--rate NAME=VALUE]... [--ms NAME=VALUE]...

--rate: a success rate measured by a stage (0..1), e.g. `RSD=0.9`; --ms: a mean inference time
in ms per step, e.g. `RSD=54.3`. A value that is not a number (a stage that measured nothing) is
skipped. The summary passes when
- every measured rate is stated on a line that speaks of a success rate, as a percentage, a
  fraction `441/500` or a decimal `0.88`, and every percentage on such a line is one of the
  measured rates within the rounding it is printed with (`88%` for 0.882; `about 90%` is not
  0.84); a per-task figure written `50% (1/2)` only has to agree with its own fraction;
- an interval beside a figure (`(95% CI 85.1-90.7%)`, `[85.1%, 90.7%]`, `± 2.8 pts`) is neither
  a stated rate nor an unmeasured one;
- every measured inference time is stated, rounded as a person writes it (two significant
  figures at least: `53 ms` or `about 53 ms` for 53.4, not `50 ms`);
- a speedup (`1.6x` on a line that names the speedup) is the ratio of the slowest to the
  fastest measured time, within the rounding it is printed with and 1%.
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


INTERVALS = [
    re.compile(r"\(\s*(?:\d+(?:\.\d+)?\s*%\s*)?(?:CI|confidence interval|interval|Wilson|Clopper)[^)]*\)", re.I),
    re.compile(r"\b\d+(?:\.\d+)?\s*%\s*(?:CI|confidence interval|interval)\b[^;,)]*", re.I),
    re.compile(r"\[\s*\d+(?:\.\d+)?\s*%?\s*[,;-–]\s*\d+(?:\.\d+)?\s*%?\s*\]"),
    re.compile(r"\b\d+(?:\.\d+)?\s*%?\s*(?:-|–|to)\s*\d+(?:\.\d+)?\s*%"),
    re.compile(r"(?:±|\+/-|\+-)\s*\d+(?:\.\d+)?\s*(?:%|pts?|points|pp)?", re.I),
    re.compile(r"\bp\s*[=<>]\s*\d*\.?\d+", re.I),
]
FRACTION = re.compile(r"\b(\d+)\s*(?:/|out of|of)\s*(\d+)\b")
DECIMAL = re.compile(r"(?<![\d.])(0\.(\d{2,4}))(?![\d%])")


def without_intervals(line: str) -> str:
    for pattern in INTERVALS:
        line = pattern.sub(" ", line)
    return line


def rounded_like_a_person(printed: str, value: float) -> bool:
    """`printed` is `value` rounded, to two significant figures at least (53 or 53.4 for 53.4)."""
    digits = printed.replace(".", "").lstrip("0")
    decimals = printed.partition(".")[2]
    return close(printed, decimals, value) and (len(digits) >= 2 or float(printed) == value)


def check(text: str, rates: dict[str, float], times: dict[str, float]) -> list[str]:
    problems: list[str] = []
    stated: set[str] = set()
    for no, raw in enumerate(text.splitlines(), 1):
        line = without_intervals(raw)
        if re.search(r"success[\s_-]*rate|succe\w+", line, re.I):
            for m in FRACTION.finditer(line):
                k, n = int(m.group(1)), int(m.group(2))
                stated.update(name for name, r in rates.items() if n > 0 and abs(k / n - r) <= 0.0005)
            for m in DECIMAL.finditer(line):
                stated.update(name for name, r in rates.items() if close(m.group(1), m.group(2), r))
            # "succeeded in 18 of 20 episodes (90%)": stated, though the line names no rate.
            for m in PERCENT.finditer(line):
                stated.update(name for name, r in rates.items() if close(m.group(1), m.group(2), 100 * r))
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
        if re.search(r"speed-?up|faster", line, re.I) and len(times) >= 2:
            m = SPEEDUP.search(line)
            ratio = max(times.values()) / min(times.values()) if min(times.values()) > 0 else 0
            # Rounded to two significant figures at least (1.6x for 1.65x), not to one (2x).
            printed = m.group(1) if m else ""
            sig = len(printed.replace(".", "").lstrip("0"))
            slack = (0.5 * 10 ** -len(printed.partition(".")[2]) if sig >= 2 else 0) + 0.01 * ratio
            if m and abs(float(printed) - ratio) > slack:
                problems.append(f"line {no}: speedup {m.group(1)}x, measured {ratio:.2f}x")
    problems += [f"the measured {name} success rate {100 * r:.1f}% is not stated" for name, r in rates.items() if name not in stated]
    numbers = NUMBER.findall(text)
    for name, ms in times.items():
        if not any(rounded_like_a_person(x, ms) for x in numbers):
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
