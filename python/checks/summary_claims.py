#!/usr/bin/env python3
"""Checks that what a results summary concludes agrees with the figures labpilot measured.

    summary_claims.py FILE --ms RSD=54.1 --ms baseline=88.6 --rate RSD=0.90 --rate baseline=0.88
                      --n RSD=500 --n baseline=500 [--alpha 0.05]

The first --ms / --rate / --n is the treatment (RSD), the second the baseline. Each sentence that
compares the two is read for its direction:
- speed: RSD faster (faster, quicker, speeds up, lower latency, less time, reduces the time) or
  slower (slower, more time, higher latency, no speedup);
- success: RSD better (better, higher, improves, outperforms), worse (worse, lower, degrades,
  hurts, drops) or no difference (no/similar/comparable/within noise/not significant);
with negation ("is not faster", "did not improve") and the subject ("the baseline is slower than
RSD" says RSD is faster). A claim fails when its direction contradicts the figures (equal rates
are neither better nor worse), when it states a success difference as a finding (unhedged, or
called significant) although the two-sided test of the two proportions (Fisher's exact test)
gives p >= alpha, or when it says "no difference" although p < alpha. Hedged wording of a small
difference ("slightly lower, within the noise") passes. Exit 1 with one line per disagreement,
0 with a one-line summary, 2 when FILE cannot be read.
"""
from __future__ import annotations

import argparse
import math
import re
import sys

from check_common import read_text

TREATMENT = re.compile(r"\b(rsd|speculative|draft(?:ing)?)\b", re.I)
BASELINE = re.compile(r"\bbaseline\b", re.I)
NEGATION = re.compile(r"\b(not|no|never|without|n't|neither|nor)\b|n't\b", re.I)
FASTER = re.compile(r"\b(faster|quicker|speeds? up|sped up|speed-?up of|lower latency|less time|reduces?\b[^.]{0,30}\b(?:time|latency)|cuts?\b[^.]{0,30}\b(?:time|latency))", re.I)
SLOWER = re.compile(r"\b(slower|more time|higher latency|increases?\b[^.]{0,30}\b(?:time|latency)|no speed-?up)", re.I)
NOT_TIME = r"(?!\s+(?:latency|inference|time|ms|cost))"
BETTER = re.compile(r"\b(better|higher" + NOT_TIME + r"|improves?|improved|improvement|outperforms?|more (?:successful|often|reliable|accurate|robust|capable)|gains?|steadies|stabili[sz]es)\b", re.I)
WORSE = re.compile(r"\b(worse|lower" + NOT_TIME + r"|degrades?|degraded|hurts?|drops?|dropped|decreased?|underperforms?|less (?:successful|often|reliable|accurate|robust)|costs? (?:some )?success)\b", re.I)
SAME = re.compile(r"\b(no (?:significant |measurable |real |clear )?(?:difference|change|effect|loss|gain)|similar|comparable|on par|within (?:the )?noise|indistinguishable|not (?:statistically )?significant|same success|unchanged|preserv\w+|maintain\w*|match\w*)\b", re.I)
SIGNIFICANT = re.compile(r"\b(significant(?:ly)?|clear(?:ly)?|substantial(?:ly)?|decisive(?:ly)?|markedly)\b", re.I)
NOT_SIGNIFICANT = re.compile(r"\b(not|no|n't)\b[^.]{0,20}\bsignificant", re.I)
HEDGE = re.compile(r"\b(slight(?:ly)?|marginal(?:ly)?|a little|somewhat|nominal(?:ly)?|not (?:statistically )?significant|within (?:the )?noise|may|might|could|appears?|seems?|suggests?|point estimate|inconclusive|not (?:a )?(?:finding|conclusive))\b", re.I)
SUCCESS = re.compile(r"\b(success\w*|succeeds?|rate|accura\w+|reliab\w+|robust\w*|performance|task completion)\b", re.I)
SPEED = re.compile(r"\b(faster|slower|speed|latency|inference|ms|time|quicker|throughput)\b", re.I)


def pairs(values: list[str]) -> list[tuple[str, float]]:
    out = []
    for v in values:
        name, _, x = v.partition("=")
        try:
            out.append((name, float(x)))
        except ValueError:
            continue  # not measured
    return out


def fisher_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided Fisher exact test of k1/n1 against k2/n2 (tables as likely or less)."""
    total, succ = n1 + n2, k1 + k2
    lo, hi = max(0, succ - n2), min(succ, n1)
    denom = math.lgamma(total + 1) - math.lgamma(succ + 1) - math.lgamma(total - succ + 1)

    def logp(k: int) -> float:
        return (math.lgamma(n1 + 1) - math.lgamma(k + 1) - math.lgamma(n1 - k + 1)
                + math.lgamma(n2 + 1) - math.lgamma(succ - k + 1) - math.lgamma(n2 - succ + k + 1) - denom)

    observed = logp(k1)
    return min(1.0, sum(math.exp(logp(k)) for k in range(lo, hi + 1) if logp(k) <= observed + 1e-7))


def sentences(text: str) -> list[tuple[int, str]]:
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        # A table row compares nothing in words; its figures are summary_figures.py's.
        if line.lstrip().startswith("|"):
            continue
        for part in re.split(r"(?<=[.;!?])\s+", line):
            if part.strip():
                out.append((no, part.strip()))
    return out


def subject_is_baseline(s: str, at: int) -> bool:
    """`the baseline is slower than RSD`: the baseline is named first, RSD after `than`."""
    b, t = BASELINE.search(s), TREATMENT.search(s)
    than = re.search(r"\bthan\b", s[at:], re.I)
    return bool(b and t and b.start() < t.start() and than)


def direction(s: str, pattern: re.Pattern[str]) -> int:
    """+1 when the sentence says the treatment has the property, -1 the baseline, 0 not said."""
    m = pattern.search(s)
    if not m:
        return 0
    before = s[max(0, m.start() - 25):m.start()]
    if NEGATION.search(before):
        return 0
    return -1 if subject_is_baseline(s, m.start()) else 1


def check(text: str, ms: list[tuple[str, float]], rates: list[tuple[str, float]], ns: list[tuple[str, float]], alpha: float) -> tuple[list[str], int]:
    problems: list[str] = []
    read = 0
    speed = (ms[0][1], ms[1][1]) if len(ms) >= 2 else None
    p = diff = None
    if len(rates) >= 2 and len(ns) >= 2:
        (r1, r2), (n1, n2) = (rates[0][1], rates[1][1]), (int(ns[0][1]), int(ns[1][1]))
        if n1 > 0 and n2 > 0:
            p = fisher_p(round(r1 * n1), n1, round(r2 * n2), n2)
            diff = r1 - r2
    for no, s in sentences(text):
        if not (TREATMENT.search(s) or BASELINE.search(s)):
            continue
        where = f'line {no}: the claim "{s[:120]}"'
        if speed and SPEED.search(s):
            fast, slow = direction(s, FASTER), direction(s, SLOWER)
            if fast or slow:
                read += 1
                says_faster = fast > 0 or slow < 0
                if says_faster and speed[0] >= speed[1]:
                    problems.append(f"{where}: says RSD is faster, measured {speed[0]:.1f} ms against the baseline's {speed[1]:.1f} ms")
                if not says_faster and speed[0] < 0.98 * speed[1]:
                    problems.append(f"{where}: says RSD is not faster, measured {speed[0]:.1f} ms against the baseline's {speed[1]:.1f} ms")
        if p is None or diff is None or not SUCCESS.search(s):
            continue
        better, worse = direction(s, BETTER), direction(s, WORSE)
        same = bool(SAME.search(s)) and not (better or worse)
        if not (better or worse or same):
            continue
        read += 1
        measured = f"measured {rates[0][1] * 100:.1f}% against {rates[1][1] * 100:.1f}%, Fisher p = {p:.3g}"
        claims_significance = bool(SIGNIFICANT.search(s)) and not NOT_SIGNIFICANT.search(s)
        says = 1 if (better > 0 or worse < 0) else -1 if (worse > 0 or better < 0) else 0
        if says and diff * says <= 0:
            problems.append(f"{where}: says RSD succeeds {'more' if says > 0 else 'less'} often, {measured}")
        elif says and p >= alpha and not HEDGE.search(s):
            problems.append(f"{where}: states a difference the test does not support, {measured} (alpha {alpha})")
        elif says and claims_significance and p >= alpha:
            problems.append(f"{where}: calls the difference significant, {measured} (alpha {alpha})")
        elif same and p < alpha:
            problems.append(f"{where}: says there is no difference, {measured} (alpha {alpha})")
    return problems, read


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="summary_claims.py", description="Check a summary's conclusions against the measured figures.")
    parser.add_argument("file")
    parser.add_argument("--ms", action="append", default=[], help="NAME=VALUE: mean inference time (treatment first)")
    parser.add_argument("--rate", action="append", default=[], help="NAME=VALUE: success rate 0..1 (treatment first)")
    parser.add_argument("--n", action="append", default=[], help="NAME=VALUE: episodes (treatment first)")
    parser.add_argument("--alpha", type=float, default=0.05)
    args = parser.parse_args(argv)
    text = read_text("summary_claims.py", args.file)
    if text is None:
        return 2
    problems, read = check(text, pairs(args.ms), pairs(args.rate), pairs(args.n), args.alpha)
    for line in problems:
        print(f"{args.file}: {line}")
    if problems:
        return 1
    print(f"{args.file}: {read} conclusion(s) read, each agrees with the measured figures")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
