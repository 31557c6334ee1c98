import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMessagesStandin, type MessagesStandin } from '../../src/standin/messages-server.js';
import { labpilot, ofType, parseEvents, tempDir } from '../helpers/cli.js';

/**
 * The debugging loop through the real binary and the Messages API stand-in: a failure no rule
 * names gets the "fix this error" prompt quoting its root-cause line, the stage is rerun, the
 * same error three times in a row stops the autopilot run for a person (exit 4, resumable), and
 * a failure a specific rule names (CUDA OOM) still gets that rule.
 */
const playbook = (command: string) => `name: debug-loop
budgets: { turns: 10, attempts: 6 }
steps:
  - id: stage
    kind: run
    command: >-
      ${command}
remediations:
  - id: cuda-oom
    when: { match: "(torch\\\\.(cuda\\\\.)?OutOfMemoryError|CUDA out of memory)", in: [command_output] }
    then: { prompt: "Quantise the model: {{match}}" }
    priority: 50
  - id: needs-a-person
    when: { exit_code: nonzero, repeated: 3 }
    then: { escalate: "the same failure three times in a row: {{error}}" }
    priority: 90
  - id: fix-this-error
    when: { otherwise: true }
    then: { prompt: "I ran {{command}}; it exited {{exit_code}}. The error: {{error}}\\n\\n{{excerpt}}\\n\\nLet's fix this error." }
    max_attempts: 3
`;

const MISSING_FILE = `sh -c 'echo "FileNotFoundError: decoder.pt" >&2; exit 1'`;
// The cause, then 300 lines of log noise: the last 40 lines alone would not hold it.
const CAUSE_THEN_NOISE = `sh -c 'echo "Traceback (most recent call last):"; echo "  File \\"eval.py\\", line 3, in <module>"; echo "FileNotFoundError: [Errno 2] No such file or directory: /vol/models/decoder.pt"; for i in $(seq 1 300); do echo "INFO heartbeat $i: waiting for workers"; done; exit 1'`;
const OOM = `sh -c 'echo "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB" >&2; exit 1'`;

describe('the debugging loop', () => {
  let standin: MessagesStandin;
  const env = () => ({ ANTHROPIC_API_KEY: 'sk-ant-test-key-000000000000000000', ANTHROPIC_BASE_URL: standin.url });
  beforeAll(async () => {
    standin = await startMessagesStandin({ session: { turns: [{ reply: [{ text: 'I fixed the path.' }], repeat: true }] } });
  });
  afterAll(() => standin.close());

  async function run(command: string) {
    const dir = tempDir();
    const file = join(dir, 'pb.yaml');
    writeFileSync(file, playbook(command));
    const home = join(dir, 'home');
    const result = await labpilot(['--home', home, 'run', file, '--workdir', join(dir, 'ws'), '--json'], env()).done;
    return { ...result, home, events: parseEvents(result.stdout) };
  }

  it('sends "fix this error" quoting the root cause of a failure no rule names, reruns, and stops for a person when it repeats', async () => {
    const { code, stderr, events, home } = await run(MISSING_FILE);
    const chosen = ofType(events, 'remediation_chosen').map((e) => e.remediation);
    expect(chosen).toEqual(['fix-this-error', 'fix-this-error', 'needs-a-person']);
    const sent = ofType(events, 'prompt_sent').map((e) => e.text);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toContain('The error: FileNotFoundError: decoder.pt');
    expect(sent[0]).toContain("it exited 1");
    expect(ofType(events, 'command_exited')).toHaveLength(3);
    // Autopilot: nobody to take over, so a clean stop that says why and how to resume.
    expect(code).toBe(4);
    expect(stderr).toMatch(/stopped for a person: the same failure three times in a row: FileNotFoundError: decoder.pt \(resume with: labpilot resume \S+\)/);
    expect(ofType(events, 'run_ended')).toEqual([]);
    // Resuming on autopilot asks again and stops again; nothing is rerun.
    const runId = ofType(events, 'run_started')[0]!.runId;
    const resumed = await labpilot(['--home', home, 'resume', runId, '--json'], env()).done;
    expect(resumed.code).toBe(4);
    expect(ofType(parseEvents(resumed.stdout), 'command_started')).toEqual([]);
  });

  it('quotes the cause even when log noise follows it', async () => {
    const { events } = await run(CAUSE_THEN_NOISE);
    const first = ofType(events, 'prompt_sent')[0]!.text;
    expect(first).toContain('The error: FileNotFoundError: [Errno 2] No such file or directory: /vol/models/decoder.pt');
    expect(first).toContain('INFO heartbeat 300: waiting for workers');
  });

  it('leaves a failure a specific rule names to that rule', async () => {
    const { events } = await run(OOM);
    expect(ofType(events, 'remediation_chosen')[0]).toMatchObject({ remediation: 'cuda-oom', action: 'prompt' });
    expect(ofType(events, 'prompt_sent')[0]!.text).toBe('Quantise the model: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB');
  });
});
