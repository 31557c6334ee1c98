"""Shared simulation state: simulated clock, simulated GPU memory, the recorded image."""
from __future__ import annotations

import os
import random

GIB = 1024 ** 3
MIB = 1024 ** 2


class ContainerTimeout(BaseException):
    """Raised inside the simulated container when the function's timeout is hit.

    A BaseException so that `except Exception` in user code (episode loops) cannot swallow it,
    just as a real container is killed from outside."""


class Clock:
    """Simulated seconds. Fakes advance it; real time is never spent."""

    def __init__(self, start: float) -> None:
        self.now = start
        self.deadline: float | None = None
        self.timeout_s = 0

    def arm(self, timeout_s: int) -> None:
        self.timeout_s = timeout_s
        self.deadline = self.now + timeout_s

    def disarm(self) -> None:
        self.deadline = None

    def advance(self, seconds: float) -> None:
        self.now += seconds
        if self.deadline is not None and self.now > self.deadline:
            self.deadline = None
            raise ContainerTimeout(self.timeout_s)


class OutOfMemory(Exception):
    pass


class Gpu:
    """An A100 40 GB as torch reports it: 39.39 GiB total."""

    def __init__(self, total_gib: float) -> None:
        self.total = int(total_gib * GIB)
        self.allocated = 0
        self.peak = 0
        self.reserved_extra = int(251.37 * MIB)

    def alloc(self, nbytes: int) -> None:
        if self.allocated + nbytes > self.total - self.reserved_extra:
            raise OutOfMemory(nbytes)
        self.allocated += nbytes
        self.peak = max(self.peak, self.allocated)

    def free(self, nbytes: int) -> None:
        self.allocated = max(0, self.allocated - nbytes)


class RunState:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.clock = Clock(1_760_000_000.0)
        self.gpu = Gpu(float(os.environ.get("MODAL_STANDIN_GPU_GIB", "39.39")))
        self.image_commands: list[str] = []   # every recorded build step, as text
        self.image_env: dict[str, str] = {}
        self.local_sources: set[str] = set()
        self.mounts: dict[str, str] = {}      # "/models" -> local folder
        self.in_container = False
        self.salt = ""
        self.seed = int(os.environ.get("MODAL_STANDIN_SEED", "0"))
        self.acceptance = float(os.environ.get("MODAL_STANDIN_ACCEPTANCE", "0.71"))
        self.cuda_context_done = False
        self._cmp_counts: dict = {}
        # Kernel timing jitter of simulated model calls (seeded, one stream per run).
        self.noise = random.Random(f"noise|{self.seed}")

    def jitter(self) -> float:
        """A latency factor around 1 (sd ~4%), now and then a slow call (allocator, clocks)."""
        return max(0.85, self.noise.gauss(1.0, 0.04)) * (1.35 if self.noise.random() < 0.01 else 1.0)

    # -- what the recorded image provides -------------------------------------------------
    def image_has(self, *needles: str) -> bool:
        return any(all(n in c for n in needles) for c in self.image_commands)

    def rng(self, *key: object) -> random.Random:
        # str seeds are hashed with sha512 by `random`, so this is stable across processes.
        return random.Random("|".join(str(k) for k in (self.seed, self.salt) + key))


STATE = RunState()
