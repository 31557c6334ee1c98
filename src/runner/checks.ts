import { existsSync, createReadStream } from 'node:fs';
import { createRawSplitter } from '../output/raw-splitter.js';
import { createOutputNormaliser } from '../output/normaliser.js';
import { resolve } from 'node:path';
import type { Check } from '../playbook/schema.js';
import type { CommandRunner } from '../ports.js';
import { evalExpr, explain, exprIdentifiers, parseExpr } from '../engine/expr.js';
import { evaluateEvidenceCheck, type Evidence, type Signal } from '../evidence/evidence-checks.js';
import { shellQuote } from '../playbook/template.js';
import { PathEscapeError } from '../agent/tools/jail.js';
import { readFileIn } from '../agent/tools/safe-fs.js';
import { messageOf } from '../errors.js';
import { timerMs } from '../playbook/duration.js';

export interface CheckContext {
  workspace: string;
  commands: CommandRunner;
  metrics: Record<string, number>;
  /** The output log of the step's last command, for output_matches without `run`. */
  commandLog?: string;
  exitCode?: number | null;
  /** Where python check scripts are looked up, in order. */
  scriptDirs: string[];
  env?: Record<string, string>;
  /** Where each metric of the step comes from, in words: cross-checks quote it. */
  sources?: Record<string, string>;
  /** What labpilot assembled or fetched itself: the evaluated tree, the results cross-check, the review. */
  evidence?: Evidence;
}

export interface CheckOutcome {
  passed: boolean;
  detail: string;
  /** The figures the gate read, each with where it came from (a cross-check has two). */
  signals?: Signal[];
}

/**
 * Verifies one check. Every check is judged by labpilot on files, exit codes and parsed figures;
 * nothing the agent says is evidence (an agent that claims a result it did not reach must fail).
 */
export async function evaluateCheck(check: Check, ctx: CheckContext): Promise<CheckOutcome> {
  switch (check.check) {
    case 'file_exists': {
      const r = workspaceFile(ctx.workspace, check.path);
      return { passed: r.text !== undefined, detail: r.text !== undefined ? `${check.path} exists` : `${check.path} ${r.why}` };
    }
    case 'file_matches': {
      const r = workspaceFile(ctx.workspace, check.path);
      if (r.text === undefined) return { passed: false, detail: `${check.path} ${r.why}` };
      const found = new RegExp(check.regex, 'm').test(r.text);
      return { passed: found !== (check.negate ?? false), detail: `${check.path}: /${check.regex}/ ${found ? 'found' : 'not found'}` };
    }
    case 'command': {
      const r = await runCaptured(ctx, check.run, check.timeout === undefined ? undefined : timerMs(check.timeout));
      const how = r.timedOut ? `timed out after ${check.timeout ?? '10m'}` : `exit ${r.exitCode ?? r.signal}`;
      return { passed: r.exitCode === 0 && !r.timedOut, detail: `${how}${r.tail ? `: ${r.tail}` : ''}` };
    }
    case 'output_matches': {
      const re = new RegExp(check.regex);
      const found = check.run ? re.test((await runCaptured(ctx, check.run)).text) : await logMatches(ctx.commandLog, re);
      return { passed: found !== (check.negate ?? false), detail: `/${check.regex}/ ${found ? 'found' : 'not found'} in the output` };
    }
    case 'exit_code': {
      const ok = ctx.exitCode === check.equals;
      return { passed: ok, detail: `exit code ${ctx.exitCode ?? 'none'}${ok ? '' : `, expected ${check.equals}`}` };
    }
    case 'python': {
      const script = ctx.scriptDirs.map((d) => resolve(d, check.script)).find((p) => existsSync(p));
      if (!script) return { passed: false, detail: `python script ${check.script} not found` };
      const args = (check.args ?? []).map(shellQuote).join(' ');
      const r = await runCaptured(ctx, `python3 ${shellQuote(script)} ${args}`);
      return { passed: r.exitCode === 0, detail: r.tail || `exit ${r.exitCode}` };
    }
    case 'metric': {
      const expr = parseExpr(check.expr);
      const signals = [...new Set(exprIdentifiers(expr))].map((name) => ({ name, value: ctx.metrics[name] ?? null, from: ctx.sources?.[name] ?? 'not a metric of this step' }));
      const r = evalExpr(expr, ctx.metrics);
      if (!r.ok) return { passed: false, detail: `not measured: ${r.missing.join(', ')}`, signals };
      return { passed: r.value === true, detail: explain(expr, ctx.metrics), signals };
    }
    case 'agree':
    case 'editable_only':
    case 'code_ran':
    case 'results_agree':
    case 'reviewer':
      return evaluateEvidenceCheck(check, ctx.metrics, ctx.sources ?? {}, ctx.evidence);
  }
}

/** What a check reads of the workspace: bounded, never through a link, never a FIFO or device (safe-fs.ts). */
const CHECK_READ_MAX = 16 << 20;

function workspaceFile(workspace: string, p: string): { text?: string; why: string } {
  try {
    return { text: readFileIn(workspace, p, CHECK_READ_MAX).toString('utf8'), why: '' };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { why: 'does not exist' };
    if (err instanceof PathEscapeError) return { why: `is not read: ${err.message}` };
    return { why: `cannot be read (${code ?? messageOf(err)})` };
  }
}

/** Checks are quick by nature; a `command` check may say how long it may take. */
const CHECK_TIMEOUT_MS = 10 * 60_000;

async function runCaptured(ctx: CheckContext, command: string, timeoutMs = CHECK_TIMEOUT_MS) {
  const lines: string[] = [];
  const r = await ctx.commands.run({
    commandId: 'check',
    command,
    cwd: ctx.workspace,
    env: ctx.env,
    timeoutMs,
    onLine: (l) => {
      lines.push(l);
      if (lines.length > 2000) lines.shift();
    },
  });
  return { ...r, text: lines.join('\n'), tail: lines.slice(-5).join(' | ').slice(0, 500) };
}

/** Reads the raw command log as the step read its output: normalised (src/output/). */
async function logMatches(path: string | undefined, re: RegExp): Promise<boolean> {
  if (!path || !existsSync(path)) return false;
  let found = false;
  const normaliser = createOutputNormaliser((line) => void (found ||= re.test(line)));
  const splitter = createRawSplitter((segment) => normaliser.push(segment));
  for await (const chunk of createReadStream(path)) {
    splitter.push(chunk as Buffer);
    if (found) return true;
  }
  splitter.end();
  normaliser.end();
  return found;
}
