/**
 * Failures as the model would be shown them: a root cause (the lines that must survive any cut)
 * inside a realistic block (traceback, build log, Modal CLI output), placed in a long log.
 * Texts are the messages real torch, Modal, LIBERO and pip print, word for word.
 */

export interface ErrorCase {
  name: string;
  /** Lines that carry the diagnosis; each must be kept whole. */
  rootCause: string[];
  /** The failure block; `rootCause` lines are among them. */
  block: string[];
  /** Where the block sits in the noise, as a fraction of it (1 = the very end). */
  at: number;
  /** Extra lines spread through the noise before the block (earlier, unrelated errors). */
  decoys?: string[];
  /** The same block printed this many times, spread out (a failure repeated per episode). */
  repeat?: number;
}

const frames = (n: number, file = '/root/RVQExperiment/phase3/modal_phase3_libero_eval.py'): string[] =>
  Array.from({ length: n }, (_, i) => [`  File "${file}", line ${100 + i * 7}, in step_${i}`, `    out = step_${i + 1}(batch, cfg)`]).flat();
const tb = (exception: string[], depth = 12, file?: string): string[] => ['Traceback (most recent call last):', ...frames(depth, file), ...exception];

/** A case whose whole diagnosis is one exception line, ending a traceback `depth` frames deep in `file`. */
const raised = (name: string, exception: string, o: { at: number; depth: number; file: string }): ErrorCase => ({
  name,
  rootCause: [exception],
  block: tb([exception], o.depth, o.file),
  at: o.at,
});

const PIP_RESOLVER = "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. This behaviour is the source of the following dependency conflicts.";
const RETRY = "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ProtocolError('Connection aborted.')': /simple/torch/";

const OOM = 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 324.00 MiB. GPU 0 has a total capacity of 39.39 GiB of which 112.00 MiB is free. Including non-PyTorch memory, this process has 39.27 GiB memory in use.';
const STATE_DICT = 'RuntimeError: Error(s) in loading state_dict for ActionRFSQAE:';
const SIZE = '\tsize mismatch for decoder.proj.weight: copying a param with shape torch.Size([256, 16]) from checkpoint, the shape in current model is torch.Size([256, 64]).';
const UNPICKLE = '_pickle.UnpicklingError: Weights only load failed. This file can still be loaded, to do so you have two options, do those steps only if you trust the source of the checkpoint. ';
const UNSUPPORTED = '\tWeightsUnpickler error: Unsupported global: GLOBAL numpy.core.multiarray._reconstruct was not an allowed global by default. Please use `torch.serialization.add_safe_globals([_reconstruct])` or the `torch.serialization.safe_globals([_reconstruct])` context manager to allowlist this global if you trust this class/function.';

export const ERROR_CASES: ErrorCase[] = [
  {
    name: 'cuda-oom',
    rootCause: [OOM],
    block: [...tb([OOM]), 'Stopping app - uncaught exception raised in remote container: OutOfMemoryError(\'CUDA out of memory.\').'],
    at: 0.85,
    decoys: [RETRY, PIP_RESOLVER],
  },
  {
    name: 'state-dict',
    rootCause: [STATE_DICT, SIZE],
    block: [...tb([STATE_DICT, '\tMissing key(s) in state_dict: "encoder.layers.0.weight", "encoder.layers.0.bias", "decoder.proj.bias".', '\tUnexpected key(s) in state_dict: "module.encoder.weight", "module.decoder.bias".', SIZE])],
    at: 1,
  },
  {
    name: 'unpickling',
    rootCause: [UNPICKLE.trimEnd(), UNSUPPORTED],
    block: tb(
      [
        UNPICKLE,
        '\t(1) In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the file from a trusted source.',
        '\t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in the following error message.',
        UNSUPPORTED,
        '',
        'Check the documentation of torch.load to learn more about types accepted by default with weights_only https://pytorch.org/docs/stable/notes/serialization.html#weights-only-load.',
      ],
      14,
      '/usr/local/lib/python3.10/site-packages/libero/libero/benchmark/__init__.py',
    ),
    at: 0.6,
  },
  {
    name: 'key-model-state-dict',
    rootCause: ["KeyError: 'model_state_dict'"],
    block: tb(['    state = ckpt["model_state_dict"]', "KeyError: 'model_state_dict'"], 4),
    at: 0.97,
  },
  {
    name: 'modal-extra-argument',
    rootCause: ['Error: Got unexpected extra argument (False)'],
    block: ['Usage: modal run [OPTIONS] FUNC_REF', "Try 'modal run -h' for help.", 'Error: Got unexpected extra argument (False)'],
    at: 1,
  },
  {
    name: 'modal-no-such-option',
    rootCause: ["Error: No such option '--num_trials'. Did you mean '--num-trials'?"],
    block: ['Usage: modal run [OPTIONS] FUNC_REF', "Try 'modal run -h' for help.", "Error: No such option '--num_trials'. Did you mean '--num-trials'?"],
    at: 0.5,
  },
  raised('modal-timeout', "modal.exception.FunctionTimeoutError: Task's current input in-01JD8ZK4X0Q7 hit its timeout of 2700s", {
    at: 1,
    depth: 6,
    file: '/usr/local/lib/python3.10/site-packages/modal/cli/run.py',
  }),
  {
    name: 'modal-image-build',
    rootCause: ['ERROR: Could not find a version that satisfies the requirement robosuite==1.5.9 (from versions: 1.0.0, 1.0.1, 1.1.0, 1.2.0, 1.3.0, 1.4.0, 1.4.1, 1.5.0, 1.5.1)'],
    block: [
      'ERROR: Could not find a version that satisfies the requirement robosuite==1.5.9 (from versions: 1.0.0, 1.0.1, 1.1.0, 1.2.0, 1.3.0, 1.4.0, 1.4.1, 1.5.0, 1.5.1)',
      'ERROR: No matching distribution found for robosuite==1.5.9',
      'Terminating task due to error: failed to run builder command "python -m pip install robosuite==1.5.9": container exit status: 1',
      'Image build for im-4R8q0Vn2ZkP1xYtW3sQhJa failed with the exception:',
      'Image build for im-4R8q0Vn2ZkP1xYtW3sQhJa failed.',
    ],
    at: 0.3,
    decoys: [PIP_RESOLVER, RETRY, PIP_RESOLVER],
  },
  {
    name: 'modal-token-missing',
    rootCause: ['Token missing. Could not authenticate client. If you have token credentials, see modal.com/docs/reference/modal.config for setup help.'],
    block: ['Token missing. Could not authenticate client. If you have token credentials, see modal.com/docs/reference/modal.config for setup help.'],
    at: 1,
  },
  {
    name: 'modal-remote-import',
    rootCause: ["ModuleNotFoundError: No module named 'prismatic'"],
    block: [...tb(["ModuleNotFoundError: No module named 'prismatic'"], 5), "Stopping app - uncaught exception raised in remote container: ModuleNotFoundError(\"No module named 'prismatic'\")."],
    at: 0.9,
  },
  raised('robosuite-1.5', "ModuleNotFoundError: No module named 'robosuite.environments.manipulation.single_arm_env'", {
    at: 0.7,
    depth: 9,
    file: '/usr/local/lib/python3.10/site-packages/libero/libero/envs/robots/mounted_panda.py',
  }),
  raised('egl', "AttributeError: 'NoneType' object has no attribute 'eglQueryString'", {
    at: 0.4,
    depth: 10,
    file: '/usr/local/lib/python3.10/site-packages/OpenGL/platform/egl.py',
  }),
  {
    name: 'libero-stdin',
    rootCause: ['EOFError: EOF when reading a line'],
    block: [
      'Do you want to specify a custom path for the dataset folder? (Y/N): ',
      ...tb(['    answer = input(', 'EOFError: EOF when reading a line'], 3, '/usr/local/lib/python3.10/site-packages/libero/libero/__init__.py'),
    ],
    at: 0.8,
  },
  {
    name: 'hidden-episode-crash',
    rootCause: ['Episode error: Cannot set state of 9 qpos entries'],
    block: ['Starting episode 7...', 'Episode error: Cannot set state of 9 qpos entries', 'Success: False'],
    at: 0.1,
    repeat: 400,
  },
  {
    name: 'chained-exception',
    rootCause: ["FileNotFoundError: [Errno 2] No such file or directory: '/models/phase2_draft_model/best_draft_model.pt'", 'RuntimeError: could not load the draft model'],
    block: [
      ...tb(["FileNotFoundError: [Errno 2] No such file or directory: '/models/phase2_draft_model/best_draft_model.pt'"], 4),
      '',
      'The above exception was the direct cause of the following exception:',
      '',
      ...tb(['RuntimeError: could not load the draft model'], 8),
    ],
    at: 0.95,
  },
  {
    name: 'first-build-error',
    rootCause: ['csrc/flash_attn/flash_api.cpp:12:10: fatal error: cuda_runtime_api.h: No such file or directory'],
    block: [
      'csrc/flash_attn/flash_api.cpp:12:10: fatal error: cuda_runtime_api.h: No such file or directory',
      ...Array.from({ length: 300 }, (_, i) => `csrc/flash_attn/src/flash_fwd_hdim${32 * (1 + (i % 8))}_bf16_sm80.cu:${i + 1}:5: error: 'cudaStream_t' was not declared in this scope`),
      "error: command '/usr/bin/gcc' failed with exit code 1",
      'ERROR: Failed building wheel for flash-attn',
    ],
    at: 0.2,
  },
];
