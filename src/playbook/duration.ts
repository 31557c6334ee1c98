/** Milliseconds in a playbook duration: a number of seconds, or "500ms", "90s", "30m", "2h". */
export function parseDuration(d: number | string): number {
  if (typeof d === 'number') return d * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`bad duration '${d}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

/** The longest delay Node's timers keep: a longer one fires at once (TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A playbook timeout as a timer's delay: `1000h` would overflow Node's timer and kill the command
 * at once, so a timeout beyond about 24.8 days waits that long instead.
 */
export const timerMs = (d: number | string): number => Math.min(parseDuration(d), MAX_TIMER_MS);
