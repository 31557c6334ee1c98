"""Shared helpers: a copy of the sample experiment with reference bodies (and a fault) applied,
and `python/bin/modal` run as a real subprocess against a private MODAL_STANDIN_HOME."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(PYTHON_DIR)
TEMPLATE = os.path.join(ROOT, "templates", "sample-experiment")
MODAL = os.path.join(PYTHON_DIR, "bin", "modal")
TOOL = os.path.join(PYTHON_DIR, "tools", "sample_solution.py")
SCRIPT = os.path.join("RVQExperiment", "phase3", "modal_phase3_libero_eval.py")

SMOKE = ["--task-suite", "libero_spatial", "--num-trials", "1", "--no-use-speculative-decoding"]


def run_py(args, cwd=None, env=None):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


class Workspace:
    """A fresh clone-like copy of the sample experiment in a temporary directory."""

    def __init__(self, tasks="1,2,3,4", fault=None):
        self.tmp = tempfile.TemporaryDirectory(prefix="standin-test-")
        self.repo = os.path.join(self.tmp.name, "repo")
        shutil.copytree(TEMPLATE, self.repo, ignore=shutil.ignore_patterns("__pycache__"))
        self.home = os.path.join(self.tmp.name, "home")
        self.script = os.path.join(self.repo, SCRIPT)
        if tasks:
            args = [TOOL, "apply", self.script, "--tasks", tasks] + (["--fault", fault] if fault else [])
            done = run_py(args)
            if done.returncode != 0:
                raise RuntimeError(f"sample_solution.py failed: {done.stderr}")

    def modal(self, *args, seed="0"):
        env = {**os.environ, "MODAL_STANDIN_HOME": self.home, "MODAL_STANDIN_SEED": seed}
        return run_py([MODAL, *args], cwd=self.repo, env=env)

    def run(self, *flags, seed="0"):
        return self.modal("run", SCRIPT, *flags, seed=seed)

    def results_dir(self):
        return os.path.join(self.home, "volumes", "rsd-results")

    def close(self):
        self.tmp.cleanup()


def fault_table():
    """name -> (task, stage, expected output) from `sample_solution.py --list-faults`."""
    out = run_py([TOOL, "--list-faults"]).stdout
    rows = {}
    for line in out.splitlines():
        name, task, stage, expected, _effect = line.split("\t")
        rows[name] = (task, stage, expected)
    return rows
