import type { Event } from '../events/schema.js';
import { diagnosis, failedExit } from '../runs/diagnosis.js';
import { oneLine } from '../one-line.js';

export type Printer = (event: Event) => void;

/**
 * A reader that went away (`labpilot run ... | head`) must not crash the run: the log on disk is
 * the record, so printing just stops and the command ends with its own exit code.
 */
export function writer(out: NodeJS.WritableStream): (text: string) => void {
  let closed = false;
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
  });
  return (text) => {
    if (!closed) out.write(text);
  };
}

/** `--json`: every event as one NDJSON line, exactly as it is in the run log. */
export function jsonPrinter(out: NodeJS.WritableStream): Printer {
  const write = writer(out);
  return (event) => write(JSON.stringify(event) + '\n');
}

/**
 * Plain lines for a non-TTY stdout: one line for what matters, output lines only with verbose.
 * `label` rewrites a line (the demo marks its stand-ins).
 */
export function plainPrinter(out: NodeJS.WritableStream, verbose = false, label?: (e: Event, line: string) => string): Printer {
  const write = writer(out);
  return (event) => {
    const line = formatPlain(event, verbose);
    if (line !== undefined) write((label ? label(event, line) : line) + '\n');
  };
}

const figures = (m: Record<string, number>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`)
    .join(' ');

/** `[libero_object] ` before a line of one of a fanned-out step's parallel commands. */
const itemTag = (e: { item?: string }) => (e.item === undefined ? '' : `[${e.item}] `);

export function formatPlain(e: Event, verbose = false): string | undefined {
  switch (e.type) {
    case 'run_started':
      return `run ${e.runId}: ${e.playbook} (${e.mode}) in ${e.workspace} on ${e.branch}, agent ${e.agent} ${e.model}${e.sandbox ? `\nsandbox: ${e.sandbox.detail}` : ''}`;
    case 'run_resumed':
      return `run ${e.runId}: resumed after event ${e.fromSeq}`;
    case 'step_entered':
      return `step ${e.step}: attempt ${e.attempt}`;
    case 'prompt_proposed':
      return `  prompt ${e.promptId} (${e.origin}${e.remediation ? ` ${e.remediation}` : ''}): ${oneLine(e.text, 100)}`;
    case 'decision':
      return `  decision on ${e.ref}: ${e.verdict} by ${e.by}${e.reason ? ` (${e.reason})` : ''}`;
    case 'agent_text':
      return `  agent: ${oneLine(e.text, 160)}`;
    case 'tool_call':
      return `  tool ${e.name} ${oneLine(JSON.stringify(e.input), 120)}`;
    case 'tool_result':
      return verbose || e.isError ? `  tool result${e.isError ? ' (error)' : ''}: ${oneLine(e.output, 160)}` : undefined;
    case 'agent_turn_ended':
      return `  turn ${e.turn} ended (${e.stopReason}), ${e.usage.inputTokens + e.usage.outputTokens} tokens, $${e.costUsd.toFixed(4)}`;
    case 'command_started':
      return `  ${itemTag(e)}$ ${e.command}`;
    case 'command_output':
      return verbose ? `  | ${e.line}` : undefined;
    case 'command_exited': {
      const line = `  ${itemTag(e)}exit ${e.exitCode ?? e.signal} in ${(e.durationMs / 1000).toFixed(1)} s${Object.keys(e.metrics).length ? `: ${figures(e.metrics)}` : ''}`;
      // Verbose printed every line already; otherwise the lines that say why it failed.
      const why = !verbose && failedExit(e) ? diagnosis(e.tail).map((l) => `    | ${l}`) : [];
      return [line, ...why].join('\n');
    }
    case 'trigger_matched':
      return `  trigger ${e.remediation} (${e.source}): ${oneLine(e.line, 160)}`;
    case 'remediation_chosen':
      return `  remediation ${e.remediation} (${e.action}, attempt ${e.attempt})`;
    case 'gate_judged':
      return `  ${e.passed ? 'pass' : 'FAIL'} ${e.scope === 'checklist' ? 'checklist: ' : ''}${e.check}: ${oneLine(e.detail, 160)}`;
    case 'budget_spent':
      return verbose ? `  spent: ${e.turns} turns, ${e.tokens} tokens, $${e.dollars.toFixed(4)}` : undefined;
    case 'commit_made':
      return `  commit ${e.sha.slice(0, 8)} on ${e.branch}: ${e.files.length} file(s)`;
    case 'step_done':
      return `step ${e.step}: ${e.outcome}`;
    case 'notice':
      return `  ${e.level}: ${e.message}`;
    case 'run_ended':
      return `run ended: ${e.verdict}: ${e.reason}`;
    case 'shell_approval':
      return `  shell \`${oneLine(e.command, 100)}\` ${e.approved ? 'approved' : 'refused'} by ${e.by} (it ${e.reason})`;
    case 'prompt_sent':
    case 'agent_reply':
    case 'agent_session':
    case 'workspace_ready':
      return undefined;
    case 'hook_called':
      return `hook ${e.hook}${e.tool ? ` ${e.tool}` : ''}${e.stopHookActive ? ' (stop hook active)' : ''}`;
    case 'hook_answered':
      return `  ${e.answer}${e.message ? `: ${oneLine(e.message, 160)}` : e.text ? `: ${oneLine(e.text, 100)}` : ''}`;
  }
}
