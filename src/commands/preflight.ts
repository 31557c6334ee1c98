import { EnvironmentError } from '../errors.js';
import { missingCredentials } from '../agent/credentials.js';
import type { Playbook } from '../playbook/schema.js';
import { commandWords, installHint, modalLoggedIn, onPath, playbookCommands, programOf } from './preflight-programs.js';

/**
 * Pre-flight: what a run needs from the machine, checked before a run folder, a clone or a paid
 * turn exists. Everything missing is named on one line with how to fix it (exit 3), so a run does
 * not spend turns and then fail on `modal: command not found`.
 */

export interface PreflightInput {
  playbook: Playbook;
  vars: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** The agent backend (`--agent`), whose key and endpoint are checked when the run needs a model. */
  agent: string;
  needsModel: boolean;
}

/** What is missing without touching the network: programs, Modal's login, the model key. */
export function localProblems(o: PreflightInput): string[] {
  const programs = new Set<string>(['git']);
  for (const line of playbookCommands(o.playbook, o.vars)) {
    for (const words of commandWords(line)) {
      const p = programOf(words);
      if (p) programs.add(p);
    }
  }
  const problems: string[] = [];
  for (const p of programs) {
    if (!onPath(p, o.env)) problems.push(`\`${p}\` is not on PATH (${installHint(p)})`);
    else if (p === 'modal' && !modalLoggedIn(o.env)) problems.push('`modal` is not logged in (run: modal token new, or set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET)');
  }
  const key = o.needsModel ? missingCredentials(o.agent, o.env) : undefined;
  if (key) problems.push(key.message);
  return problems;
}

/** The model endpoint the backend will call. */
export function modelEndpoint(agent: string, env: NodeJS.ProcessEnv): { name: string; url: string } {
  if (agent === 'langchain:openai') return { name: 'OPENAI_BASE_URL', url: env.OPENAI_BASE_URL || 'https://api.openai.com/v1' };
  return { name: 'ANTHROPIC_BASE_URL', url: env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com' };
}

/** Whether anything answers at `url`: any HTTP status counts, a refused or silent connection does not. */
export async function reachable(url: string, timeoutMs = 5000): Promise<boolean> {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

/** The endpoint problem, if the model's server does not answer. */
export async function endpointProblem(o: PreflightInput): Promise<string | undefined> {
  if (!o.needsModel || o.agent === 'claude-code') return undefined;
  const { name, url } = modelEndpoint(o.agent, o.env);
  return (await reachable(url)) ? undefined : `the model server ${url} does not answer (check the network or ${name})`;
}

export function notReady(problems: string[]): EnvironmentError {
  return new EnvironmentError(`not ready: ${problems.join('; ')}`);
}

/** Throws one EnvironmentError naming everything missing that can be known offline. */
export function assertLocalReady(o: PreflightInput): void {
  const problems = localProblems(o);
  if (problems.length > 0) throw notReady(problems);
}

/** Throws when the model server does not answer (checked after the clone, before any turn). */
export async function assertEndpointReady(o: PreflightInput): Promise<void> {
  const problem = await endpointProblem(o);
  if (problem) throw notReady([problem]);
}
