"""summary_claims.py: the direction of each conclusion against the measured figures."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "checks", "summary_claims.py")

# As the demo measures them: RSD 53.4 ms, 88.2% of 500; baseline 88.0 ms, 88.8% of 500 (p ~ 0.85).
SIMILAR = ["--ms", "RSD=53.4", "--ms", "baseline=88.0", "--rate", "RSD=0.882", "--rate", "baseline=0.888", "--n", "RSD=500", "--n", "baseline=500"]
# A real difference in success: 95% against 85% of 500 (p << 0.05).
APART = ["--ms", "RSD=53.4", "--ms", "baseline=88.0", "--rate", "RSD=0.95", "--rate", "baseline=0.85", "--n", "RSD=500", "--n", "baseline=500"]


def run(text: str, figures: list[str]) -> subprocess.CompletedProcess:
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as fh:
        fh.write(text)
    try:
        return subprocess.run([sys.executable, SCRIPT, fh.name, *figures], capture_output=True, text=True)
    finally:
        os.unlink(fh.name)


HONEST = [
    ("speedup with interval", "RSD is 1.6x faster than the baseline (53.4 vs 88.0 ms per step).", SIMILAR),
    ("baseline as subject", "The baseline is slower than RSD by about 35 ms per step.", SIMILAR),
    ("no significant difference", "There is no significant difference in success rate between RSD and the baseline (88.2% vs 88.8%, p = 0.85).", SIMILAR),
    ("comparable", "RSD keeps a comparable success rate to the baseline.", SIMILAR),
    ("hedged small difference", "RSD's success rate is slightly lower than the baseline's, within the noise of 500 episodes.", SIMILAR),
    ("negated improvement", "Speculative decoding does not improve the success rate.", SIMILAR),
    ("real improvement called significant", "RSD succeeds significantly more often than the baseline (95.0% vs 85.0%).", APART),
    ("a small difference, hedged", "RSD's success rate is slightly higher than the baseline's, not a significant difference.", ["--rate", "RSD=0.90", "--rate", "baseline=0.88", "--n", "RSD=500", "--n", "baseline=500"]),
    ("reduces inference time", "Speculative decoding reduces the inference time per step from 88 ms to 53 ms.", SIMILAR),
    ("no comparison at all", "The full stage ran 500 episodes.\nTask 3 was the weakest.", SIMILAR),
]

DISHONEST = [
    ("slower called faster", "RSD is faster than the baseline.", ["--ms", "RSD=90.2", "--ms", "baseline=88.0"]),
    ("faster called slower", "RSD is slower than the baseline.", SIMILAR),
    ("baseline called faster", "The baseline is faster than RSD.", SIMILAR),
    ("insignificant called significant", "RSD achieves a significantly higher success rate than the baseline.", ["--rate", "RSD=0.89", "--rate", "baseline=0.87", "--n", "RSD=500", "--n", "baseline=500"]),
    ("worse called better", "RSD improves the success rate over the baseline.", SIMILAR),
    ("real difference called none", "There is no difference in success rate between RSD and the baseline.", APART),
    ("better called worse", "Speculative decoding hurts the success rate compared with the baseline.", APART),
    ("more reliable when it is not", "RSD is more reliable than the baseline.", SIMILAR),
    ("better on equal rates", "RSD is more reliable than the baseline.", ["--rate", "RSD=0.9", "--rate", "baseline=0.9", "--n", "RSD=20", "--n", "baseline=20"]),
    ("a finding on noise, unhedged", "RSD has a higher success rate than the baseline.", ["--rate", "RSD=0.90", "--rate", "baseline=0.88", "--n", "RSD=500", "--n", "baseline=500"]),
    ("clear finding on noise", "RSD clearly outperforms the baseline in success rate.", ["--rate", "RSD=0.90", "--rate", "baseline=0.88", "--n", "RSD=50", "--n", "baseline=50"]),
]


class SummaryClaims(unittest.TestCase):
    def test_honest_conclusions_pass(self):
        for name, text, figures in HONEST:
            with self.subTest(name):
                r = run(text, figures)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_conclusions_the_figures_do_not_support_fail(self):
        for name, text, figures in DISHONEST:
            with self.subTest(name):
                r = run(text, figures)
                self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
                self.assertIn("the claim", r.stdout)

    def test_an_unreadable_file_exits_2(self):
        r = subprocess.run([sys.executable, SCRIPT, "/no/such/summary.md"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("cannot read", r.stderr)


if __name__ == "__main__":
    unittest.main()
