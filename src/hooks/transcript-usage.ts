import { existsSync, readFileSync } from 'node:fs';
import { usageOf } from '../replay/import/claude-code.js';
import { priceOf } from '../agent/pricing.js';
import type { Usage } from '../events/schema.js';

export interface SessionUsage {
  usage: Usage;
  costUsd: number;
}

export const NO_USAGE: SessionUsage = { usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, costUsd: 0 };

/**
 * What a Claude Code session has used so far, from its transcript: each assistant message's
 * usage once (Claude Code writes one line per content block, all with the message's usage),
 * priced by its model. Unreadable lines are skipped; a missing transcript has used nothing.
 */
export function sessionUsage(transcript: string | undefined): SessionUsage {
  if (!transcript || !existsSync(transcript)) return NO_USAGE;
  const byMessage = new Map<string, { model: string; usage: Usage }>();
  for (const line of readFileSync(transcript, 'utf8').split('\n')) {
    if (!line.includes('"assistant"')) continue;
    try {
      const r = JSON.parse(line) as { type?: string; isSidechain?: boolean; message?: { id?: string; model?: string; usage?: Parameters<typeof usageOf>[0] } };
      if (r.type !== 'assistant' || !r.message?.usage) continue;
      byMessage.set(r.message.id ?? String(byMessage.size), { model: r.message.model ?? '', usage: usageOf(r.message.usage) });
    } catch {
      continue;
    }
  }
  const total = structuredClone(NO_USAGE);
  for (const { model, usage } of byMessage.values()) {
    for (const k of Object.keys(usage) as Array<keyof Usage>) total.usage[k] += usage[k];
    total.costUsd += priceOf(model, usage);
  }
  return total;
}

/** Usage between two readings of the same session. */
export function usageSince(now: SessionUsage, before: SessionUsage): SessionUsage {
  const usage = { ...now.usage };
  for (const k of Object.keys(usage) as Array<keyof Usage>) usage[k] = Math.max(0, now.usage[k] - before.usage[k]);
  return { usage, costUsd: Math.max(0, now.costUsd - before.costUsd) };
}
