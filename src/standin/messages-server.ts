import type { ServerResponse } from 'node:http';
import { latestUserText, MessagesRequest, type RecordedRequest } from './request.js';
import { parseWith, startScriptedServer, type Dialect, type ErrorKind, type ScriptedServer, type ScriptedServerOptions } from './scripted-server.js';
import { buildMessage, errorBody, faultErrors, formatSse, streamEvents, wireId, type WireErrorType } from './wire.js';

/**
 * A local server that speaks the Anthropic Messages API (POST /v1/messages, streaming SSE and
 * plain JSON) and plays a scripted session, so the real SDK can be driven over real HTTP.
 */

export type { RecordedRequest } from './request.js';
export type MessagesStandin = ScriptedServer<RecordedRequest>;
export type StandinOptions = ScriptedServerOptions;

const ERROR_TYPES: Record<Exclude<ErrorKind, 429 | 500 | 529>, [number, WireErrorType]> = {
  invalid: [400, 'invalid_request_error'],
  auth: [401, 'authentication_error'],
  not_found: [404, 'not_found_error'],
  server: [500, 'api_error'],
};

function sendError(res: ServerResponse, kind: ErrorKind, message: string, headers: Record<string, string> = {}): void {
  const [status, type] = typeof kind === 'number' ? [kind, faultErrors[kind].type] : ERROR_TYPES[kind];
  const text = typeof kind === 'number' ? faultErrors[kind].message : kind === 'auth' ? 'x-api-key header is required' : message;
  const requestId = wireId('req');
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
  res.end(JSON.stringify(errorBody(type, text, requestId)));
}

const messagesDialect: Dialect<RecordedRequest> = {
  path: '/v1/messages',
  authorized: (req) => Boolean(req.headers['x-api-key'] || req.headers.authorization),
  parse: parseWith(MessagesRequest),
  latestText: latestUserText,
  streams: (body) => body.stream === true,
  sendError,
  message: (turn, body, requestChars) =>
    buildMessage({ model: body.model, reply: turn.reply, requestChars, usage: turn.usage, stopReason: turn.stop_reason }),
  frames: (turn, body, requestChars) =>
    streamEvents(buildMessage({ model: body.model, reply: turn.reply, requestChars, usage: turn.usage, stopReason: turn.stop_reason })).map(formatSse),
  malformedFrame: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{\n\n',
  extraRoute(req, res) {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/v1/models') return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [{ type: 'model', id: 'stand-in', display_name: 'Stand-in', created_at: '2025-01-01T00:00:00Z' }], has_more: false, first_id: 'stand-in', last_id: 'stand-in' }));
    return true;
  },
};

export function startMessagesStandin(opts: StandinOptions): Promise<MessagesStandin> {
  return startScriptedServer(messagesDialect, opts);
}
