"""summary_figures.py: the forms honest people write pass; invented figures still fail."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "checks", "summary_figures.py")
# As the demo measures them.
FIGURES = ["--rate", "RSD=0.882", "--rate", "baseline=0.888", "--ms", "RSD=53.4", "--ms", "baseline=88.0"]


def run(text: str) -> subprocess.CompletedProcess:
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as fh:
        fh.write(text)
    try:
        return subprocess.run([sys.executable, SCRIPT, fh.name, *FIGURES], capture_output=True, text=True)
    finally:
        os.unlink(fh.name)


HONEST = {
    "intervals beside the rates": "Success rate: RSD 88.2% (95% CI 85.1-90.7%), baseline 88.8% (95% CI 85.7-91.3%).\nInference: 53.4 ms against 88.0 ms per step; speedup 1.65x.",
    "rounded as people do": "Success rate: RSD 88%, baseline 89%.\nRSD takes about 53 ms per step against about 88 ms; a speedup of 1.6x.",
    "fractions": "Success rate: RSD 441/500, baseline 444/500.\nTiming: 53.4 ms vs 88.0 ms.",
    "decimals and brackets": "Success rate 0.882 [0.851, 0.907] for RSD and 0.888 for the baseline.\nMean time per step ~53 ms (RSD) and ~88 ms (baseline).",
    "prose with counts": "RSD succeeded in 441 of 500 episodes (88%), the baseline in 444 of 500 (89%).\nAbout 53 ms against 88 ms per step.",
    "plus-minus": "Success rate: 88.2% ± 2.8 pts (RSD) and 88.8% ± 2.8 pts (baseline), p = 0.85.\n53.4 ms and 88.0 ms.",
}

INVENTED = {
    "an inflated rate": "Success rate: RSD 93%, baseline 88.8%.\n53.4 ms and 88.0 ms.",
    "a rate rounded too far": "Success rate: RSD about 90%, baseline 89%.\n53.4 ms and 88.0 ms.",
    "a time rounded to one figure": "Success rate: RSD 88.2%, baseline 88.8%.\nRSD about 50 ms, baseline about 90 ms.",
    "an inflated speedup": "Success rate: RSD 88.2%, baseline 88.8%.\n53.4 ms vs 88.0 ms, a speedup of 2x.",
    "a time never stated": "Success rate: RSD 88.2%, baseline 88.8%.\nRSD takes 41.0 ms per step.",
}


class SummaryForms(unittest.TestCase):
    def test_honest_forms_pass(self):
        for name, text in HONEST.items():
            with self.subTest(name):
                r = run(text)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_invented_figures_fail(self):
        for name, text in INVENTED.items():
            with self.subTest(name):
                r = run(text)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
