import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A deterministic synthetic log shaped like a long RSD Phase 3 session: pip and Modal image
 * builds, training steps, LIBERO evaluation episodes, tqdm progress bars (lone CR updates),
 * warnings, and near-misses (lines that share a literal with an error rule but are not errors),
 * with real errors (tracebacks and their final lines) buried sparsely.
 */

/** mulberry32: small, fast and reproducible; the log must be byte-identical across machines. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TASKS = [
  'pick up the black bowl between the plate and the ramekin and place it on the plate',
  'pick up the black bowl next to the ramekin and place it on the plate',
  'pick up the black bowl from table center and place it on the plate',
  'pick up the black bowl on the cookie box and place it on the plate',
  'pick up the black bowl in the top drawer of the wooden cabinet and place it on the plate',
  'pick up the black bowl on the ramekin and place it on the plate',
];
const PKGS = ['torch==2.2.0', 'transformers==4.40.1', 'robosuite==1.4.1', 'bddl==1.0.1', 'mujoco==3.1.6', 'einops'];
const hex = (r: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(r() * 16)];
  return s;
};
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const f = (r: () => number, lo: number, hi: number, d: number): string => (lo + r() * (hi - lo)).toFixed(d);
const ts = (r: () => number): string =>
  `2025-11-${String(10 + Math.floor(r() * 18))} ${String(10 + Math.floor(r() * 13))}:${String(10 + Math.floor(r() * 49))}:${String(10 + Math.floor(r() * 49))}`;

type Gen = (r: () => number, n: number) => string;

/** Ordinary lines, weighted by how often they show up in real runs. */
const NOISE: Array<[number, Gen]> = [
  [30, (r, n) => `Step ${n % 50000}/50000 | loss ${f(r, 0.05, 2, 4)} | lr ${f(r, 1, 9, 2)}e-04 | grad_norm ${f(r, 0.1, 3, 3)} | ${f(r, 5, 15, 1)} it/s`],
  [8, (r) => `Starting episode ${1 + Math.floor(r() * 50)}...`],
  [8, (r) => `Success: ${r() < 0.9 ? 'True' : 'False'}`],
  [6, (r, n) => `# episodes completed so far: ${n % 500}`],
  [6, (r, n) => `# successes: ${n % 450} (${f(r, 80, 97, 1)}%)`],
  [4, (r) => `Current task success rate: ${f(r, 0.6, 1, 2)}`],
  [4, (r) => `Current total success rate: ${f(r, 0.6, 1, 4)}`],
  [4, (r) => `Task: ${pick(r, TASKS)}`],
  [3, (r) => `[${ts(r)}] INFO rsd.engine: accepted ${Math.floor(r() * 8)}/8 draft tokens, draft ${f(r, 3, 9, 2)} ms, main ${f(r, 30, 60, 2)} ms`],
  [3, (r) => `  ${f(r, 0, 1, 3)} ${f(r, -1, 1, 3)} ${f(r, -1, 1, 3)} ${f(r, -1, 1, 3)} ${f(r, -1, 1, 3)} ${f(r, -1, 1, 3)} ${f(r, -1, 1, 3)}`],
  // tqdm: one physical line holding many CR-separated redraws, as a terminal receives it.
  [3, (r) => {
    const total = 4 + Math.floor(r() * 60);
    let s = '';
    for (let i = 0; i <= total; i += 1 + Math.floor(r() * 6)) {
      const pct = Math.floor((100 * i) / total);
      const bar = '█'.repeat(Math.floor(pct / 10)).padEnd(10, ' ');
      s += `\rLoading checkpoint shards: ${String(pct).padStart(3)}%|${bar}| ${i}/${total} [00:0${i % 10}<00:03,  ${f(r, 1, 3, 2)}s/it]`;
    }
    return s;
  }],
  [2, (r) => `Collecting ${pick(r, PKGS)}`],
  [2, (r) => `  Downloading ${pick(r, PKGS).split('=')[0]}-${f(r, 1, 4, 1)}-cp310-cp310-manylinux1_x86_64.whl (${f(r, 1, 900, 1)} MB)`],
  [1, (r) => `Successfully installed ${pick(r, PKGS)} ${pick(r, PKGS)}`],
  [1, (r) => `=> Step ${Math.floor(r() * 9)}: RUN pip install ${pick(r, PKGS)}`],
  [1, (r) => `✓ Initialized. View run at https://modal.com/apps/rsd/main/ap-${hex(r, 22)}`],
  [1, () => `✓ Created objects.`],
  [1, () => `├── 🔨 Created mount /root/RVQExperiment/phase3/modal_phase3_libero_eval.py`],
  [1, (r) => `Building image im-${hex(r, 22)}`],
  [1, (r) => `/usr/local/lib/python3.10/site-packages/torch/nn/modules/module.py:${100 + Math.floor(r() * 2000)}: UserWarning: TypedStorage is deprecated.\r`],
  [1, (r) => `  File "/root/RVQExperiment/phase3/modal_phase3_libero_eval.py", line ${Math.floor(r() * 400)}, in run_episode`],
  // Near-misses: share a prefilter literal with a rule but must not match it.
  [1, (r) => `    model.load_state_dict(ckpt["model_state_dict"])  # epoch ${Math.floor(r() * 90)}`],
  [1, (r) => `Saved model_state_dict to /models/phase2_draft_model/ckpt_${Math.floor(r() * 900)}.pt`],
  [1, (r) => `GPU 0: ${f(r, 20, 70, 2)} GiB allocated; no CUDA out of memory events so far`],
  [1, () => `Image build for the base layer was cached.`],
  [1, () => `No such option set; using defaults.`],
  [1, (r) => `Episode ${Math.floor(r() * 50)} finished without Episode error: none recorded`],
  [1, () => `[robosuite WARNING] No private macro file found!`],
];

/** Real errors, each a block of lines (tracebacks end in the error line). */
const ERRORS: Gen[] = [
  (r) => `Traceback (most recent call last):\n  File "/root/eval.py", line 171, in load\n    model = AutoModelForVision2Seq.from_pretrained(p)\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate ${f(r, 10, 900, 2)} MiB. GPU 0 has a total capacity of 39.39 GiB of which ${f(r, 1, 90, 2)} MiB is free.`,
  (r) => `RuntimeError: Error(s) in loading state_dict for RFSQHead:\n\tMissing key(s) in state_dict: "encoder.layers.${Math.floor(r() * 9)}.weight", "decoder.proj.bias".`,
  () => `\tUnexpected key(s) in state_dict: "module.encoder.weight", "module.decoder.bias".`,
  (r) => `\tsize mismatch for decoder.proj.weight: copying a param with shape torch.Size([${Math.floor(r() * 512)}, 16]) from checkpoint, the shape in current model is torch.Size([256, 64]).`,
  () => `Traceback (most recent call last):\n  File "/root/eval.py", line 190, in load_draft\nKeyError: 'model_state_dict'`,
  () => `_pickle.UnpicklingError: Weights only load failed. This file can still be loaded, to do so you have two options`,
  () => `ModuleNotFoundError: No module named 'prismatic'`,
  () => `ModuleNotFoundError: No module named 'experiments'`,
  () => `ModuleNotFoundError: No module named 'robosuite.environments.manipulation.single_arm_env'`,
  (r) => `modal.exception.FunctionTimeoutError: Task's current input in-${hex(r, 20)} hit its timeout of 2700s`,
  () => `Error: Got unexpected extra argument (False)`,
  () => `Error: No such option '--num_trials'. Did you mean '--num-trials'?`,
  () => `Error: Option '--use-speculative-decoding' does not take a value.`,
  (r) => `Image build for im-${hex(r, 22)} failed with the exception:`,
  (r) => `Image build for im-${hex(r, 22)} timed out. Please try again with a larger \`timeout\` parameter.`,
  () => `Token missing. Could not authenticate client. If you have token credentials, see modal.com/docs/reference/modal.config for setup help.`,
  () => `modal.exception.AuthError: Token ID is malformed`,
  () => `ImportError: Cannot initialize a EGL device display. This likely means that your EGL driver does not support the PLATFORM_DEVICE extension`,
  () => `AttributeError: 'NoneType' object has no attribute 'eglQueryString'`,
  () => `EOFError: EOF when reading a line`,
  () => `OSError: [Errno 9] Bad file descriptor`,
  (r) => `Episode error: Cannot set state of ${Math.floor(r() * 9)} ${pick(r, ['qpos', 'qvel'])} entries`,
  () => `Stopping app - uncaught exception raised in remote container: ImportError('libEGL.so.1').`,
  () => 'The `load_in_4bit` and `load_in_8bit` arguments are deprecated and will be removed in the future versions.',
  (r) => `Overall success rate: 0.${Math.floor(10 + r() * 69)}00 (${Math.floor(10 + r() * 69)}.0%)`,
  (r) => `WARNING step ${Math.floor(r() * 9000)}: Loss is NaN, skipping batch`,
];

/** Rules in the common subset of POSIX ERE and JS regex (no \d, \s, (?:), backrefs or flags), by id. */
const RULES: Record<string, string> = {
  cuda_oom: "CUDA out of memory\\. Tried to allocate ([0-9.]+ [KMG]iB)",
  state_dict_load: "Error\\(s\\) in loading state_dict for ([A-Za-z0-9_.]+)",
  missing_keys: "Missing key\\(s\\) in state_dict: (.*)",
  unexpected_keys: "Unexpected key\\(s\\) in state_dict: (.*)",
  size_mismatch: "size mismatch for ([^:]+): copying a param with shape torch\\.Size\\(\\[([0-9, ]*)\\]\\) from checkpoint",
  key_model_state: "KeyError: '(model_state_dict|state_dict)'",
  weights_only: "UnpicklingError: Weights only load failed",
  no_prismatic: "No module named '(prismatic|experiments)'",
  robosuite: "No module named 'robosuite\\.environments[a-z_.]*'",
  function_timeout: "FunctionTimeoutError: Task's current input in-[A-Za-z0-9]+ hit its timeout of ([0-9]+)s",
  modal_extra_arg: "Error: Got unexpected extra argument \\(([^)]*)\\)",
  modal_no_option: "Error: No such option '(--[a-z_-]+)'",
  modal_option_value: "Error: Option '(--[a-z-]+)' does not take a value",
  image_build_failed: "Image build for (im-[A-Za-z0-9]+) (failed|timed out)",
  token_missing: "Token missing\\. Could not authenticate client",
  auth_error: "AuthError: Token ID is malformed",
  egl: "(Cannot initialize a EGL device display|has no attribute 'eglQueryString')",
  libero_stdin: "(EOFError: EOF when reading a line|OSError: \\[Errno 9\\] Bad file descriptor)",
  episode_error: "^Episode error: (.+)",
  remote_exception: "uncaught exception raised in remote container: ([A-Za-z]+)",
  load_in_4bit: "The .load_in_4bit. and .load_in_8bit. arguments are deprecated",
  low_success: "^Overall success rate: 0\\.([0-7][0-9])",
  nan_loss: "[Ll]oss is [Nn]a[Nn]",
  traceback: "^Traceback \\(most recent call last\\):",
};
export const BENCH_RULES: Array<{ id: string; regex: string }> = Object.entries(RULES).map(([id, regex]) => ({ id, regex }));

/** Writes the log once (atomically) and returns its path; later calls reuse it. */
export function ensureNoiseLog(path: string, targetBytes: number, errorEvery = 4000): string {
  if (existsSync(path) && statSync(path).size >= targetBytes) return path;
  mkdirSync(dirname(path), { recursive: true });
  const r = prng(0x5eed);
  const weights = NOISE.map(([w]) => w);
  const totalW = weights.reduce((a, b) => a + b, 0);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let written = 0;
  let n = 0;
  let buf: string[] = [];
  let bufLen = 0;
  while (written + bufLen < targetBytes) {
    let line: string;
    if (r() * errorEvery < 1) {
      line = (ERRORS[Math.floor(r() * ERRORS.length)] as Gen)(r, n);
    } else {
      let x = r() * totalW;
      let i = 0;
      while (x >= (weights[i] as number)) x -= weights[i++] as number;
      line = (NOISE[i] as [number, Gen])[1](r, n);
    }
    buf.push(line);
    bufLen += line.length + 1;
    n++;
    if (bufLen > 4 << 20) {
      written += writeSync(fd, buf.join('\n') + '\n');
      buf = [];
      bufLen = 0;
    }
  }
  if (buf.length > 0) writeSync(fd, buf.join('\n') + '\n');
  closeSync(fd);
  renameSync(tmp, path);
  return path;
}
