"""checks/placeholders.py catches each placeholder form and passes on the finished script;
checks/syntax.py reports the first syntax error as FILE:LINE:COL."""
import os
import tempfile
import textwrap
import unittest

from tests.standin_helpers import PYTHON_DIR, Workspace, run_py

PLACEHOLDERS = os.path.join(PYTHON_DIR, "checks", "placeholders.py")
SYNTAX = os.path.join(PYTHON_DIR, "checks", "syntax.py")


class Source:
    def __init__(self, case, text):
        self.dir = tempfile.TemporaryDirectory()
        case.addCleanup(self.dir.cleanup)
        self.path = os.path.join(self.dir.name, "script.py")
        with open(self.path, "w", encoding="utf-8") as fh:
            fh.write(textwrap.dedent(text))


class PlaceholderTest(unittest.TestCase):
    def check(self, text, *args):
        src = Source(self, text)
        done = run_py([PLACEHOLDERS, src.path, *args])
        return done.returncode, done.stdout.replace(src.path, "F")

    def test_each_placeholder_form_is_reported_with_its_line(self):
        forms = {
            "todo": ("def f():\n    x = 1  # TODO: handle errors\n    return x\n", "F:2: TODO marker"),
            "fixme": ("# FIXME later\nX = 1\n", "F:1: FIXME marker"),
            "pass": ("def f():\n    '''Doc.'''\n    pass\n", "F:3: function f() body is a placeholder (`pass`)"),
            "ellipsis": ("def f():\n    ...\n", "F:2: function f() body is a placeholder (`...`)"),
            "raise-call": ("def f():\n    import os\n    raise NotImplementedError('x')\n",
                           "F:3: function f() body is a placeholder (`raise NotImplementedError`)"),
            "raise-name": ("def f():\n    raise NotImplementedError\n",
                           "F:2: function f() body is a placeholder (`raise NotImplementedError`)"),
            "region": ("def f():\n    y = 2\n    # ==== TASK 3 BEGIN ====\n    pass\n    # ==== TASK 3 END ====\n"
                       "    return y\n", "F:3: TASK 3 region is not implemented (contains `pass`)"),
            "empty-region": ("X = 1\n# ==== TASK 1 BEGIN ====\n# ==== TASK 1 END ====\n",
                             "F:2: TASK 1 region is not implemented (contains nothing)"),
        }
        for name, (text, expected) in forms.items():
            with self.subTest(form=name):
                code, out = self.check(text)
                self.assertEqual(code, 1)
                self.assertIn(expected, out)

    def test_real_code_and_legitimate_pass_are_accepted(self):
        code, out = self.check("""\
            class Done(Exception):
                pass

            def f(x):
                try:
                    return int(x)
                except ValueError:
                    pass
                return 0
            """)
        self.assertEqual((code, out.strip()), (0, "F: no placeholders (0 task regions implemented)"))

    def test_task_option_limits_the_check_to_that_region(self):
        text = ("def a():\n    # ==== TASK 1 BEGIN ====\n    return 1\n    # ==== TASK 1 END ====\n\n"
                "def b():\n    # ==== TASK 2 BEGIN ====\n    raise NotImplementedError\n    # ==== TASK 2 END ====\n")
        code, out = self.check(text, "--task", "1")
        self.assertEqual((code, out.strip()), (0, "F: TASK 1 implemented (lines 2-4), no placeholders"))
        code, out = self.check(text, "--task", "2")
        self.assertEqual(code, 1)
        self.assertNotIn("TASK 1", out)
        code, _ = self.check(text, "--task", "7")
        self.assertEqual(code, 2)

    def test_sample_script_fails_before_and_passes_after_the_tasks(self):
        ws = Workspace(tasks=None)
        self.addCleanup(ws.close)
        done = run_py([PLACEHOLDERS, ws.script])
        self.assertEqual(done.returncode, 1)
        for n in (1, 2, 3, 4):
            self.assertIn(f"TASK {n} region is not implemented", done.stdout)
        done = run_py([os.path.join(PYTHON_DIR, "tools", "sample_solution.py"), "apply", ws.script, "--tasks", "2"])
        self.assertEqual(done.returncode, 0)
        self.assertEqual(run_py([PLACEHOLDERS, ws.script, "--task", "2"]).returncode, 0)
        self.assertEqual(run_py([PLACEHOLDERS, ws.script]).returncode, 1)
        run_py([os.path.join(PYTHON_DIR, "tools", "sample_solution.py"), "apply", ws.script, "--tasks", "1,3,4"])
        done = run_py([PLACEHOLDERS, ws.script])
        self.assertEqual((done.returncode, done.stdout.strip().endswith("no placeholders (4 task regions implemented)")),
                         (0, True))

    def test_missing_file_is_a_usage_error(self):
        self.assertEqual(run_py([PLACEHOLDERS, "/nonexistent/x.py"]).returncode, 2)


class SyntaxCheckTest(unittest.TestCase):
    def test_compiling_file_passes(self):
        src = Source(self, "def f():\n    return 1\n")
        done = run_py([SYNTAX, src.path])
        self.assertEqual((done.returncode, done.stdout.strip()), (0, f"{src.path}: compiles"))

    def test_syntax_and_indentation_errors_have_line_and_column(self):
        for text, expected in [("x = 1\ndef f(:\n    pass\n", ":2:7: SyntaxError: invalid syntax"),
                               ("def f():\n  x = 1\n    y = 2\n", ":3:4: SyntaxError: unexpected indent")]:
            src = Source(self, text)
            done = run_py([SYNTAX, src.path])
            self.assertEqual((done.returncode, done.stdout.strip()), (1, src.path + expected))


if __name__ == "__main__":
    unittest.main()
