import { existsSync, readFileSync } from 'node:fs';
import { usageOf } from '../replay/import/claude-code.js';
import { UsageTally } from '../replay/import/usage.js';
import type { Usage } from '../events/schema.js';

export interface SessionUsage {
  usage: Usage;
  costUsd: number;
}

export const NO_USAGE: SessionUsage = { usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0 };

/**
 * What a Claude Code session has used so far, from its transcript: each assistant message's
 * usage once (Claude Code writes one line per content block; the last holds the final counts),
 * priced by its model. Unreadable lines are skipped; a missing transcript has used nothing.
 */
export function sessionUsage(transcript: string | undefined): SessionUsage {
  if (!transcript || !existsSync(transcript)) return NO_USAGE;
  const tally = new UsageTally();
  for (const [n, line] of readFileSync(transcript, 'utf8').split('\n').entries()) {
    if (!line.includes('"assistant"')) continue;
    try {
      const r = JSON.parse(line) as { type?: string; message?: { id?: string; model?: string; usage?: Parameters<typeof usageOf>[0] } };
      if (r.type === 'assistant' && r.message?.usage) tally.message(r.message.id ?? `line ${n}`, usageOf(r.message.usage), r.message.model);
    } catch {
      continue;
    }
  }
  return tally.take();
}

/** Usage between two readings of the same session. */
export function usageSince(now: SessionUsage, before: SessionUsage): SessionUsage {
  const usage = { ...now.usage };
  for (const k of Object.keys(usage) as Array<keyof Usage>) usage[k] = Math.max(0, now.usage[k] - before.usage[k]);
  return { usage, costUsd: Math.max(0, now.costUsd - before.costUsd) };
}
