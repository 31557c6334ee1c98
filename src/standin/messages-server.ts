import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadSession, ScriptedSession, type ScriptedSessionInput, type ScriptedTurn } from './session-schema.js';
import { latestUserText, MessagesRequest, type RecordedRequest } from './request.js';
import { buildMessage, errorBody, faultErrors, formatSse, streamEvents, wireId, type WireErrorType } from './wire.js';

/**
 * A local server that speaks the Anthropic Messages API (POST /v1/messages, streaming SSE and
 * plain JSON) and plays a scripted session, so the real SDK can be driven over real HTTP.
 */

export type { RecordedRequest } from './request.js';

export interface MessagesStandin {
  /** e.g. http://127.0.0.1:PORT; pass it as the SDK's baseURL (or ANTHROPIC_BASE_URL). */
  url: string;
  /** Parsed JSON bodies of every well-formed request, in arrival order (faulted ones included). */
  requests: RecordedRequest[];
  /** Unconsumed turns that are not `repeat`. */
  remaining(): number;
  close(): Promise<void>;
}

export interface StandinOptions {
  session: ScriptedSessionInput | string;
  port?: number;
  host?: string;
  /** One line per request answered (turn picked, fault played, error returned). */
  log?: (line: string) => void;
}

export async function startMessagesStandin(opts: StandinOptions): Promise<MessagesStandin> {
  const session = typeof opts.session === 'string' ? loadSession(opts.session) : ScriptedSession.parse(opts.session);
  const turns = session.turns.map((turn, index) => ({
    turn,
    label: turn.id ?? `#${index + 1}`,
    when: turn.when === undefined ? undefined : new RegExp(turn.when),
    consumed: false,
    faultsPlayed: 0,
  }));
  const requests: RecordedRequest[] = [];
  const log = opts.log ?? (() => {});

  const sendError = (res: ServerResponse, status: number, type: WireErrorType, message: string, headers: Record<string, string> = {}) => {
    const requestId = wireId('req');
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
    res.end(JSON.stringify(errorBody(type, message, requestId)));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [{ type: 'model', id: 'stand-in', display_name: 'Stand-in', created_at: '2025-01-01T00:00:00Z' }], has_more: false, first_id: 'stand-in', last_id: 'stand-in' }));
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return sendError(res, 404, 'not_found_error', `${req.method} ${path} not found`);
    }
    if (!req.headers['x-api-key'] && !req.headers.authorization) {
      return sendError(res, 401, 'authentication_error', 'x-api-key header is required');
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return sendError(res, 400, 'invalid_request_error', 'request body is not valid JSON');
    }
    const parsed = MessagesRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return sendError(res, 400, 'invalid_request_error', `${issue.path.join('.')}: ${issue.message}`);
    }
    const body = parsed.data;
    requests.push(body);

    const text = latestUserText(body);
    const pick = turns.find((t) => !t.consumed && (t.when === undefined || t.when.test(text)));
    if (!pick) {
      log(`no scripted turn matches request ${requests.length}`);
      return sendError(res, 400, 'invalid_request_error', `stand-in: no scripted turn matches the latest message: ${text.slice(0, 200)}`);
    }
    const { turn } = pick;
    if (turn.fault && pick.faultsPlayed < turn.fault.times) {
      pick.faultsPlayed++;
      return playFault(turn, pick.label, body, res);
    }
    if (!turn.repeat) pick.consumed = true;
    const msg = buildMessage({
      model: body.model,
      reply: turn.reply,
      requestChars: raw.length,
      usage: turn.usage,
      stopReason: turn.stop_reason,
    });
    log(`turn ${pick.label}: ${msg.stop_reason} (${body.stream ? 'stream' : 'json'})`);
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': wireId('req') });
      res.end(JSON.stringify(msg));
      return;
    }
    startSse(res);
    for (const event of streamEvents(msg)) {
      if (res.destroyed) return; // the client aborted
      res.write(formatSse(event));
      if (turn.delayMs) await sleep(turn.delayMs);
    }
    res.end();
  }

  function startSse(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': wireId('req'),
    });
  }

  function playFault(turn: ScriptedTurn, label: string, body: MessagesRequest, res: ServerResponse): void {
    const fault = turn.fault!;
    const stream = body.stream === true;
    if (fault.status !== undefined) {
      log(`turn ${label}: fault ${fault.status}`);
      const { type, message } = faultErrors[fault.status];
      return sendError(res, fault.status, type, message, {
        'retry-after': String(Math.ceil(fault.retryAfterMs / 1000)),
        'retry-after-ms': String(fault.retryAfterMs),
      });
    }
    const msg = buildMessage({ model: body.model, reply: turn.reply, requestChars: 0 });
    const events = streamEvents(msg);
    if (fault.timeout) {
      // Keep the socket open and silent; close() ends it.
      log(`turn ${label}: no answer (timeout)`);
      return;
    }
    if (fault.malformed) {
      log(`turn ${label}: malformed ${stream ? 'event' : 'body'}`);
      if (!stream) {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': wireId('req') });
        res.end(JSON.stringify(msg).slice(0, 40));
        return;
      }
      startSse(res);
      res.end(events.slice(0, 3).map(formatSse).join('') + 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{\n\n');
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
      res.write(events.slice(0, 4).map(formatSse).join(''));
      return;
    }
    // Send the opening of the message, then cut the connection mid-content.
    log(`turn ${label}: torn stream`);
    res.write(events.slice(0, 4).map(formatSse).join(''), () => res.destroy());
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'api_error', `stand-in: ${(err as Error).message}`);
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
