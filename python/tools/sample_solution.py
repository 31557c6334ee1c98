#!/usr/bin/env python3
"""Writes the reference bodies of the TASK 1..4 regions into an evaluation script, optionally
with one known fault injected, so that every failure of the Phase 3 guide can be reproduced.

    sample_solution.py apply SCRIPT [--tasks 1,2,3,4] [--fault NAME]
    sample_solution.py --list-faults

Prints nothing on success (exit 0); usage problems exit 2 with a message on stderr.
"""
from __future__ import annotations

import argparse
import os
import re
import sys

SOLUTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "solutions")


class Fault:
    def __init__(self, name, task, edits, signature, effect, shows="smoke"):
        self.name, self.task, self.edits = name, task, edits      # task 0: harness code
        self.signature, self.effect = signature, effect           # expected output text; what happens
        self.shows = shows      # the first stage whose output has the signature: smoke, or spec-on


FAULTS = [
    Fault("oom-unquantised", 1,
          [("    quantization_config=quantization,\n", ""), ("(4-bit)", "(bf16)")],
          "CUDA out of memory. Tried to allocate",
          "main model loaded in bf16 without quantization: torch.OutOfMemoryError at the first forward pass"),
    Fault("checkpoint-module-prefix", 2,
          [('state_dict = {k.removeprefix("module."): v for k, v in state_dict.items()}\n', "")],
          "Error(s) in loading state_dict for DraftModel",
          "draft checkpoint keys keep the DataParallel 'module.' prefix: RuntimeError with Missing key(s) and "
          "Unexpected key(s)"),
    Fault("checkpoint-bare-state-dict", 1,
          [('if "model_state_dict" in checkpoint:\n    state_dict = checkpoint["model_state_dict"]\n'
            'elif "rfsq_head" in checkpoint:\n    state_dict = checkpoint["rfsq_head"]\nelse:\n'
            '    state_dict = checkpoint\n', 'state_dict = checkpoint["model_state_dict"]\n')],
          "KeyError: 'model_state_dict'",
          "the RFSQ head checkpoint is a bare state dict but is read as checkpoint['model_state_dict']"),
    Fault("no-sed-patch", 0,
          [('        "sed -i \'s/torch.load(init_states_path)/torch.load(init_states_path, weights_only=False)/\' "\n'
            '        "/root/LIBERO/libero/libero/benchmark/__init__.py",\n', "")],
          "_pickle.UnpicklingError: Weights only load failed",
          "image without the LIBERO sed patch: torch >= 2.6 refuses the pickled init states"),
    Fault("no-prismatic", 0,
          [("        \"uv pip install --system 'openvla-oft @ git+https://github.com/moojink/openvla-oft.git'\",\n", "")],
          "ModuleNotFoundError: No module named 'prismatic'",
          "image without the openvla-oft package"),
    Fault("rfsq-hidden-64", 3,
          [("ActionRFSQAE(action_dim=7, hidden_dim=16,", "ActionRFSQAE(action_dim=7, hidden_dim=64,")],
          "size mismatch for encoder.2.weight",
          "RFSQ decoder built with hidden_dim=64 while Phase 1 trained hidden_dim=16"),
    Fault("gripper-not-inverted", 4,
          [("action = postprocess_action(actions.popleft(), normalize_gripper_action, invert_gripper_action)\n",
            "action = actions.popleft()\n")],
          "Success: False",
          "gripper not normalised/inverted: episodes (almost) never succeed, no error"),
    Fault("episode-crash", 4,
          [("actions.extend(engine.predict_action_chunk(", "actions.append(engine.predict_action_chunk(")],
          "Episode error: environment got invalid action dimension -- expected 7, got 8",
          "the whole action chunk is sent to env.step: every episode crashes and is logged as a failure"),
    Fault("timeout-short", 0,
          [("    timeout=4 * 60 * 60,        # a 50-trial run (500 episodes) takes 2-3 hours\n",
            "    timeout=300,\n")],
          "hit its timeout of 300s",
          "function timeout of 300 s: modal.exception.FunctionTimeoutError during the run"),
    Fault("draft-not-used", 3,
          [("draft_model=draft_model if use_speculative_decoding else None,", "draft_model=None,")],
          "Draft acceptance rate: n/a",
          "engine built without the draft model: draft=no, ~85-90 ms/step instead of ~50", shows="spec-on"),
    Fault("str-bool-param", 0,
          [("use_speculative_decoding: bool = True):", 'use_speculative_decoding: str = "True"):')],
          "No such option '--no-use-speculative-decoding'",
          "entrypoint parameter typed str: no switch pair; `--use-speculative-decoding False` passes the "
          "truthy string 'False' and speculative decoding stays on"),
]
BY_NAME = {f.name: f for f in FAULTS}
MARK = re.compile(r"^(?P<indent>[ \t]*)# ==== TASK (?P<n>\d) (?P<kind>BEGIN|END) ====[ \t]*$")


class InputProblem(Exception):
    pass


def solution_body(task: int) -> list[str]:
    with open(os.path.join(SOLUTIONS, f"task{task}.py"), encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    while lines and lines[0].startswith("# Body of TASK"):
        lines.pop(0)
    return lines


def regions(lines: list[str]) -> dict[int, tuple[int, int, str]]:
    """task -> (BEGIN line index, END line index, indentation)."""
    begins, found = {}, {}
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        n = int(m.group("n"))
        if m.group("kind") == "BEGIN":
            begins[n] = (i, m.group("indent"))
        elif n in begins:
            found[n] = (begins[n][0], i, begins[n][1])
    return found


def inject(text: str, fault: Fault) -> str:
    for old, new in fault.edits:
        count = text.count(old)
        if count != 1:
            raise InputProblem(f"fault {fault.name}: the text it changes occurs {count} times, expected once")
        text = text.replace(old, new)
    return text


def apply(text: str, tasks: list[int], fault: Fault | None) -> str:
    """Task faults edit the reference body (before indentation); harness faults edit the script."""
    if fault and fault.task and fault.task not in tasks:
        raise InputProblem(f"fault {fault.name} changes TASK {fault.task}; include it in --tasks")
    lines = text.splitlines()
    where = regions(lines)
    for n in sorted(tasks, reverse=True):          # bottom-up keeps earlier indices valid
        if n not in where:
            raise InputProblem(f"no '# ==== TASK {n} BEGIN/END ====' region in the script")
        begin, end, indent = where[n]
        body = "\n".join(solution_body(n)) + "\n"
        if fault and fault.task == n:
            body = inject(body, fault)
        lines[begin + 1:end] = [(indent + line) if line.strip() else "" for line in body.splitlines()]
    out = "\n".join(lines) + "\n"
    return inject(out, fault) if fault and not fault.task else out


def parse_tasks(spec: str) -> list[int]:
    try:
        tasks = sorted({int(t) for t in spec.split(",") if t.strip()})
    except ValueError:
        raise InputProblem(f"--tasks: expected numbers like 1,2,3,4, got {spec!r}") from None
    if not tasks or any(t not in (1, 2, 3, 4) for t in tasks):
        raise InputProblem(f"--tasks: tasks are 1..4, got {spec!r}")
    return tasks


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="sample_solution.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--list-faults", action="store_true",
                        help="print NAME<TAB>TASK<TAB>STAGE<TAB>EXPECTED OUTPUT<TAB>EFFECT, one fault a line")
    sub = parser.add_subparsers(dest="cmd")
    ap = sub.add_parser("apply", help="write the reference task bodies into SCRIPT (in place)")
    ap.add_argument("script")
    ap.add_argument("--tasks", default="1,2,3,4")
    ap.add_argument("--fault", choices=[f.name for f in FAULTS])
    args = parser.parse_args(argv)      # argparse exits 2 on bad usage
    if args.list_faults:
        for f in FAULTS:
            print(f"{f.name}\t{f.task or 'harness'}\t{f.shows}\t{f.signature}\t{f.effect}")
        return 0
    if args.cmd != "apply":
        parser.print_usage(sys.stderr)
        return 2
    try:
        with open(args.script, encoding="utf-8") as fh:
            text = fh.read()
        out = apply(text, parse_tasks(args.tasks), BY_NAME.get(args.fault))
    except (OSError, InputProblem) as e:
        print(f"sample_solution.py: {e}", file=sys.stderr)
        return 2
    with open(args.script, "w", encoding="utf-8") as fh:
        fh.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
