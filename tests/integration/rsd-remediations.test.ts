import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import type { ScriptedSessionInput } from '../../src/standin/session-schema.js';
import { gitRepoFrom, labpilot, ofType, parseEvents, ROOT, tempDir } from '../helpers/cli.js';
import type { Event } from '../../src/events/schema.js';

/**
 * One row per follow-up of the RSD guide: a repository state (the finished script with one
 * fault, or the untouched template) and an agent that does nothing useful produce the failure
 * for real in the modal stand-in or in the agent's own words; the run log must show the right
 * remediation chosen and its prompt sent to the model.
 */
const PLAYBOOK = join(ROOT, 'playbooks', 'rsd-phase3.yaml');
const SCRIPT = 'RVQExperiment/phase3/modal_phase3_libero_eval.py';
const IDLE = { id: 'idle', when: '.', repeat: true, reply: [{ text: 'Done.' }] };

interface Row {
  followUp: string;
  /** `null`: the untouched template (TODOs left); otherwise the finished script with this fault. */
  fault: string | null;
  expect: string;
  /** Which remediation of the run it is (the emergency reset comes after the others ran out). */
  nth?: number;
  vars?: string[];
  turns?: ScriptedSessionInput['turns'];
}

const ROWS: Row[] = [
  {
    followUp: 'which checkpoint (clarification)',
    fault: null,
    expect: 'which-checkpoint',
    turns: [{ when: '## Task 1 of 4', reply: [{ text: 'Which checkpoint should I load for the main model?' }] }],
  },
  { followUp: 'CUDA OOM', fault: 'oom-unquantised', expect: 'cuda-oom' },
  { followUp: 'checkpoint keys (DDP prefix)', fault: 'checkpoint-module-prefix', expect: 'checkpoint-keys' },
  { followUp: 'checkpoint keys (bare state dict)', fault: 'checkpoint-bare-state-dict', expect: 'checkpoint-keys' },
  { followUp: 'LIBERO weights_only', fault: 'no-sed-patch', expect: 'libero-weights-only' },
  { followUp: 'cannot import prismatic', fault: 'no-prismatic', expect: 'prismatic-import' },
  { followUp: 'RFSQ dimension mismatch', fault: 'rfsq-hidden-64', expect: 'rfsq-dimension' },
  { followUp: 'episodes crash (Episode error)', fault: 'episode-crash', expect: 'episode-errors' },
  { followUp: 'episodes never succeed', fault: 'gripper-not-inverted', expect: 'episodes-never-succeed', vars: ['full_trials=1'] },
  { followUp: 'Modal timeout', fault: 'timeout-short', expect: 'modal-timeout' },
  { followUp: 'success rate below 80%: investigate', fault: '', expect: 'low-success', vars: ['full_trials=1', 'min_success=0.99'] },
  { followUp: 'inference above 80 ms: is the draft used', fault: 'draft-not-used', expect: 'slow-inference', vars: ['full_trials=1'] },
  { followUp: 'bool parameter typed str', fault: 'str-bool-param', expect: 'bool-flag' },
  {
    followUp: "agent runs the guide's `--use-speculative-decoding False`",
    fault: null,
    expect: 'bool-flag',
    turns: [
      {
        when: '## Task 1 of 4',
        reply: [{ tool_use: { name: 'bash', input: { command: `modal run ${SCRIPT} --num-trials 1 --use-speculative-decoding False` } } }],
      },
    ],
  },
  { followUp: 'emergency reset when stuck', fault: 'oom-unquantised', expect: 'emergency-reset', nth: 3 },
  { followUp: 'one task at a time when confused', fault: null, expect: 'one-task-at-a-time' },
];

function repository(fault: string | null): string {
  const dir = tempDir('labpilot-rsd-');
  cpSync(join(ROOT, 'templates', 'sample-experiment'), dir, { recursive: true });
  if (fault !== null) {
    const args = ['apply', join(dir, SCRIPT), ...(fault ? ['--fault', fault] : [])];
    execFileSync('python3', [join(ROOT, 'python', 'tools', 'sample_solution.py'), ...args]);
  }
  return gitRepoFrom(dir);
}

/** Runs the playbook until the expected remediation's prompt has gone to the model, then stops it. */
async function runUntilRemediation(row: Row, standin: MessagesStandin): Promise<Event[]> {
  const home = tempDir();
  const vars = [`repo=${repository(row.fault)}`, ...(row.vars ?? [])].flatMap((v) => ['--var', v]);
  const { child, done } = labpilot(['--home', home, 'run', PLAYBOOK, ...vars, '--json'], {
    ANTHROPIC_API_KEY: 'sk-ant-test-remediations',
    ANTHROPIC_BASE_URL: standin.url,
    PATH: [join(ROOT, 'python', 'bin'), process.env.PATH].join(delimiter),
    MODAL_STANDIN_HOME: join(home, 'modal'),
  });
  // Stop the run once the remediation's prompt has reached the model (the log says it was sent
  // a moment before the request arrives).
  const marker = `## Fix: ${row.expect}`;
  const received = () => standin.requests.some((r) => JSON.stringify(r.messages).includes(marker));
  const poll = setInterval(() => received() && child.kill('SIGTERM'), 50);
  const r = await done.finally(() => clearInterval(poll));
  return parseEvents(r.stdout.split('\n').filter((l) => l.startsWith('{')).join('\n'));
}

describe('rsd-phase3: each follow-up of the guide fires on the failure it is for', () => {
  // Each row clones, passes the task gates and runs the modal stand-in for real: seconds each.
  it.concurrent.each(ROWS)('$followUp -> $expect', { timeout: 240_000 }, async (row) => {
    const standin = await startMessagesStandin({ session: { turns: [...(row.turns ?? []), IDLE] } });
    try {
      const events = await runUntilRemediation(row, standin);
      const chosen = ofType(events, 'remediation_chosen');
      expect(chosen.map((c) => c.remediation)[(row.nth ?? 1) - 1], JSON.stringify(chosen.map((c) => c.why))).toBe(row.expect);
      const sent = ofType(events, 'prompt_sent').find((p) => p.text.startsWith(`## Fix: ${row.expect}`));
      expect(sent).toBeDefined();
      // The model received it over HTTP.
      expect(standin.requests.some((r) => JSON.stringify(r.messages).includes(`## Fix: ${row.expect}`))).toBe(true);
    } finally {
      await standin.close();
    }
  });
});
