import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Event, EventOf } from '../../src/events/schema.js';
import { importTranscript, type ImportOptions } from '../../src/replay/import/index.js';

/** The transcripts the importers are measured on, and what a transcript says of its own tokens. */
export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures', 'transcripts');
export const fixture = (name: string) => join(FIXTURES, name);

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export function imported(file: string, format: ImportOptions['format']) {
  const { events, stats } = importTranscript(file, { format, strict: true });
  const all = [...events];
  const of = <T extends Event['type']>(type: T) => all.map((e) => e.event).filter((e): e is EventOf<T> => e.type === type);
  const turns = of('agent_turn_ended');
  const tokens: Tokens = {
    input: turns.reduce((n, t) => n + t.usage.inputTokens, 0),
    output: turns.reduce((n, t) => n + t.usage.outputTokens, 0),
    cacheRead: turns.reduce((n, t) => n + t.usage.cacheReadTokens, 0),
    cacheWrite: turns.reduce((n, t) => n + t.usage.cacheWriteTokens, 0),
  };
  return { all, of, stats, tokens, cost: turns.reduce((n, t) => n + t.costUsd, 0) };
}

const records = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A Claude Code session's own count, as the tools that bill from these files take it: every API
 * message once (by `message.id` and `requestId`), with the usage of its last line.
 */
export function claudeOwnTokens(...files: string[]): Tokens {
  const messages = new Map<string, Record<string, number>>();
  for (const file of files) {
    for (const r of records(file)) {
      if (r.type === 'assistant' && r.message?.usage) messages.set(`${r.message.id}:${r.requestId ?? r.requestRef ?? ''}`, r.message.usage);
    }
  }
  const sum = (k: string) => [...messages.values()].reduce((n, u) => n + (u[k] ?? 0), 0);
  return { input: sum('input_tokens'), output: sum('output_tokens'), cacheRead: sum('cache_read_input_tokens'), cacheWrite: sum('cache_creation_input_tokens') };
}

/** Claude Code 2.1's own ledger: its last `cost-state` line, per model. */
export function claudeCostState(file: string): Tokens & { costUsd: number } {
  const last = records(file).filter((r) => r.type === 'cost-state').at(-1)!;
  const models = Object.values(last.modelUsage as Record<string, Record<string, number>>);
  const sum = (k: string) => models.reduce((n, m) => n + m[k]!, 0);
  return { input: sum('inputTokens'), output: sum('outputTokens'), cacheRead: sum('cacheReadInputTokens'), cacheWrite: sum('cacheCreationInputTokens'), costUsd: last.totalCostUSD as number };
}

/** A Codex rollout's own count: its last running total (`total_token_usage`, cached input inside input). */
export function codexOwnTokens(file: string): Tokens {
  const totals = records(file).filter((r) => r.type === 'event_msg' && r.payload?.type === 'token_count' && r.payload.info);
  const t = totals.at(-1)!.payload.info.total_token_usage as Record<string, number>;
  return { input: t.input_tokens! - t.cached_input_tokens!, output: t.output_tokens!, cacheRead: t.cached_input_tokens!, cacheWrite: 0 };
}

/** Relative difference of the totals (all kinds of tokens together). */
export function drift(a: Tokens, b: Tokens): number {
  const total = (t: Tokens) => t.input + t.output + t.cacheRead + t.cacheWrite;
  return Math.abs(total(a) - total(b)) / Math.max(1, total(b));
}
