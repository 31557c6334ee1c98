"""Fake `prismatic` (from the openvla-oft package), `experiments.robot...` helpers (from the
openvla-oft repository) and `libero` (LIBERO benchmark + OffScreenRenderEnv)."""
from __future__ import annotations

import os
import types

from ..libero_suites import SUITES
from ..sim import STATE
from . import tensor as T
from . import world
from .torch_mod import VIRTUAL_FILES

ENV_STEP_S = 0.1        # physics + two 256x256 offscreen renders
ENV_CREATE_S = 6.0      # MuJoCo model from the bddl file + EGL context
ENV_RESET_S = 0.6
LIBERO_ROOT = "/root/LIBERO/libero/libero"


# -- prismatic --------------------------------------------------------------------------
def build_prismatic() -> dict[str, types.ModuleType]:
    from .transformers_mod import OpenVLAForActionPrediction, PrismaticProcessor  # noqa: PLC0415
    mods = {}
    for name in ("prismatic", "prismatic.extern", "prismatic.extern.hf",
                 "prismatic.extern.hf.configuration_prismatic", "prismatic.extern.hf.modeling_prismatic",
                 "prismatic.extern.hf.processing_prismatic"):
        mods[name] = types.ModuleType(name)
        mods[name].__path__ = []
    conf = type("OpenVLAConfig", (), {"model_type": "openvla"})
    mods["prismatic.extern.hf.configuration_prismatic"].OpenVLAConfig = conf
    mods["prismatic.extern.hf.modeling_prismatic"].OpenVLAForActionPrediction = OpenVLAForActionPrediction
    mods["prismatic.extern.hf.processing_prismatic"].PrismaticProcessor = PrismaticProcessor
    mods["prismatic.extern.hf.processing_prismatic"].PrismaticImageProcessor = PrismaticProcessor
    return mods


# -- experiments.robot ------------------------------------------------------------------
def _to_list(action):
    if isinstance(action, T.Tensor):
        return action.tolist(), "tensor"
    if hasattr(action, "tolist") and not isinstance(action, list):
        return action.tolist(), "numpy"
    return list(action), "list"


def _back(vals, kind, like):
    if kind == "numpy":
        import numpy as np  # noqa: PLC0415
        return np.array(vals, dtype=getattr(like, "dtype", None))
    if kind == "tensor":
        return T.Tensor(like.shape, like.dtype, like.device, [v for r in vals for v in r] if vals and isinstance(vals[0], list) else vals)
    return vals


def _map_gripper(action, fn):
    vals, kind = _to_list(action)
    rows = vals if vals and isinstance(vals[0], list) else None
    for r in rows or [vals]:
        r[-1] = fn(r[-1])
    return _back(vals, kind, action)


def normalize_gripper_action(action, binarize=True):
    def f(g):
        g = 2 * (g - 0.0) / (1.0 - 0.0) - 1
        return float((g > 0) - (g < 0)) if binarize else g
    return _map_gripper(action, f)


def invert_gripper_action(action):
    return _map_gripper(action, lambda g: g * -1.0)


def get_libero_image(obs):
    return obs["agentview_image"][::-1, ::-1]


def get_libero_wrist_image(obs):
    return obs["robot0_eye_in_hand_image"][::-1, ::-1]


def get_libero_dummy_action(model_family="openvla"):
    return [0, 0, 0, 0, 0, 0, -1]


def resize_image_for_policy(img, resize_size):
    size = resize_size[0] if isinstance(resize_size, (tuple, list)) else resize_size
    return img.resized(size)


def quat2axisangle(quat):
    return [0.0, 0.0, 0.0]


def build_experiments() -> dict[str, types.ModuleType]:
    names = ["experiments", "experiments.robot", "experiments.robot.libero", "experiments.robot.robot_utils",
             "experiments.robot.libero.libero_utils", "experiments.robot.openvla_utils"]
    mods = {n: types.ModuleType(n) for n in names}
    for n in names[:3]:
        mods[n].__path__ = []
    ru = mods["experiments.robot.robot_utils"]
    ru.normalize_gripper_action = normalize_gripper_action
    ru.invert_gripper_action = invert_gripper_action
    ru.set_seed_everywhere = lambda seed: None
    ru.get_image_resize_size = lambda cfg=None: 224
    ru.DATE_TIME = "2025_01_01-00_00_00"
    lu = mods["experiments.robot.libero.libero_utils"]
    lu.get_libero_image, lu.get_libero_wrist_image = get_libero_image, get_libero_wrist_image
    lu.get_libero_dummy_action, lu.quat2axisangle = get_libero_dummy_action, quat2axisangle
    lu.save_rollout_video = lambda *a, **k: None

    def get_libero_env(task, model_family="openvla", resolution=256):
        env = OffScreenRenderEnv(bddl_file_name=os.path.join(get_libero_path("bddl_files"), task.problem_folder, task.bddl_file),
                                 camera_heights=resolution, camera_widths=resolution)
        return env, task.language
    lu.get_libero_env = get_libero_env
    ou = mods["experiments.robot.openvla_utils"]
    ou.resize_image_for_policy = resize_image_for_policy
    return mods


# -- libero -----------------------------------------------------------------------------
class Task:
    def __init__(self, suite, i, language):
        self.name = language.replace(" ", "_").upper()[:60]
        self.language = language
        self.problem = "libero_tabletop_manipulation"
        self.problem_folder = suite
        self.bddl_file = f"{suite}__task{i}.bddl"
        self.init_states_file = f"{suite}__task{i}.pruned_init"


class _InitStates(list):
    needs_pickle = True      # real files are pickled numpy arrays


class _InitState:
    def __init__(self, suite, task, idx):
        self.key = (suite, task, idx)
        self.shape = (79,)


def get_libero_path(kind):
    return {"bddl_files": f"{LIBERO_ROOT}/bddl_files", "init_states": f"{LIBERO_ROOT}/init_files",
            "benchmark_root": LIBERO_ROOT, "datasets": "/data/libero/datasets"}[kind]


def _make_suite(name, torch_mod):
    class Benchmark:
        def __init__(self, task_order_index=0):
            self.name = name
            self.tasks = [Task(name, i, d) for i, d in enumerate(SUITES[name])]
            self.n_tasks = len(self.tasks)

        def get_num_tasks(self):
            return self.n_tasks

        def get_task_names(self):
            return [t.name for t in self.tasks]

        def get_task(self, i):
            return self.tasks[i]

        def get_task_init_states(self, i):
            init_states_path = os.path.join(get_libero_path("init_states"), self.tasks[i].problem_folder,
                                            self.tasks[i].init_states_file)
            VIRTUAL_FILES[init_states_path] = _InitStates(_InitState(name, i, k) for k in range(50))
            if STATE.image_has("sed", "weights_only=False", "benchmark/__init__.py"):
                return torch_mod.load(init_states_path, weights_only=False)
            return torch_mod.load(init_states_path)
    Benchmark.__name__ = name.upper()
    return Benchmark


class OffScreenRenderEnv:
    _uid = 0

    def __init__(self, bddl_file_name=None, camera_heights=128, camera_widths=128, has_renderer=False,
                 has_offscreen_renderer=True, use_camera_obs=True, **kwargs):
        if has_renderer:
            raise ImportError("Cannot initialize a EGL device display. This likely means that your EGL driver does not "
                              "support the PLATFORM_DEVICE extension, which is required for creating a headless "
                              "rendering context.")
        if os.environ.get("MUJOCO_GL") != "egl" or os.environ.get("PYOPENGL_PLATFORM") != "egl":
            raise AttributeError("'NoneType' object has no attribute 'eglQueryString'")
        base = os.path.basename(str(bddl_file_name or ""))
        if "__task" not in base:
            raise FileNotFoundError(2, "No such file or directory", str(bddl_file_name))
        self.suite, rest = base.split("__task", 1)
        self.task_id = int(rest.split(".")[0])
        self.res = camera_heights
        STATE.clock.advance(ENV_CREATE_S)
        self._episode(0)

    def _episode(self, idx):
        OffScreenRenderEnv._uid += 1
        self.uid = OffScreenRenderEnv._uid
        self.idx = idx
        self.plan = world.plan(self.suite, self.task_id, idx)
        self.t = 0
        self.done = False
        self.grip_bad = self.arm_bad = self.counted = 0

    def _obs(self):
        o = (self.suite, self.task_id, self.idx, self.t, False, self.uid)
        img = world.FakeImage(self.res, self.res, o)
        return {"agentview_image": img, "robot0_eye_in_hand_image": world.FakeImage(self.res, self.res, o),
                "robot0_eef_pos": [0.1, 0.0, 1.0], "robot0_eef_quat": [0.0, 1.0, 0.0, 0.0],
                "robot0_gripper_qpos": [0.04, -0.04]}

    def seed(self, s):
        return None

    def reset(self):
        STATE.clock.advance(ENV_RESET_S)
        self._episode(self.idx + 1 if self.t else self.idx)
        return self._obs()

    def set_init_state(self, init_state):
        key = getattr(init_state, "key", None)
        self._episode(key[2] if key and key[0] == self.suite and key[1] == self.task_id else self.idx)
        STATE.clock.advance(0.05)
        return self._obs()

    def check_success(self):
        return self.done

    def step(self, action):
        vals, _ = _to_list(action)
        if vals and isinstance(vals[0], list) and len(vals) == 1:
            vals = vals[0]
        if len(vals) != 7 or isinstance(vals[0], list):
            # robosuite's SingleArm.control asserts on len(action), i.e. the rows of a chunk.
            raise AssertionError(f"environment got invalid action dimension -- expected 7, got {len(vals)}")
        STATE.clock.advance(ENV_STEP_S)
        self.t += 1
        pl = self.plan
        if self.t > 10:     # after the no-op wait steps
            self.counted += 1
            g = float(vals[6])
            if (g > -0.5) if self.t < pl.close_step else (g < 0.5):
                self.grip_bad += 1
            if any(abs(float(v)) > 1.0001 for v in vals[:6]):
                self.arm_bad += 1
        if not self.done and self.t >= pl.success_step and self.counted:
            good = self.grip_bad / self.counted < 0.15 and self.arm_bad / self.counted < 0.1
            p = pl.p if good else world.P_BAD_GRIPPER * (pl.p if self.arm_bad == 0 else 0.0)
            if self.uid in world.bad_view:
                p *= world.P_BAD_VIEW
            self.done = pl.u < p
            if not self.done:
                pl.success_step = 10 ** 9     # the attempt failed; it will not succeed later
        return self._obs(), 1.0 if self.done else 0.0, self.done, {}

    def close(self):
        return None


def build_libero(torch_mod) -> dict[str, types.ModuleType]:
    if not STATE.image_has(".libero/config.yaml"):
        print("Do you want to specify a custom path for the dataset folder? (Y/N): ", end="", flush=True)
        raise EOFError("EOF when reading a line")
    names = ["libero", "libero.libero", "libero.libero.benchmark", "libero.libero.envs", "libero.libero.utils"]
    mods = {n: types.ModuleType(n) for n in names}
    for n in names:
        mods[n].__path__ = []
    bm = mods["libero.libero.benchmark"]
    classes = {name: _make_suite(name, torch_mod) for name in SUITES}
    bm.get_benchmark_dict = lambda: dict(classes)
    bm.get_benchmark = lambda name: classes[name.lower()]
    mods["libero.libero"].benchmark = bm
    mods["libero.libero"].get_libero_path = get_libero_path
    mods["libero.libero.envs"].OffScreenRenderEnv = OffScreenRenderEnv
    mods["libero.libero"].envs = mods["libero.libero.envs"]
    mods["libero"].libero = mods["libero.libero"]
    return mods
