"""The simulated robot world shared by the fake LIBERO env and the fake models.

An episode has a hidden plan: the step at which the gripper must close and the step at which
the task can succeed. The fake policy (what a correctly wired model stack outputs) follows the
plan; the env checks what the user code actually sends to `env.step`."""
from __future__ import annotations

import math

from ..sim import STATE

# Base success rate per task (index) and max steps per suite (as in run_libero_eval.py).
TASK_SUCCESS = [0.92, 0.90, 0.94, 0.86, 0.80, 0.90, 0.88, 0.84, 0.92, 0.84]
MAX_STEPS = {"libero_spatial": 220, "libero_object": 280, "libero_goal": 300,
             "libero_10": 520, "libero_90": 400}
P_BAD_GRIPPER = 0.04      # gripper not normalised / not inverted
P_BAD_VIEW = 0.15         # factor when the policy saw an unflipped image

_plans: dict[tuple, "Plan"] = {}
bad_view: set[int] = set()      # episode uids whose policy input was not flipped 180 degrees


class Plan:
    __slots__ = ("close_step", "success_step", "p", "u")

    def __init__(self, suite: str, task_id: int, idx: int) -> None:
        rng = STATE.rng("plan", suite, task_id, idx)
        max_steps = MAX_STEPS.get(suite, 300)
        self.success_step = 10 + int(max_steps * rng.uniform(0.32, 0.85))
        self.close_step = 10 + (self.success_step - 10) // 2
        self.p = TASK_SUCCESS[task_id % len(TASK_SUCCESS)] - (0.03 if suite != "libero_spatial" else 0.0)
        self.u = rng.random()


def plan(suite: str, task_id: int, idx: int) -> Plan:
    key = (STATE.seed, STATE.salt, suite, task_id, idx)
    p = _plans.get(key)
    if p is None:
        p = _plans[key] = Plan(suite, task_id, idx)
    return p


def oracle_rows(obs: tuple, n_rows: int) -> list[list[float]]:
    """Action chunk a correctly wired policy outputs: arm deltas in [-1, 1], gripper in [0, 1]
    (1 = open, 0 = close), i.e. before normalize_gripper_action / invert_gripper_action."""
    suite, task_id, idx, t, flipped, uid = obs
    if not flipped:
        bad_view.add(uid)
    pl = plan(suite, task_id, idx)
    rows = []
    for k in range(n_rows):
        s = t + k
        ph = 0.07 * s + task_id
        rows.append([round(0.6 * math.sin(ph), 4), round(0.5 * math.cos(ph), 4),
                     round(0.4 * math.sin(0.5 * ph), 4), round(0.05 * math.cos(ph), 4),
                     round(0.05 * math.sin(ph), 4), round(0.1 * math.cos(0.3 * ph), 4),
                     0.99 if s < pl.close_step else 0.01])
    return rows


class FakeImage:
    """An HxWx3 uint8 camera image. Only orientation and size are tracked."""

    __slots__ = ("shape", "flipped", "obs")

    def __init__(self, h: int, w: int, obs: tuple, flipped: bool = False) -> None:
        self.shape = (h, w, 3)
        self.flipped = flipped
        self.obs = obs

    dtype = "uint8"
    ndim = 3

    def __getitem__(self, idx):
        # img[::-1, ::-1] (the 180 degree flip LIBERO needs) toggles orientation.
        if isinstance(idx, tuple) and len(idx) >= 2 and all(
                isinstance(i, slice) and i.step == -1 for i in idx[:2]):
            return FakeImage(self.shape[0], self.shape[1], self.obs, not self.flipped)
        if isinstance(idx, slice) and idx.step == -1:
            return FakeImage(self.shape[0], self.shape[1], self.obs, self.flipped)  # only one axis
        raise IndexError("only the [::-1, ::-1] flip is supported on simulated camera images")

    def copy(self):
        return FakeImage(self.shape[0], self.shape[1], self.obs, self.flipped)

    def astype(self, _dtype):
        return self.copy()

    def resized(self, size: int) -> "FakeImage":
        return FakeImage(size, size, self.obs, self.flipped)

    def __repr__(self) -> str:
        return f"<image {self.shape[0]}x{self.shape[1]}x3 uint8>"
