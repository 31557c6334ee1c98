"""Each known fault of the guide, injected into the reference solution, produces the real error
text through `python/bin/modal run`; the unfaulted script passes."""
import unittest
from concurrent.futures import ThreadPoolExecutor

from tests.standin_helpers import SMOKE, Workspace, fault_table

SPEC_ON_1 = ["--task-suite", "libero_spatial", "--num-trials", "1", "--use-speculative-decoding"]
# Exit code of the smoke stage per fault: crashes exit 1, usage errors 2, silent faults 0.
EXIT = {"oom-unquantised": 1, "checkpoint-module-prefix": 1, "checkpoint-bare-state-dict": 1,
        "no-sed-patch": 1, "no-prismatic": 1, "rfsq-hidden-64": 1, "gripper-not-inverted": 0,
        "episode-crash": 0, "timeout-short": 1, "draft-not-used": 0, "str-bool-param": 2}


def run_fault(name, stage):
    ws = Workspace(fault=name)
    try:
        return ws.run(*(SMOKE if stage == "smoke" else SPEC_ON_1))
    finally:
        ws.close()


class FaultTest(unittest.TestCase):
    table = fault_table()

    @classmethod
    def setUpClass(cls):
        # One run per fault, two at a time (the runs are separate processes).
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {name: pool.submit(run_fault, name, stage) for name, (_t, stage, _e) in cls.table.items()}
            cls.runs = {name: f.result() for name, f in futures.items()}

    def run_fault(self, name):
        return self.runs[name]

    def test_every_fault_is_listed_once(self):
        self.assertEqual(sorted(self.table), sorted(EXIT))

    def test_each_fault_shows_its_error_and_exit_code(self):
        for name, (_task, _stage, expected) in self.table.items():
            with self.subTest(fault=name):
                done = self.run_fault(name)
                self.assertIn(expected, done.stdout + done.stderr)
                self.assertEqual(done.returncode, EXIT[name], done.stderr[-2000:])

    def test_oom_names_the_real_torch_exception(self):
        done = self.run_fault("oom-unquantised")
        self.assertIn("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 324.00 MiB. "
                      "GPU 0 has a total capacity of 39.39 GiB", done.stderr)

    def test_module_prefix_lists_missing_and_unexpected_keys(self):
        done = self.run_fault("checkpoint-module-prefix")
        self.assertIn("RuntimeError: Error(s) in loading state_dict for DraftModel:", done.stderr)
        self.assertIn('Missing key(s) in state_dict: "in_proj.weight"', done.stderr)
        self.assertIn('Unexpected key(s) in state_dict: "module.in_proj.weight"', done.stderr)

    def test_rfsq_size_mismatch_text(self):
        done = self.run_fault("rfsq-hidden-64")
        self.assertIn("size mismatch for encoder.2.weight: copying a param with shape torch.Size([16, 64]) "
                      "from checkpoint, the shape in current model is torch.Size([64, 64]).", done.stderr)

    def test_timeout_is_modal_function_timeout(self):
        done = self.run_fault("timeout-short")
        self.assertRegex(done.stderr, r"modal\.exception\.FunctionTimeoutError: Task's current input in-\w+ "
                                      r"hit its timeout of 300s")

    def test_silent_faults_show_in_the_figures(self):
        done = self.run_fault("gripper-not-inverted")
        self.assertIn("Overall success rate: 0.0000 (0.0%)", done.stdout)
        done = self.run_fault("episode-crash")
        self.assertEqual(done.stdout.count("Episode error: "), 10)
        done = self.run_fault("draft-not-used")
        self.assertRegex(done.stdout, r"Models loaded: main=\S+ draft=no ")
        ms = float(done.stdout.split("Average inference time: ")[1].split(" ms")[0])
        self.assertGreater(ms, 80.0)

    def test_str_bool_param_takes_false_as_true(self):
        ws = Workspace(fault="str-bool-param")
        self.addCleanup(ws.close)
        done = ws.run("--num-trials", "1", "--use-speculative-decoding", "False")
        self.assertEqual(done.returncode, 0)
        self.assertIn("speculative_decoding=on", done.stdout)
        self.assertRegex(done.stdout, r"Draft acceptance rate: 0\.\d\d")

    def test_load_in_4bit_kwarg_works_with_deprecation_warning(self):
        ws = Workspace()
        self.addCleanup(ws.close)
        with open(ws.script, encoding="utf-8") as fh:
            text = fh.read()
        with open(ws.script, "w", encoding="utf-8") as fh:
            fh.write(text.replace("quantization_config=quantization,", "load_in_4bit=True,"))
        done = ws.run(*SMOKE)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        self.assertIn("The `load_in_4bit` and `load_in_8bit` arguments are deprecated and will be removed in the "
                      "future versions. Please, pass a `BitsAndBytesConfig` object in `quantization_config` "
                      "argument instead.", done.stdout)


if __name__ == "__main__":
    unittest.main()
