"""`modal run` option parsing: Modal's click command, its error texts and exit codes."""
import unittest

from modal_standin import flags
from tests.standin_helpers import SCRIPT, Workspace


def main(task_suite: str = "libero_spatial", num_trials: int = 50, use_speculative_decoding: bool = True):
    return None


PARAMS = flags.params_of(main)


class ParseTest(unittest.TestCase):
    def test_bool_parameter_is_a_switch_pair(self):
        self.assertIs(flags.parse(["--no-use-speculative-decoding"], PARAMS)["use_speculative_decoding"], False)
        self.assertIs(flags.parse(["--use-speculative-decoding"], PARAMS)["use_speculative_decoding"], True)

    def test_defaults_apply_and_underscores_become_dashes(self):
        self.assertEqual(flags.parse(["--num-trials", "5"], PARAMS),
                         {"task_suite": "libero_spatial", "num_trials": 5, "use_speculative_decoding": True})
        self.assertEqual(flags.parse(["--task-suite=libero_goal"], PARAMS)["task_suite"], "libero_goal")

    def test_value_after_a_switch_is_an_extra_argument(self):
        with self.assertRaises(flags.UsageError) as e:
            flags.parse(["--use-speculative-decoding", "False"], PARAMS)
        self.assertEqual(str(e.exception), "Got unexpected extra argument (False)")

    def test_switch_with_equals_value_is_refused(self):
        with self.assertRaises(flags.UsageError) as e:
            flags.parse(["--use-speculative-decoding=False"], PARAMS)
        self.assertEqual(str(e.exception), "Option '--use-speculative-decoding' does not take a value.")

    def test_underscore_option_suggests_the_dashed_one(self):
        with self.assertRaises(flags.UsageError) as e:
            flags.parse(["--num_trials", "1"], PARAMS)
        self.assertEqual(str(e.exception), "No such option '--num_trials'. Did you mean '--num-trials'?")

    def test_bad_integer(self):
        with self.assertRaises(flags.UsageError) as e:
            flags.parse(["--num-trials", "five"], PARAMS)
        self.assertEqual(str(e.exception), "Invalid value for '--num-trials': 'five' is not a valid integer.")

    def test_str_typed_flag_takes_false_as_a_truthy_string(self):
        def entry(use_speculative_decoding: str = "True"):
            return None
        got = flags.parse(["--use-speculative-decoding", "False"], flags.params_of(entry))
        self.assertEqual(got["use_speculative_decoding"], "False")
        self.assertTrue(got["use_speculative_decoding"])


class CliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(tasks=None)     # parsing fails before any task code would run

    @classmethod
    def tearDownClass(cls):
        cls.ws.close()

    def test_guide_command_fails_with_modal_error_and_exit_2(self):
        done = self.ws.run("--num-trials", "1", "--use-speculative-decoding", "False")
        self.assertEqual(done.returncode, 2)
        self.assertIn("Error: Got unexpected extra argument (False)", done.stderr)
        self.assertIn(f"Usage: modal run {SCRIPT}::main [OPTIONS]", done.stderr)
        self.assertNotIn("Initialized", done.stdout)

    def test_equals_false_and_underscore_flags_exit_2(self):
        done = self.ws.run("--use-speculative-decoding=False")
        self.assertEqual((done.returncode, done.stderr.strip().splitlines()[-1]),
                         (2, "Error: Option '--use-speculative-decoding' does not take a value."))
        done = self.ws.run("--num_trials", "1")
        self.assertEqual((done.returncode, done.stderr.strip().splitlines()[-1]),
                         (2, "Error: No such option '--num_trials'. Did you mean '--num-trials'?"))

    def test_help_lists_the_switch_pair(self):
        done = self.ws.run("--help")
        self.assertEqual(done.returncode, 0)
        self.assertIn("--use-speculative-decoding / --no-use-speculative-decoding", done.stdout)

    def test_missing_file_and_unknown_command(self):
        self.assertEqual(self.ws.modal("run", "nope.py").returncode, 2)
        done = self.ws.modal("deploy", SCRIPT)
        self.assertEqual(done.returncode, 2)
        self.assertIn("No such command 'deploy'", done.stderr)

    def test_placeholder_script_fails_in_task_1_with_exit_1(self):
        done = self.ws.run(*["--num-trials", "1", "--no-use-speculative-decoding"])
        self.assertEqual(done.returncode, 1)
        self.assertIn("NotImplementedError: Task 1: load the main model", done.stderr)
        self.assertIn("Stopping app - uncaught exception raised in remote container: "
                      "NotImplementedError('Task 1: load the main model').", done.stdout)


if __name__ == "__main__":
    unittest.main()
