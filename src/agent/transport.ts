import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import type { EventSink } from '../ports.js';
import { EnvironmentError } from '../errors.js';

/**
 * How the Anthropic agent meets a faulty Messages API. The SDK retries failed requests (429,
 * 5xx, 529, timeouts before the response) with backoff; labpilot adds what the SDK leaves
 * out: a notice per failed attempt, a watchdog for a response that stalls mid-stream, and a
 * second kind of retry for streams that break off or carry malformed JSON after they began.
 */

type Fetch = NonNullable<ClientOptions['fetch']>;

/** Statuses the SDK retries; each one seen becomes a notice, so a slow run explains itself. */
const RETRIED = (status: number) => status === 408 || status === 409 || status === 429 || status >= 500;

/**
 * A fetch that reports failed attempts through the sink before handing the response on, and
 * tells `onResponse` when a successful response arrives (where a stream's silence starts to count).
 */
export function noticingFetch(sink: EventSink, inner: Fetch = globalThis.fetch as Fetch, onResponse?: () => void): Fetch {
  let attempt = 0;
  return (async (url: Parameters<Fetch>[0], init: Parameters<Fetch>[1]) => {
    const res = await inner(url, init);
    if (res.ok) onResponse?.();
    if (RETRIED(res.status)) {
      attempt++;
      const what = res.status === 529 ? 'overloaded' : res.status === 429 ? 'rate limited' : 'server error';
      sink.emit({ type: 'notice', level: 'warn', message: `the Messages API answered ${res.status} (${what}); failed attempt ${attempt}` });
    } else attempt = 0;
    return res;
  }) as Fetch;
}

/**
 * A stream that failed after its response began: a cut connection, an error event mid-stream,
 * a malformed event (the SDK's JSON.parse throws a SyntaxError), or a stall.
 */
export function brokenStream(err: unknown): boolean {
  if (err instanceof SyntaxError) return true;
  if (err instanceof StreamStalled) return true;
  return (
    err instanceof Anthropic.AnthropicError &&
    !(err instanceof Anthropic.APIConnectionError) &&
    (!(err instanceof Anthropic.APIError) || err.status === undefined)
  );
}

export class StreamStalled extends Error {
  constructor(ms: number) {
    super(`no data for ${ms < 1000 ? `${ms}ms` : `${Math.round(ms / 1000)}s`}`);
    this.name = 'StreamStalled';
  }
}

/**
 * Aborts an attempt when its stream goes silent for `idleMs`, counted from the response's
 * arrival (`touch` on connect and on every event). The SDK's own timeout covers the wait for
 * the response headers, its retries and their backoff.
 */
export function stallWatchdog(idleMs: number, outer?: AbortSignal) {
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, idleMs);
  };
  const onOuter = () => controller.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    touch,
    /** The error to act on: a stall is reported as such, not as the abort it caused. */
    explain: (err: unknown): unknown => (stalled ? new StreamStalled(idleMs) : err),
    done: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** The innermost error code of a fetch failure (ECONNREFUSED, ENOTFOUND, ...). */
function causeOf(err: unknown): string {
  let cur: unknown = err;
  let last = '';
  for (let depth = 0; cur && depth < 5; depth++) {
    const e = cur as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === 'string') return e.code;
    if (typeof e.message === 'string') last = e.message;
    cur = e.cause;
  }
  return last;
}

/**
 * A request that failed for good becomes an EnvironmentError with a one-line reason: the API
 * (or the way to it) is not usable right now, which the run reports and a resume can retry.
 */
export function translateError(err: unknown, baseURL: string): unknown {
  if (err instanceof Anthropic.APIConnectionTimeoutError) {
    return new EnvironmentError(`the Messages API at ${baseURL} did not answer in time, after retries`);
  }
  if (err instanceof Anthropic.APIConnectionError) {
    return new EnvironmentError(`cannot reach the Messages API at ${baseURL}: ${causeOf(err) || err.message}`);
  }
  if (err instanceof Anthropic.AuthenticationError) {
    return new EnvironmentError(`the Messages API at ${baseURL} rejected the API key (401): check ANTHROPIC_API_KEY`);
  }
  if (err instanceof Anthropic.APIError && err.status !== undefined) {
    return new EnvironmentError(`the Messages API answered ${err.status} after retries: ${err.message}`);
  }
  const syntax = err instanceof SyntaxError ? err : (err as { cause?: unknown } | undefined)?.cause;
  if (syntax instanceof SyntaxError) return new EnvironmentError(`the Messages API sent malformed JSON: ${syntax.message}`);
  if (err instanceof StreamStalled || err instanceof Anthropic.AnthropicError) {
    return new EnvironmentError(`the Messages API response broke off: ${(err as Error).message}`);
  }
  return err;
}
