"""The simulated container: which modules the recorded image provides, the function's
environment (mounts, env vars, simulated time, timeout), and how remote failures surface."""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import random
import string
import sys
import time
import traceback

from . import volumes
from .fakes import modal_mod, robot_mods, torch_mod, transformers_mod, world
from .fakes.pathmap import PathPatch
from .sim import STATE, ContainerTimeout, Gpu

HEAVY = ("torch", "transformers", "prismatic", "libero", "experiments", "bitsandbytes", "robosuite")
SCRIPT_DIR = {"path": ""}


class RemoteCrash(BaseException):
    """The remote function raised; its traceback has been printed already."""


def _mod_error(name):
    return ModuleNotFoundError(f"No module named '{name}'", name=name)


def _oft_dirs():
    dirs = []
    for c in STATE.image_commands:
        if "git clone" in c and "moojink/openvla-oft" in c:
            tail = c.split("openvla-oft", 1)[1].split("&&")[0].split()
            tail = [t for t in tail if not t.startswith("-") and t not in (".git",)]
            dirs.append(tail[0] if tail and tail[0] != ".git" else "openvla-oft")
    return dirs


class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self):
        self.built: dict[str, object] = {}

    def _group(self, top):
        if top == "torch":
            return torch_mod.build()
        if top == "transformers":
            return transformers_mod.build()
        if top == "prismatic":
            return robot_mods.build_prismatic()
        if top == "experiments":
            return robot_mods.build_experiments()
        if top in ("bitsandbytes", "robosuite"):
            import types  # noqa: PLC0415
            return {top: types.ModuleType(top)}
        if top == "libero":
            self._provide("torch")
            return robot_mods.build_libero(sys.modules["torch"])
        return {}

    def _available(self, top, name):
        if top == "torch":
            return STATE.image_has("install", "torch")
        if top == "transformers":
            return STATE.image_has("install", "transformers") or STATE.image_has("install", "openvla-oft")
        if top == "prismatic":
            return STATE.image_has("install", "openvla-oft")
        if top == "libero":
            return STATE.image_has("Lifelong-Robot-Learning/LIBERO") and STATE.image_has("install", "LIBERO")
        if top in ("bitsandbytes", "robosuite"):
            return STATE.image_has("install", top)
        if top == "experiments":
            pp = os.environ.get("PYTHONPATH", "").split(":")
            for d in _oft_dirs():
                full = d if d.startswith("/") else os.path.join("/root", d)
                if any(os.path.normpath(p) == os.path.normpath(full) for p in sys.path + pp if p):
                    return True
            return False
        return False

    def _provide(self, top):
        if top not in sys.modules:
            for k, v in self._group(top).items():
                sys.modules[k] = v

    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top == "modal":
            return importlib.machinery.ModuleSpec(name, self)
        if top in HEAVY:
            if not STATE.in_container or not self._available(top, name):
                raise _mod_error(top)
            if name == "libero.libero.envs" and not STATE.image_has("robosuite==1.4.1"):
                raise _mod_error("robosuite.environments.manipulation.single_arm_env")
            self._provide(top)
            if name not in sys.modules:
                raise _mod_error(name)
            return importlib.machinery.ModuleSpec(name, self)
        if STATE.in_container and path is None and SCRIPT_DIR["path"] and top not in STATE.local_sources:
            d = SCRIPT_DIR["path"]
            if os.path.isdir(os.path.join(d, top)) or os.path.isfile(os.path.join(d, top + ".py")):
                raise _mod_error(top)
        return None

    def create_module(self, spec):
        if spec.name.split(".")[0] == "modal" and spec.name not in sys.modules:
            for k, v in modal_mod.build().items():
                sys.modules[k] = v
        return sys.modules[spec.name]

    def exec_module(self, module):
        return None


FINDER = Finder()


def install_finder():
    if FINDER not in sys.meta_path:
        sys.meta_path.insert(0, FINDER)


def _rand_id(prefix, n=22):
    return prefix + "".join(random.choice(string.ascii_letters + string.digits) for _ in range(n))


class _SimTime:
    NAMES = ("time", "perf_counter", "monotonic", "sleep", "time_ns", "perf_counter_ns", "monotonic_ns")

    def __enter__(self):
        self.saved = {n: getattr(time, n) for n in self.NAMES}
        c = STATE.clock
        time.time = time.perf_counter = time.monotonic = lambda: c.now
        time.time_ns = time.perf_counter_ns = time.monotonic_ns = lambda: int(c.now * 1e9)
        time.sleep = lambda s: c.advance(max(0.0, float(s)))
        return self

    def __exit__(self, *exc):
        for n, f in self.saved.items():
            setattr(time, n, f)
        return False


def user_traceback(exc, in_container: bool) -> str:
    base = SCRIPT_DIR["path"]
    lines = ["Traceback (most recent call last):"]
    for f in traceback.extract_tb(exc.__traceback__):
        if not base or not os.path.abspath(f.filename).startswith(base + os.sep):
            continue
        shown = "/root/" + os.path.relpath(f.filename, base) if in_container else os.path.relpath(f.filename)
        lines.append(f'  File "{shown}", line {f.lineno}, in {f.name}')
        if f.line:
            lines.append(f"    {f.line.strip()}")
    lines.append("".join(traceback.format_exception_only(type(exc), exc)).rstrip("\n"))
    return "\n".join(lines)


def call_remote(fn, args, kwargs):
    if STATE.in_container:
        return fn.raw_f(*args, **kwargs)
    opts = fn.options
    image = opts["image"]
    STATE.image_commands = list(image.steps)
    STATE.image_env = dict(image.env_vars)
    STATE.local_sources = set(image.local_sources)
    STATE.mounts = {p: volumes.ensure(v.name) for p, v in opts["volumes"].items()}
    STATE.gpu = Gpu(STATE.gpu.total / (1024 ** 3))
    STATE.cuda_context_done = False
    STATE.salt = repr((args, sorted(kwargs.items())))
    world.bad_view.clear()
    timeout = opts["timeout"]
    saved_env, saved_path = dict(os.environ), list(sys.path)
    saved_mods = set(sys.modules)
    saved_err = sys.stderr
    os.environ.update(STATE.image_env)
    STATE.in_container = True
    sys.stderr = sys.stdout            # remote stderr arrives on local stdout
    STATE.clock.arm(timeout)
    try:
        with _SimTime(), PathPatch():
            return fn.raw_f(*args, **kwargs)
    except ContainerTimeout:
        sys.stdout.flush()
        raise modal_mod.FunctionTimeoutError(
            f"Task's current input {_rand_id('in-', 26)} hit its timeout of {timeout}s") from None
    except Exception as e:  # noqa: BLE001 - any user exception crashes the container
        sys.stdout.flush()
        print(user_traceback(e, True), file=saved_err, flush=True)
        print(f"Stopping app - uncaught exception raised in remote container: {e!r}.", flush=True)
        raise RemoteCrash() from None
    finally:
        STATE.clock.disarm()
        STATE.in_container = False
        sys.stderr = saved_err
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path
        for k in set(sys.modules) - saved_mods:
            del sys.modules[k]
