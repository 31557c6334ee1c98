import type { Event } from '../events/schema.js';

/**
 * Tells the person when they are needed (a prompt or a question awaits them in interactive mode)
 * and when a run ends: the terminal bell, and with `--notify URL` a webhook POST whose JSON body
 * is `{"text": ...}`, the shape Slack's incoming webhooks (and Mattermost, Discord's /slack
 * endpoint) accept. A webhook that fails is reported once and never stops the run.
 */
export interface NotifyOptions {
  url?: string;
  /** Ring the terminal bell (when a person watches a terminal). */
  bell?: boolean;
  /** Where the bell is rung and a failed webhook reported. */
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
  /** Posts the body; fetch by default. */
  post?: (url: string, body: string) => Promise<void>;
}

export interface Notifier {
  (event: Event): void;
  /** Resolves once every webhook call made so far has finished (before the process exits). */
  settled(): Promise<void>;
}

const postJson = async (url: string, body: string): Promise<void> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
};

/** The message for an event that needs the person or ends the run; undefined for the rest. */
export function notification(e: Event, run: { id?: string; playbook?: string; mode?: string }): string | undefined {
  const name = `labpilot run ${run.id ?? '?'} (${run.playbook ?? '?'})`;
  switch (e.type) {
    case 'prompt_proposed':
      return run.mode === 'interactive' ? `${name} waits for you: approve, edit or skip prompt ${e.promptId} at step ${e.step}` : undefined;
    case 'remediation_chosen':
      return run.mode === 'interactive' && e.action === 'ask' ? `${name} asks you a question at step ${e.step} (${e.remediation})` : undefined;
    case 'run_ended':
      return `${name} ended: ${e.verdict}: ${e.reason}`;
    default:
      return undefined;
  }
}

export function createNotifier(o: NotifyOptions): Notifier {
  const run: { id?: string; playbook?: string; mode?: string } = {};
  const pending = new Set<Promise<void>>();
  const post = o.post ?? postJson;
  let reported = false;
  const notify = ((e: Event) => {
    if (e.type === 'run_started') Object.assign(run, { id: e.runId, playbook: e.playbook, mode: e.mode });
    const text = notification(e, run);
    if (text === undefined) return;
    if (o.bell) o.out?.write('\x07');
    if (!o.url) return;
    const call = post(o.url, JSON.stringify({ text }))
      .catch((err: unknown) => {
        if (reported) return;
        reported = true;
        o.err?.write(`labpilot: --notify ${o.url} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      })
      .finally(() => pending.delete(call));
    pending.add(call);
  }) as Notifier;
  notify.settled = async () => {
    await Promise.all([...pending]);
  };
  return notify;
}

/** A notifier on a run's bus when `--notify` is given or a terminal app shows the run (the bell). */
export function notifyOn(
  bus: { subscribe(listener: (e: Event) => void): () => void },
  o: { notify?: string; view?: unknown },
  started?: Event,
): () => Promise<void> {
  if (!o.notify && !o.view) return async () => {};
  const notifier = createNotifier({ url: o.notify, bell: Boolean(o.view), out: process.stdout, err: process.stderr });
  // A resumed run has its run_started in the log, not on the bus.
  if (started) notifier(started);
  bus.subscribe(notifier);
  return () => notifier.settled();
}
