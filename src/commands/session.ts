import { dirname, join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { Engine, type EngineSnapshot } from '../engine/engine.js';
import type { CompiledPlaybook } from '../engine/context.js';
import { compileMatcher } from '../engine/matcher.js';
import { EventBus, systemClock } from '../runs/bus.js';
import { reviewer } from '../evidence/reviewer.js';
import { credentialValues } from '../runs/secret-files.js';
import { EventLogWriter } from '../runs/log.js';
import { redactingCommands, Redactor } from '../runs/redact.js';
import type { RunPaths } from '../runs/store.js';
import { Runner } from '../runner/runner.js';
import { createExecaRunner } from '../runner/command-runner.js';
import { createGit } from '../runner/git.js';
import { createPolicyDecider } from '../runner/deciders.js';
import { DEFAULT_SYSTEM_PROMPT } from '../agent/system-prompt.js';
import { promptText } from '../engine/logic.js';
import type { LoadedPlaybook } from '../playbook/load.js';
import { compiled as compiledPlaybook } from '../playbook/compile.js';
import type { Agent, Decider } from '../ports.js';
import { EnvironmentError } from '../errors.js';
import type { Playbook } from '../playbook/schema.js';
import type { Mode } from '../events/schema.js';
import type { Printer } from './printer.js';
import type { Conversation } from '../runs/conversation.js';
import { recordCommand } from '../runs/stale-commands.js';
import { openSandboxes, type SandboxChoice } from '../sandbox/index.js';
import { claudeCodeSandbox } from '../sandbox/claude-code.js';

/** Runs a command with the terminal app, closing the app however the command ends. */
export async function closingView<T>(view: { close(): Promise<void> } | undefined, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await view?.close();
  }
}

export interface SessionOptions {
  runId: string;
  paths: RunPaths;
  loaded: LoadedPlaybook;
  vars: Record<string, string>;
  workspace: string;
  branch: string;
  model?: string;
  agent?: string;
  decider?: Decider;
  printer?: Printer;
  env?: NodeJS.ProcessEnv;
  /** Continue numbering and chaining after the events already in the log (resume). */
  nextSeq?: number;
  chain?: string;
  from?: (engine: Engine) => EngineSnapshot;
  /** The agent's conversation, rebuilt from the log of a resumed run. */
  conversation?: Conversation;
  /** Run the agent's shell and the stage commands without the OS sandbox (`--no-sandbox`). */
  noSandbox?: boolean;
  /** The agent, when it is not one labpilot drives (Claude Code's hooks deliver the prompts). */
  agentPort?: Agent;
  /** The commit the workspace was made at, from the log's `workspace_ready` (a resumed run). */
  pristine?: string;
}

export interface Session {
  bus: EventBus;
  runner: Runner;
  engine: Engine;
  /** Whether the agent's shell and the stage commands run in the OS sandbox. */
  sandbox: SandboxChoice;
  model: string;
  agentName: string;
  close(): void;
}

/**
 * Wires the real ports (Anthropic SDK, execa, simple-git, the run log) around the engine. The
 * agent backends (the SDKs) are loaded only when a session drives an agent itself: a hook call
 * of an attached run follows Claude Code and answers in a fraction of their load time.
 */
export async function openSession(o: SessionOptions): Promise<Session> {
  const agentModule = o.agentPort ? undefined : await import('../agent/index.js');
  const createAgentFromEnv = agentModule?.createAgentFromEnv;
  const env = o.env ?? process.env;
  const pb = o.loaded.playbook;
  const compiled: CompiledPlaybook = compiledPlaybook(pb, o.loaded.prompts, o.vars);
  const engine = new Engine(compiled);
  // What a stage may read of the user's credential files is masked like a sensitive variable.
  const redactor = new Redactor(env, credentialValues(pb.sandbox?.stage?.read ?? [], env.HOME || undefined));
  const sandboxes = openSandboxes({ runDir: dirname(o.paths.log), workspace: o.workspace, section: pb.sandbox, inherit: env, redactor, disabled: o.noSandbox });
  const writer = new EventLogWriter(o.paths.log, o.chain);
  const bus = new EventBus(systemClock, redactor, writer, o.nextSeq ?? 0);
  if (o.printer) bus.subscribe(o.printer);
  const agentName = o.agent ?? 'anthropic';
  const model = o.model ?? pb.agent?.model ?? env.LABPILOT_MODEL ?? 'claude-sonnet-4-6';
  const system = pb.agent?.system ? promptText(compiled, pb.agent.system) : DEFAULT_SYSTEM_PROMPT;
  const decider = o.decider ?? createPolicyDecider();
  // Risky shell commands go to the person when one is there; autopilot refuses them.
  const approve =
    decider.mode === 'interactive'
      ? async (command: string, reason: string) => {
          const step = pb.steps[runner.context.stepIndex]?.id ?? '';
          const approved = (await decider.decide({ kind: 'ask', ref: 'shell-policy', step, text: `Let the agent run \`${command}\`? It ${reason}.` })).verdict === 'approve';
          bus.emit({ type: 'shell_approval', command, reason, approved, by: 'human' });
          return approved;
        }
      : undefined;
  const create = (): Agent =>
    createAgentFromEnv!({
      ...{ name: agentName, model, system, workspace: o.workspace, sink: bus, env, redactor },
      // The agent's shell commands are recorded beside the stage commands: a resume ends those a kill left.
      tools: {
        policy: pb.policy?.shell,
        approve,
        refused: (command, reason) => bus.emit({ type: 'shell_approval', command, reason, approved: false, by: 'policy' }),
        sandbox: sandboxes.agent,
        onSpawn: (pid) => recordCommand(o.paths.commands, `agent-${pid}`, pid),
      },
      claudeCodeSandbox: sandboxes.agent && claudeCodeSandbox(o.workspace, pb.sandbox),
      conversation: o.conversation,
    });
  // A playbook of commands and checks alone never talks to a model, so it runs without a key;
  // one that can prompt (or a person at the terminal, who may type to the agent) needs it now.
  const agent: Agent = o.agentPort ?? (needsModel(pb, decider.mode) ? create() : deferredFailure(create, agentName, model));
  const matcher = compileMatcher(
    (pb.remediations ?? [])
      .filter((r) => r.when.match !== undefined)
      .map((r) => ({ id: r.id, regex: r.when.match!, sources: r.when.in })),
  );
  // The reviewer model, asked only by a playbook with a `reviewer` gate and only when a run drives its agent.
  const reviews = [...pb.steps.flatMap((s) => s.done_when ?? []), ...(pb.checklist ?? []).map((c) => c.verify)].some((c) => c.check === 'reviewer');
  const reviewModel = reviews ? agentModule?.reviewerFromEnv({ agent: agentName, model, env, sink: bus }) : undefined;
  const review = reviewModel && reviewer({ model: reviewModel, bus, redactor, playbookDir: o.loaded.dir, step: (): string => pb.steps[runner.context.stepIndex]?.id ?? 'checklist' });
  const runner: Runner = new Runner(
    {
      runId: o.runId,
      engine,
      bus,
      agent,
      // Command output is redacted before the command log, the events and the prompts see it.
      commands: redactingCommands(createExecaRunner(env, sandboxes.stage), redactor),
      git: createGit(),
      decider,
      matcher,
      workspace: o.workspace,
      branch: o.branch,
      commandsDir: o.paths.commands,
      scriptDirs: [o.loaded.dir, join(packageRoot(), 'python')],
      openPrompt: o.conversation?.open?.promptId,
      pristine: o.pristine,
      review,
    },
    o.from?.(engine),
  );
  const close = () => {
    writer.close();
    void sandboxes.close();
  };
  return { bus, runner, engine, sandbox: sandboxes.choice, model, agentName, close };
}

/** Whether a run of the playbook may send a prompt: a prompt step, a prompt remediation, or a person at the terminal. */
export function needsModel(pb: Playbook, mode: Mode): boolean {
  return mode === 'interactive' || pb.steps.some((s) => s.kind === 'prompt') || (pb.remediations ?? []).some((r) => r.then.action === 'prompt');
}

/** The agent, or one whose every turn fails with why it could not be made (a missing key). */
function deferredFailure(create: () => Agent, name: string, model: string): Agent {
  try {
    return create();
  } catch (err) {
    if (!(err instanceof EnvironmentError)) throw err;
    return { name, model, turn: () => Promise.reject(err) };
  }
}
