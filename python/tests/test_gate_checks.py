"""checks/harness.py notices harness code changed outside the task regions; checks/summary_figures.py
refuses a summary whose figures are not the measured ones; checks/placeholders.py finds a
placeholder left among the real code of a region."""
import os
import subprocess
import tempfile
import unittest

from tests.standin_helpers import PYTHON_DIR, run_py

HARNESS = os.path.join(PYTHON_DIR, "checks", "harness.py")
FIGURES = os.path.join(PYTHON_DIR, "checks", "summary_figures.py")
PLACEHOLDERS = os.path.join(PYTHON_DIR, "checks", "placeholders.py")

SCRIPT = """\
def load(device):
    # ==== TASK 1 BEGIN ====
    raise NotImplementedError("Task 1")
    # ==== TASK 1 END ====


def run():
    model = load("cuda")
    check(model)
    print("Results saved to /results/x.json")
"""


class Repo:
    def __init__(self, case):
        self.dir = tempfile.TemporaryDirectory()
        case.addCleanup(self.dir.cleanup)
        self.write(SCRIPT)
        for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"], ["tag", "start"]):
            self.git(*cmd)

    def write(self, text):
        with open(os.path.join(self.dir.name, "eval.py"), "w", encoding="utf-8") as fh:
            fh.write(text)

    def git(self, *args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", *args], cwd=self.dir.name, check=True)

    def check(self, *args):
        done = run_py([HARNESS, "eval.py", *args], cwd=self.dir.name)
        return done.returncode, done.stdout


class HarnessTest(unittest.TestCase):
    def test_changes_inside_the_regions_pass(self):
        repo = Repo(self)
        repo.write(SCRIPT.replace('    raise NotImplementedError("Task 1")\n', "    model = object()\n    return model\n"))
        code, out = repo.check()
        self.assertEqual(code, 0, out)
        self.assertIn("eval.py: unchanged outside the task regions", out)

    def test_a_deleted_harness_line_is_named(self):
        repo = Repo(self)
        repo.write(SCRIPT.replace("    check(model)\n", ""))
        code, out = repo.check()
        self.assertEqual(code, 1)
        self.assertIn("eval.py:9: changed outside the task regions: removed `check(model)`", out)

    def test_the_start_is_the_ref_cloned_not_the_latest_commit(self):
        repo = Repo(self)
        repo.write(SCRIPT.replace("    check(model)\n", ""))
        repo.git("commit", "-qam", "run commit")
        self.assertEqual(repo.check("--ref", "start")[0], 1)
        self.assertEqual(repo.check("--base", "HEAD")[0], 0)

    def test_a_moved_region_marker_is_a_change(self):
        repo = Repo(self)
        repo.write(SCRIPT.replace("    # ==== TASK 1 END ====\n", "").replace("\n\ndef run", "    # ==== TASK 1 END ====\n\ndef run"))
        code, _ = repo.check()
        self.assertEqual(code, 1)


SUMMARY = """\
# Results

| | RSD | Baseline |
|---|---|---|
| Success rate | 90.0% (18/20) | 85.0% (17/20) |
| Inference per query | 54.3 ± 13.3 ms | 88.1 ± 2.0 ms |

- **Speedup**: 1.62x (95% interval 1.58-1.66x).
- Task 4: 50% (1/2)
"""
MEASURED = ["--rate", "RSD=0.9", "--rate", "baseline=0.85", "--ms", "RSD=54.3", "--ms", "baseline=88.1"]


class SummaryFiguresTest(unittest.TestCase):
    def check(self, text, *args):
        with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as fh:
            fh.write(text)
        self.addCleanup(os.unlink, fh.name)
        done = run_py([FIGURES, fh.name, *args])
        return done.returncode, done.stdout.replace(fh.name, "S")

    def test_the_measured_figures_pass(self):
        code, out = self.check(SUMMARY, *MEASURED)
        self.assertEqual(code, 0, out)

    def test_each_invented_figure_is_named(self):
        cases = {
            "rate": (SUMMARY.replace("90.0% (18/20)", "97.0% (97/100)"), "line 5: success rate 97.0% was not measured"),
            "fraction": (SUMMARY.replace("(18/20)", "(19/20)"), "line 5: 90.0% (19/20) does not agree with its own fraction"),
            "time": (SUMMARY.replace("54.3 ±", "38.2 ±"), "the measured RSD inference time 54.3 ms is not stated"),
            "speedup": (SUMMARY.replace("1.62x", "2.30x"), "line 8: speedup 2.30x, measured 1.62x"),
            "missing": (SUMMARY.replace("| Success rate | 90.0% (18/20) | 85.0% (17/20) |\n", ""), "the measured RSD success rate 90.0% is not stated"),
        }
        for name, (text, expected) in cases.items():
            with self.subTest(case=name):
                code, out = self.check(text, *MEASURED)
                self.assertEqual(code, 1)
                self.assertIn(expected, out)

    def test_a_figure_not_measured_is_not_required(self):
        code, out = self.check(SUMMARY.replace("| 85.0% (17/20) |", "| not run |"), "--rate", "RSD=0.9", "--rate", "baseline=not measured")
        self.assertEqual(code, 0, out)


class PlaceholderAmongCodeTest(unittest.TestCase):
    def check(self, body):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
            fh.write("def f(device):\n    # ==== TASK 2 BEGIN ====\n    x = 1\n" + body + "    return x\n    # ==== TASK 2 END ====\n")
        self.addCleanup(os.unlink, fh.name)
        done = run_py([PLACEHOLDERS, fh.name, "--task", "2"])
        return done.returncode, done.stdout.replace(fh.name, "F")

    def test_each_stub_among_real_code_is_reported(self):
        forms = {
            "raise": ("    if device != 'cuda':\n        raise NotImplementedError('cpu')\n", "F:5: TASK 2 region: `raise NotImplementedError` left among the code"),
            "ellipsis": ("    ...\n", "F:4: TASK 2 region: `...` left among the code"),
            "pass-branch": ("    if x > 1:\n        pass\n", "F:5: TASK 2 region: `pass` as the whole body of a `if` block"),
        }
        for name, (body, expected) in forms.items():
            with self.subTest(form=name):
                code, out = self.check(body)
                self.assertEqual(code, 1, out)
                self.assertIn(expected, out)

    def test_an_except_that_passes_is_not_a_placeholder(self):
        code, out = self.check("    try:\n        x = int(x)\n    except ValueError:\n        pass\n")
        self.assertEqual(code, 0, out)


if __name__ == "__main__":
    unittest.main()
