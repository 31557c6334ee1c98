import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { loadSession, ScriptedSession, type ScriptedSessionInput, type ScriptedTurn } from './session-schema.js';

/**
 * The HTTP side of a stand-in for an LLM API, whatever its wire format: reads the request,
 * picks the scripted turn whose regex matches the latest user text, plays its fault if it has
 * one left, else answers with the dialect's JSON or SSE rendering of the reply.
 */

export type ErrorKind = 'invalid' | 'auth' | 'not_found' | 'server' | 429 | 500 | 529;

export interface Dialect<Req> {
  /** The POST path answered, e.g. `/v1/messages`. */
  path: string;
  authorized(req: IncomingMessage): boolean;
  parse(json: unknown): { ok: true; body: Req } | { ok: false; message: string };
  latestText(body: Req): string;
  streams(body: Req): boolean;
  sendError(res: ServerResponse, kind: ErrorKind, message: string, headers?: Record<string, string>): void;
  /** The whole reply as one JSON body. */
  message(turn: ScriptedTurn, body: Req, requestChars: number): unknown;
  /** The reply as SSE frames, each a complete `data: ...\n\n` block (with `event:` if the API uses it). */
  frames(turn: ScriptedTurn, body: Req, requestChars: number): string[];
  /** A frame whose data is not valid JSON. */
  malformedFrame: string;
  /** Other routes (GET /v1/models); true when answered. */
  extraRoute?(req: IncomingMessage, res: ServerResponse): boolean;
}

/** A dialect's `parse` from the zod schema of its request body; the first issue is the message. */
export const parseWith =
  <S extends z.ZodType>(schema: S) =>
  (json: unknown): { ok: true; body: z.infer<S> } | { ok: false; message: string } => {
    const parsed = schema.safeParse(json);
    if (parsed.success) return { ok: true, body: parsed.data };
    const issue = parsed.error.issues[0]!;
    return { ok: false, message: `${issue.path.join('.')}: ${issue.message}` };
  };

export interface ScriptedServerOptions {
  session: ScriptedSessionInput | string;
  port?: number;
  host?: string;
  /** One line per request answered (turn picked, fault played, error returned). */
  log?: (line: string) => void;
}

export interface ScriptedServer<Req> {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  /** Parsed JSON bodies of every well-formed request, in arrival order (faulted ones included). */
  requests: Req[];
  /** Unconsumed turns that are not `repeat`. */
  remaining(): number;
  close(): Promise<void>;
}

export async function startScriptedServer<Req>(dialect: Dialect<Req>, opts: ScriptedServerOptions): Promise<ScriptedServer<Req>> {
  const session = typeof opts.session === 'string' ? loadSession(opts.session) : ScriptedSession.parse(opts.session);
  const turns = session.turns.map((turn, index) => ({
    turn,
    label: turn.id ?? `#${index + 1}`,
    when: turn.when === undefined ? undefined : new RegExp(turn.when),
    consumed: false,
    faultsPlayed: 0,
  }));
  const requests: Req[] = [];
  const answered = new Map<string, (typeof turns)[number]>();
  const log = opts.log ?? (() => {});

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (dialect.extraRoute?.(req, res)) return;
    if (req.method !== 'POST' || path !== dialect.path) return dialect.sendError(res, 'not_found', `${req.method} ${path} not found`);
    if (!dialect.authorized(req)) return dialect.sendError(res, 'auth', 'an API key header is required');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return dialect.sendError(res, 'invalid', 'request body is not valid JSON');
    }
    const parsed = dialect.parse(json);
    if (!parsed.ok) return dialect.sendError(res, 'invalid', parsed.message);
    const body = parsed.body;
    requests.push(body);

    const text = dialect.latestText(body);
    // A model asked the same conversation again (a client that was killed and resumed before it
    // logged the answer) answers it the same way: the scripted agent is deterministic.
    const pick = answered.get(raw) ?? turns.find((t) => !t.consumed && (t.when === undefined || t.when.test(text)));
    if (!pick) {
      log(`no scripted turn matches request ${requests.length}`);
      return dialect.sendError(res, 'invalid', `stand-in: no scripted turn matches the latest message: ${text.slice(0, 200)}`);
    }
    const { turn, label } = pick;
    const stream = dialect.streams(body);
    if (turn.fault && pick.faultsPlayed < turn.fault.times) {
      pick.faultsPlayed++;
      return playFault(turn, label, body, stream, res);
    }
    if (!turn.repeat) pick.consumed = true;
    answered.set(raw, pick);
    log(`turn ${label}: reply (${stream ? 'stream' : 'json'})`);
    if (!stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(dialect.message(turn, body, raw.length)));
      return;
    }
    startSse(res);
    for (const frame of dialect.frames(turn, body, raw.length)) {
      if (res.destroyed) return; // the client aborted
      res.write(frame);
      if (turn.delayMs) await sleep(turn.delayMs);
    }
    res.end();
  }

  function startSse(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  }

  function playFault(turn: ScriptedTurn, label: string, body: Req, stream: boolean, res: ServerResponse): void {
    const fault = turn.fault!;
    if (fault.status !== undefined) {
      log(`turn ${label}: fault ${fault.status}`);
      return dialect.sendError(res, fault.status, `stand-in fault ${fault.status}`, {
        'retry-after': String(Math.ceil(fault.retryAfterMs / 1000)),
        'retry-after-ms': String(fault.retryAfterMs),
      });
    }
    if (fault.timeout) {
      // Keep the socket open and silent; close() ends it.
      log(`turn ${label}: no answer (timeout)`);
      return;
    }
    const frames = dialect.frames(turn, body, 0);
    if (fault.malformed) {
      log(`turn ${label}: malformed ${stream ? 'event' : 'body'}`);
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(dialect.message(turn, body, 0)).slice(0, 40));
        return;
      }
      startSse(res);
      res.end(frames.slice(0, 3).join('') + dialect.malformedFrame);
      return;
    }
    if (!stream) {
      // A dropped connection before any response: the client sees a connection error.
      log(`turn ${label}: torn connection`);
      res.socket?.destroy();
      return;
    }
    startSse(res);
    if (fault.stall) {
      log(`turn ${label}: stream stalls`);
      res.write(frames.slice(0, 4).join(''));
      return;
    }
    // Send the opening of the reply, then cut the connection mid-content.
    log(`turn ${label}: torn stream`);
    res.write(frames.slice(0, 4).join(''), () => res.destroy());
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) dialect.sendError(res, 'server', `stand-in: ${(err as Error).message}`);
      else res.destroy();
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    requests,
    remaining: () => turns.filter((t) => !t.consumed && !t.turn.repeat).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
