"""The reference solution through the stand-in: the summary lines the playbook parses, the
results JSON on the local volume, seeded outcomes, and the figures of each stage."""
import json
import os
import re
import unittest

from tests.standin_helpers import SMOKE, Workspace

SUMMARY = [
    r"^✓ Initialized\. View run at https://modal\.com/apps/\S+$",
    r"^✓ Created objects\.$",
    r"^Models loaded: main=moojink/openvla-7b-oft-finetuned-libero-spatial draft=(yes|no) "
    r"\(GPU memory \d+\.\d GiB\)$",
    r"^LIBERO environment created: libero_spatial \(10 tasks\)$",
    r"^Task suite: libero_spatial$",
    r"^Total episodes: \d+$",
    r"^Total successes: \d+$",
    r"^Overall success rate: \d\.\d{4} \(\d+\.\d%\)$",
    r"^Average inference time: \d+\.\d ms/step \(draft \d+\.\d ms, main \d+\.\d ms\)$",
    r"^Draft acceptance rate: (n/a|\d\.\d\d)$",
    r"^Task 10 success: \d+/\d+ \(\d+\.\d%\)$",
    r"^Results saved to /results/\S+\.json$",
    r"^✓ App completed\. View run at https://modal\.com/apps/\S+$",
]


def figure(text, pattern):
    return float(re.search(pattern, text, re.M).group(1))


class EvaluationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace()

    @classmethod
    def tearDownClass(cls):
        cls.ws.close()

    def test_smoke_prints_every_summary_line_and_saves_results(self):
        done = self.ws.run(*SMOKE)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        for pattern in SUMMARY:
            self.assertRegex(done.stdout, re.compile(pattern, re.M))
        self.assertIn("Total episodes: 10", done.stdout)
        self.assertIn("Draft acceptance rate: n/a", done.stdout)
        self.assertEqual(len(re.findall(r"^Task \d+ success: ", done.stdout, re.M)), 10)
        self.assertEqual(done.stdout.count("Starting episode 1..."), 10)
        name = re.search(r"^Results saved to /results/(\S+)$", done.stdout, re.M).group(1)
        with open(os.path.join(self.ws.results_dir(), name), encoding="utf-8") as fh:
            saved = json.load(fh)
        self.assertEqual(saved["total_episodes"], 10)
        self.assertEqual(len(saved["per_task"]), 10)
        self.assertFalse(saved["use_speculative_decoding"])

    def test_outcomes_depend_on_the_seed_only(self):
        episodes = lambda out: re.findall(r"^Success: (True|False)$", out, re.M)  # noqa: E731
        a = self.ws.run(*SMOKE, seed="3").stdout
        b = self.ws.run(*SMOKE, seed="3").stdout
        self.assertEqual(episodes(a), episodes(b))
        c = self.ws.run(*SMOKE, seed="4").stdout
        self.assertEqual(len(episodes(c)), 10)
        self.assertNotEqual(episodes(a), episodes(c))

    def test_full_stage_meets_the_guide_expectations(self):
        done = self.ws.run("--task-suite", "libero_spatial", "--num-trials", "50", "--use-speculative-decoding")
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        self.assertIn("Total episodes: 500", done.stdout)
        rate = figure(done.stdout, r"^Overall success rate: (\d\.\d+)")
        self.assertTrue(0.80 <= rate <= 0.95, rate)
        ms = figure(done.stdout, r"^Average inference time: (\d+\.\d) ms/step")
        self.assertTrue(40.0 <= ms <= 60.0, ms)
        acceptance = figure(done.stdout, r"^Draft acceptance rate: (\d\.\d+)")
        self.assertTrue(0.6 <= acceptance <= 0.8, acceptance)
        self.assertRegex(done.stdout, r"Models loaded: main=\S+ draft=yes ")

    def test_baseline_is_slower_without_the_draft(self):
        done = self.ws.run("--num-trials", "2", "--no-use-speculative-decoding")
        ms = figure(done.stdout, r"^Average inference time: (\d+\.\d) ms/step")
        self.assertTrue(70.0 <= ms <= 110.0, ms)

    def test_volumes_hold_the_checkpoints(self):
        done = self.ws.modal("volume", "ls", "rsd-models")
        self.assertEqual(done.stdout.split(), ["openvla_oft_rfsq/", "phase2_draft_model/", "rfsq_autoencoder.pt"])
        target = os.path.join(self.ws.tmp.name, "got")
        os.makedirs(target)
        self.assertEqual(self.ws.modal("volume", "get", "rsd-models", "rfsq_autoencoder.pt", target).returncode, 0)
        self.assertTrue(os.path.isfile(os.path.join(target, "rfsq_autoencoder.pt")))
        self.assertEqual(self.ws.modal("volume", "ls", "no-such-volume").returncode, 1)


if __name__ == "__main__":
    unittest.main()
