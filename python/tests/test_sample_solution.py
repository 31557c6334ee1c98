"""tools/sample_solution.py: silent on success, exit 2 on bad input, one fault at a time."""
import os
import unittest

from tests.standin_helpers import TOOL, Workspace, run_py


class SampleSolutionTest(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(tasks=None)
        self.addCleanup(self.ws.close)

    def apply(self, *args):
        return run_py([TOOL, "apply", self.ws.script, *args])

    def read(self):
        with open(self.ws.script, encoding="utf-8") as fh:
            return fh.read()

    def test_apply_is_silent_and_keeps_the_markers(self):
        done = self.apply()
        self.assertEqual((done.returncode, done.stdout, done.stderr), (0, "", ""))
        text = self.read()
        for n in (1, 2, 3, 4):
            self.assertIn(f"    # ==== TASK {n} BEGIN ====\n", text)
            self.assertIn(f"    # ==== TASK {n} END ====\n", text)
        self.assertNotIn("NotImplementedError", text)
        self.assertIn("    quantization = BitsAndBytesConfig(load_in_4bit=True", text)

    def test_applying_twice_gives_the_same_script(self):
        self.apply("--fault", "rfsq-hidden-64")
        first = self.read()
        self.apply("--fault", "rfsq-hidden-64")
        self.assertEqual(self.read(), first)
        self.assertIn("hidden_dim=64", first)

    def test_only_the_named_tasks_are_written(self):
        self.apply("--tasks", "2")
        text = self.read()
        self.assertIn('raise NotImplementedError("Task 1: load the main model")', text)
        self.assertNotIn('raise NotImplementedError("Task 2: load the draft model")', text)

    def test_bad_input_exits_2(self):
        cases = [["--fault", "no-such-fault"], ["--tasks", "5"], ["--tasks", "x"],
                 ["--tasks", "1", "--fault", "gripper-not-inverted"]]
        for args in cases:
            with self.subTest(args=args):
                done = self.apply(*args)
                self.assertEqual(done.returncode, 2)
                self.assertEqual(done.stdout, "")
        self.assertEqual(run_py([TOOL, "apply", os.path.join(self.ws.repo, "missing.py")]).returncode, 2)
        self.assertEqual(run_py([TOOL]).returncode, 2)

    def test_list_faults_has_five_tab_separated_fields(self):
        done = run_py([TOOL, "--list-faults"])
        rows = [line.split("\t") for line in done.stdout.splitlines()]
        self.assertEqual(len(rows), 11)
        self.assertTrue(all(len(r) == 5 and r[2] in ("smoke", "spec-on") for r in rows))


if __name__ == "__main__":
    unittest.main()
