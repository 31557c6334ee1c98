"""Phase 3: evaluate OpenVLA-OFT + RFSQ action head with residual speculative decoding (RSD)
on LIBERO, on a Modal A100.

    modal run RVQExperiment/phase3/modal_phase3_libero_eval.py --task-suite libero_spatial --num-trials 1 \
        --no-use-speculative-decoding
    modal run RVQExperiment/phase3/modal_phase3_libero_eval.py --num-trials 50                  # RSD on
    modal run RVQExperiment/phase3/modal_phase3_libero_eval.py --num-trials 50 --no-use-speculative-decoding

`use_speculative_decoding` is a bool, so Modal turns it into the switch pair
`--use-speculative-decoding / --no-use-speculative-decoding` (it takes no value).

Checkpoints live on the `rsd-models` volume (mounted at /models):
    /models/openvla_oft_rfsq/best_model.pt            RFSQ action head (Phase 2)
    /models/phase2_draft_model/best_draft_model.pt    draft model (Phase 2)
    /models/rfsq_autoencoder.pt                       RFSQ autoencoder (Phase 1, hidden_dim=16)
Results are written as JSON to the `rsd-results` volume (mounted at /results).

The four functions marked TASK 1..4 are to be implemented (see AGENT_INSTRUCTIONS.md); the rest
of this file is the evaluation harness.

Flow of one run (all inside the Modal function, on the GPU):
    1. open the LIBERO suite                                  (harness)
    2. load OpenVLA-OFT + the RFSQ action head                (TASK 1, load_main_model)
    3. one forward pass on a real observation                 (harness, check_main_model)
    4. load the draft model                                   (TASK 2, load_draft_model)
    5. build the RFSQ decoder and the RSD engine              (TASK 3, build_rsd_engine)
    6. warm-up query, then every task x num_trials episodes   (TASK 4, run_libero_episodes)
    7. summary, results JSON on the rsd-results volume        (harness)

What the log ends with (the experiment notebook and the supervisor read these lines):
    Models loaded: main=<name> draft=<yes|no> (GPU memory <x.x> GiB)
    LIBERO environment created: <suite> (<n> tasks)
    ... per-episode lines in the OpenVLA-OFT format (Task:, Starting episode N..., Success: ...) ...
    ... and after each episode: Episode inference time: <x.x> ms/step (<n> queries), env done: <yes|no>
    Total episodes: N
    Total successes: S
    Overall success rate: 0.9000 (90.0%)
    Average inference time: 48.3 ms/step (draft 2.1 ms, main 46.2 ms)
    Draft acceptance rate: 0.71              ("n/a" when nothing was drafted)
    Task <i> success: <s>/<n> (<pct>%)       (one line per task)
    Results saved to /results/<file>.json

A "step" in the timing is one policy query, i.e. one action chunk of ACTION_CHUNK actions.
"""
import json
import os
import time

import modal

APP_NAME = "rsd-phase3-libero-eval"
MODELS_DIR, DATA_DIR, RESULTS_DIR = "/models", "/data", "/results"

BASE_MODEL = "moojink/openvla-7b-oft-finetuned-libero-spatial"
RFSQ_HEAD_PATH = f"{MODELS_DIR}/openvla_oft_rfsq/best_model.pt"
DRAFT_MODEL_PATH = f"{MODELS_DIR}/phase2_draft_model/best_draft_model.pt"
RFSQ_DECODER_PATH = f"{MODELS_DIR}/rfsq_autoencoder.pt"

# As in openvla-oft experiments/robot/libero/run_libero_eval.py.
MAX_STEPS = {"libero_spatial": 220, "libero_object": 280, "libero_goal": 300, "libero_10": 520,
             "libero_90": 400}
NUM_STEPS_WAIT = 10          # no-op steps while objects settle after set_init_state
ACTION_CHUNK = 8             # actions per policy query (open-loop execution of the chunk)
ENV_RESOLUTION = 256         # camera resolution of the simulator
POLICY_IMAGE_SIZE = 224      # image size the policy expects
SEED = 7

LIBERO_CONFIG = "\\n".join([        # printf escapes, one line of ~/.libero/config.yaml each
    "benchmark_root: /root/LIBERO/libero/libero",
    "bddl_files: /root/LIBERO/libero/libero/bddl_files",
    "init_states: /root/LIBERO/libero/libero/init_files",
    "datasets: /data/libero/datasets",
    "assets: /root/LIBERO/libero/libero/assets",
])

image = (
    modal.Image.debian_slim(python_version="3.10")
    .apt_install("git", "libgl1", "libglib2.0-0", "libegl1", "libosmesa6-dev", "ffmpeg")
    .pip_install("uv")
    .run_commands(
        "uv pip install --system torch==2.6.0 torchvision==0.21.0 --index-url https://download.pytorch.org/whl/cu124",
        # OpenVLA-OFT ships `prismatic` and pins its own transformers fork.
        "uv pip install --system 'openvla-oft @ git+https://github.com/moojink/openvla-oft.git'",
        "uv pip install --system bitsandbytes==0.45.3 robosuite==1.4.1 bddl==1.0.1 easydict cloudpickle gym==0.25.2",
        "git clone https://github.com/Lifelong-Robot-Learning/LIBERO.git /root/LIBERO",
        "uv pip install --system -e /root/LIBERO",
        # torch >= 2.6 defaults to weights_only=True; LIBERO's init states are pickled numpy arrays.
        "sed -i 's/torch.load(init_states_path)/torch.load(init_states_path, weights_only=False)/' "
        "/root/LIBERO/libero/libero/benchmark/__init__.py",
        # experiments/ (LIBERO helpers) is not an installed package: clone it and put it on PYTHONPATH.
        "git clone https://github.com/moojink/openvla-oft.git /root/openvla-oft",
        # LIBERO asks for its paths on stdin on first import unless the config exists.
        f"mkdir -p /root/.libero && printf '{LIBERO_CONFIG}' > /root/.libero/config.yaml",
    )
    .env({"MUJOCO_GL": "egl", "PYOPENGL_PLATFORM": "egl", "PYTHONPATH": "/root/openvla-oft",
          "TOKENIZERS_PARALLELISM": "false", "HF_HOME": f"{MODELS_DIR}/hf_cache"})
    .add_local_python_source("rsd")
)

models_volume = modal.Volume.from_name("rsd-models")
data_volume = modal.Volume.from_name("rsd-libero-data")
results_volume = modal.Volume.from_name("rsd-results", create_if_missing=True)

app = modal.App(APP_NAME, image=image)


# ---------------------------------------------------------------------------------------------
# Harness helpers
# ---------------------------------------------------------------------------------------------
def gpu_memory_gib():
    import torch

    return torch.cuda.memory_allocated() / 1024 ** 3


def make_libero_env(task_suite, task_id, resolution=ENV_RESOLUTION):
    """LIBERO env for one task, headless: (env, task description, init states)."""
    from libero.libero import get_libero_path
    from libero.libero.envs import OffScreenRenderEnv

    task = task_suite.get_task(task_id)
    init_states = task_suite.get_task_init_states(task_id)
    bddl_file = os.path.join(get_libero_path("bddl_files"), task.problem_folder, task.bddl_file)
    env = OffScreenRenderEnv(bddl_file_name=bddl_file, camera_heights=resolution, camera_widths=resolution,
                             has_renderer=False, has_offscreen_renderer=True, use_camera_obs=True)
    env.seed(SEED)
    return TimedEnv(env), task.language, init_states


class TimedEnv:
    """The LIBERO env, plus one log line per episode, printed when the episode ends (the env is
    reset for the next one, or closed): its mean inference time, and whether the environment
    itself signalled done (LIBERO's success) during the episode:
        Episode inference time: 52.8 ms/step (27 queries), env done: yes
    so the timing can be followed over episodes while the evaluation streams, and the totals the
    summary prints can be checked against what the environment reported."""

    stats = None                 # the engine's InferenceStats, set once the engine exists
    _seen = (None, 0)            # (stats.step_ms list, queries already reported)

    def __init__(self, env):
        self._env = env
        self._stepped = 0        # env.step calls since the last reset
        self._done = False       # whether one of them returned done

    def __getattr__(self, name):
        return getattr(self._env, name)

    def step(self, action):
        out = self._env.step(action)
        self._stepped += 1
        self._done = self._done or bool(out[2])
        return out

    def _report(self):
        if TimedEnv.stats is None or self._stepped == 0:
            return
        steps = TimedEnv.stats.step_ms
        seen = TimedEnv._seen[1] if TimedEnv._seen[0] is steps else 0
        new = steps[seen:]
        TimedEnv._seen = (steps, len(steps))
        mean = f"{sum(new) / len(new):.1f} ms/step" if new else "n/a"
        print(f"Episode inference time: {mean} ({len(new)} queries), env done: {'yes' if self._done else 'no'}")
        self._stepped, self._done = 0, False

    def reset(self, *args, **kwargs):
        self._report()
        return self._env.reset(*args, **kwargs)

    def close(self):
        self._report()
        return self._env.close()


def policy_image(obs):
    """Camera image as the policy was trained on: rotated 180 degrees, resized to 224."""
    from experiments.robot.libero.libero_utils import get_libero_image
    from experiments.robot.openvla_utils import resize_image_for_policy

    return resize_image_for_policy(get_libero_image(obs), POLICY_IMAGE_SIZE)


def check_main_model(vla, processor, rfsq_head, obs, description):
    """One forward pass of the main model and the RFSQ head on a real observation, so that
    loading problems show up before the long evaluation starts."""
    import torch

    from rsd import build_prompt

    inputs = processor(build_prompt(description), policy_image(obs), return_tensors="pt")
    inputs = inputs.to(vla.device, dtype=torch.bfloat16)
    with torch.no_grad():
        out = vla(**inputs, output_hidden_states=True)
        hidden = out.hidden_states[-1][:, -1, :]
        logits = rfsq_head(hidden.to(next(rfsq_head.parameters()).dtype), 0)
    print(f"Main model check: hidden {list(hidden.shape)}, level-0 logits {list(logits.shape)}")


def save_results(summary, num_trials):
    """Writes the results JSON to the rsd-results volume; returns its path in the container."""
    stamp = time.strftime("%Y%m%d_%H%M%S", time.gmtime(time.time()))
    mode = "rsd" if summary["use_speculative_decoding"] else "baseline"
    path = f"{RESULTS_DIR}/phase3_{summary['task_suite']}_{mode}_{num_trials}trials_{stamp}.json"
    with open(path, "w") as fh:
        json.dump({**summary, "num_trials": num_trials, "base_model": BASE_MODEL, "finished_at": stamp}, fh,
                  indent=2)
    results_volume.commit()
    return path


# ---------------------------------------------------------------------------------------------
# TASK 1: main model (OpenVLA-OFT + RFSQ action head)
# ---------------------------------------------------------------------------------------------
def load_main_model(device):
    """Returns (vla, processor, rfsq_head), all ready for inference on `device`."""
    from rsd import RFSQActionHead, register_openvla  # noqa: F401  (imports prismatic)
    import torch  # noqa: F401
    from transformers import AutoModelForVision2Seq, AutoProcessor, BitsAndBytesConfig  # noqa: F401

    # ==== TASK 1 BEGIN ====
    # TODO: Load the main model: OpenVLA-OFT (BASE_MODEL) with its processor, and the RFSQ action
    # head (RFSQActionHead) from RFSQ_HEAD_PATH. See AGENT_INSTRUCTIONS.md, Task 1.
    raise NotImplementedError("Task 1: load the main model")
    # ==== TASK 1 END ====


# ---------------------------------------------------------------------------------------------
# TASK 2: draft model
# ---------------------------------------------------------------------------------------------
def load_draft_model(device):
    """Returns the Phase 2 draft model (rsd.DraftModel) with its weights, ready on `device`."""
    from rsd import DraftModel  # noqa: F401
    import torch  # noqa: F401

    # ==== TASK 2 BEGIN ====
    # TODO: Load the draft model from DRAFT_MODEL_PATH. See AGENT_INSTRUCTIONS.md, Task 2.
    raise NotImplementedError("Task 2: load the draft model")
    # ==== TASK 2 END ====


def describe_models(vla, engine):
    name = getattr(vla, "name_or_path", type(vla).__name__)
    draft = "yes" if engine.draft_model is not None else "no"
    return f"Models loaded: main={name} draft={draft} (GPU memory {gpu_memory_gib():.1f} GiB)"


def warm_up(engine, obs, description):
    """First query compiles kernels and fills caches; it is not counted in the timing."""
    engine.predict_action_chunk(policy_image(obs), description)
    engine.stats.reset()


def open_suite(task_suite_name):
    from libero.libero import benchmark

    suites = benchmark.get_benchmark_dict()
    if task_suite_name not in suites:
        raise ValueError(f"Unknown task suite {task_suite_name!r}; expected one of {sorted(suites)}")
    return suites[task_suite_name]()


def first_observation(task_suite):
    """Env of the first task at its first initial state: checks that LIBERO works headless and
    gives the model checks a real observation."""
    env, description, init_states = make_libero_env(task_suite, 0)
    env.reset()
    obs = env.set_init_state(init_states[0])
    env.close()
    return obs, description


def log_config(task_suite_name, num_trials, use_speculative_decoding):
    import torch

    print(f"Phase 3 evaluation: suite={task_suite_name} trials/task={num_trials} "
          f"speculative_decoding={'on' if use_speculative_decoding else 'off'}")
    print(f"torch {torch.__version__}, GPU {torch.cuda.get_device_name(0)}")


# ---------------------------------------------------------------------------------------------
# TASK 3: RSD engine
# ---------------------------------------------------------------------------------------------
def build_rsd_engine(vla, processor, rfsq_head, draft_model, use_speculative_decoding, device):
    """Returns an rsd.RSDEngine wired with the RFSQ decoder (and the draft model when enabled)."""
    from rsd import ActionRFSQAE, RSDEngine  # noqa: F401
    import torch  # noqa: F401

    # ==== TASK 3 BEGIN ====
    # TODO: Build the RFSQ decoder from RFSQ_DECODER_PATH and the RSD engine. See
    # AGENT_INSTRUCTIONS.md, Task 3.
    raise NotImplementedError("Task 3: build the RSD engine")
    # ==== TASK 3 END ====


def check_per_task(per_task, n_tasks):
    """The episode loop must return one (episodes, successes) pair per task."""
    if not isinstance(per_task, (list, tuple)) or len(per_task) != n_tasks:
        raise TypeError(f"run_libero_episodes must return {n_tasks} (episodes, successes) pairs, "
                        f"got {type(per_task).__name__}")
    return [(int(n), int(s)) for n, s in per_task]


def summarize(task_suite_name, descriptions, per_task, stats, use_speculative_decoding):
    """Prints the evaluation summary and returns it as a dict for the results JSON."""
    episodes = sum(n for n, _ in per_task)
    successes = sum(s for _, s in per_task)
    rate = successes / episodes if episodes else 0.0
    timing = stats.summary()
    print(f"Total episodes: {episodes}")
    print(f"Total successes: {successes}")
    print(f"Overall success rate: {rate:.4f} ({rate * 100:.1f}%)")
    print(f"Average inference time: {timing['mean_ms']:.1f} ms/step "
          f"(draft {timing['draft_ms']:.1f} ms, main {timing['main_ms']:.1f} ms)")
    acceptance = timing["acceptance_rate"]
    print(f"Draft acceptance rate: {'n/a' if acceptance is None else f'{acceptance:.2f}'}")
    tasks = []
    for i, (n, s) in enumerate(per_task):
        print(f"Task {i + 1} success: {s}/{n} ({(s / n * 100) if n else 0.0:.1f}%)")
        tasks.append({"task_id": i, "description": descriptions[i], "episodes": n, "successes": s,
                      "success_rate": s / n if n else 0.0})
    return {"task_suite": task_suite_name, "use_speculative_decoding": use_speculative_decoding,
            "total_episodes": episodes, "total_successes": successes, "success_rate": rate,
            "per_task": tasks, "inference": {k: v for k, v in timing.items()},
            "step_ms": [round(x, 2) for x in stats.step_ms]}


# ---------------------------------------------------------------------------------------------
# TASK 4: LIBERO evaluation loop
# ---------------------------------------------------------------------------------------------
def run_libero_episodes(engine, task_suite, task_suite_name, num_trials):
    """Runs `num_trials` episodes of every task of the suite with `engine` as the policy, logging
    in the OpenVLA-OFT format. Returns [(episodes, successes)] per task, in task order."""
    from experiments.robot.libero.libero_utils import get_libero_dummy_action  # noqa: F401
    from experiments.robot.robot_utils import invert_gripper_action, normalize_gripper_action  # noqa: F401
    from rsd import postprocess_action  # noqa: F401

    # ==== TASK 4 BEGIN ====
    # TODO: Implement the LIBERO loop (environment per task, initial states, no-op wait steps,
    # action chunks, gripper post-processing, success check, logging, error handling).
    # See AGENT_INSTRUCTIONS.md, Task 4.
    pass
    # ==== TASK 4 END ====


# ---------------------------------------------------------------------------------------------
# Modal function and entrypoint
# ---------------------------------------------------------------------------------------------
@app.function(
    gpu="A100",
    timeout=4 * 60 * 60,        # a 50-trial run (500 episodes) takes 2-3 hours
    volumes={MODELS_DIR: models_volume, DATA_DIR: data_volume, RESULTS_DIR: results_volume},
)
def run_libero_eval(task_suite_name: str, num_trials: int, use_speculative_decoding: bool) -> dict:
    import torch

    log_config(task_suite_name, num_trials, use_speculative_decoding)
    torch.manual_seed(SEED)
    device = torch.device("cuda")
    task_suite = open_suite(task_suite_name)

    vla, processor, rfsq_head = load_main_model(device)                      # Task 1
    obs, description = first_observation(task_suite)
    check_main_model(vla, processor, rfsq_head, obs, description)
    draft_model = load_draft_model(device)                                   # Task 2
    engine = build_rsd_engine(vla, processor, rfsq_head, draft_model,        # Task 3
                              use_speculative_decoding, device)
    print(describe_models(vla, engine))
    print(f"LIBERO environment created: {task_suite_name} ({task_suite.n_tasks} tasks)")
    warm_up(engine, obs, description)
    TimedEnv.stats = engine.stats

    per_task = run_libero_episodes(engine, task_suite, task_suite_name, num_trials)   # Task 4
    per_task = check_per_task(per_task, task_suite.n_tasks)
    descriptions = [task_suite.get_task(i).language for i in range(task_suite.n_tasks)]
    summary = summarize(task_suite_name, descriptions, per_task, engine.stats, use_speculative_decoding)
    summary["gpu_memory_gib"] = round(gpu_memory_gib(), 2)
    path = save_results(summary, num_trials)
    print(f"Results saved to {path}")
    return summary


@app.local_entrypoint()
def main(task_suite: str = "libero_spatial", num_trials: int = 50, use_speculative_decoding: bool = True):
    """Phase 3 LIBERO evaluation of OpenVLA-OFT + RFSQ with residual speculative decoding."""
    summary = run_libero_eval.remote(task_suite, num_trials, use_speculative_decoding)
    print(f"Done: {summary['total_successes']}/{summary['total_episodes']} successes "
          f"({summary['success_rate'] * 100:.1f}%)")
