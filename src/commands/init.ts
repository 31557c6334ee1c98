import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { InputError } from '../errors.js';
import { detectFormat } from '../replay/import/detect.js';
import { importTranscript } from '../replay/import/index.js';
import { draftFromEvents, type Draft } from './init-draft.js';

export interface InitOptions {
  name: string;
  /** Another agent's transcript to draft the steps and remediations from. */
  from?: string;
  /** Folder to write into (default: the current one). */
  dir?: string;
  out?: NodeJS.WritableStream;
}

const NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** The playbook `init` writes without a transcript: one prompt, one command, one fix, a checklist. */
const STARTER: Draft = {
  steps: [{ id: 'task', title: 'Ask the agent for the change', prompt: 'Make the change this playbook is for. Say what you changed and how you checked it.\n' }],
  remediations: [
    {
      id: 'python-error',
      match: '^(\\w+Error): (.*)$',
      prompt: 'The tests failed with:\n\n```\n{{excerpt}}\n```\n\nFix the cause ({{match.1}}), not the test.\n',
    },
  ],
};

/**
 * `labpilot init NAME`: NAME.yaml and prompts/NAME/, lint-clean, to edit into a playbook. With
 * `--from <transcript>` the steps are the person's prompts and the remediations their follow-ups
 * after an error, each triggered by that error line made general (numbers vary).
 */
export async function initCommand(o: InitOptions): Promise<number> {
  if (!NAME.test(o.name)) throw new InputError(`bad playbook name '${o.name}' (lower-case letters, digits, - and _)`);
  const dir = resolve(o.dir ?? '.');
  const file = join(dir, `${o.name}.yaml`);
  const promptDir = join(dir, 'prompts', o.name);
  if (existsSync(file)) throw new InputError(`${file} exists already; choose another name or remove it`);
  const draft = o.from ? await fromTranscript(o.from) : STARTER;
  const ref = (id: string) => `prompts/${o.name}/${id}.md`;
  mkdirSync(promptDir, { recursive: true });
  for (const s of draft.steps) writeFileSync(join(dir, ref(s.id)), s.prompt);
  for (const r of draft.remediations) writeFileSync(join(dir, ref(r.id)), r.prompt);
  const doc = {
    name: o.name,
    description: o.from ? `Drafted from ${basename(o.from)}: check each step's gate and each trigger.` : 'What this playbook makes an agent do, and how labpilot checks it.',
    variables: { repo: { required: true, description: 'git URL or local path of the repository the agent works in' } },
    workspace: { repo: '{{repo}}' },
    budgets: { turns: 30, dollars: 5, wall_time: '2h', attempts: 3 },
    steps: [
      ...draft.steps.map((s) => ({ id: s.id, kind: 'prompt', title: s.title, prompt: ref(s.id) })),
      {
        id: 'verify',
        kind: 'run',
        title: 'labpilot runs the tests itself',
        command: 'python3 -m unittest',
        timeout: '10m',
        done_when: [{ check: 'exit_code', equals: 0 }],
      },
    ],
    remediations: draft.remediations.map((r) => ({ id: r.id, when: { match: r.match, in: ['command_output', 'tool_output'] }, then: { prompt: ref(r.id) }, ...(r.step && { steps: [r.step, 'verify'] }), max_attempts: 2 })),
    checklist: [{ item: 'The tests pass', verify: { check: 'command', run: 'python3 -m unittest' } }],
  };
  const header = `# ${o.name}: edit the steps, the command that checks them and the fixes; then\n#   labpilot lint ${o.name}.yaml && labpilot graph ${o.name}.yaml\n`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, header + stringify(doc, { lineWidth: 0 }));
  const out = o.out ?? process.stdout;
  out.write(`wrote ${file} (${doc.steps.length} steps, ${doc.remediations.length} remediations) and ${promptDir}/\n`);
  out.write(`next: labpilot lint ${o.name}.yaml, then labpilot run ${o.name}.yaml --var repo=...\n`);
  return 0;
}

async function fromTranscript(file: string): Promise<Draft> {
  if (!existsSync(file)) throw new InputError(`no such transcript: ${file}`);
  const format = detectFormat(file);
  if (format === 'labpilot') throw new InputError(`${file} is a labpilot run log; init drafts from another agent's transcript`);
  const { events } = importTranscript(file, { format, strict: false });
  const draft = draftFromEvents(events);
  if (draft.steps.length === 0) throw new InputError(`${file}: no prompt of the person's found to draft steps from`);
  return draft;
}
