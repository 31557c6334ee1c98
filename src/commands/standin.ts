import { InputError } from '../errors.js';
import { startMessagesStandin } from '../standin/messages-server.js';

/**
 * `labpilot standin <session.yaml>`: serve a scripted session over the Messages API until
 * SIGINT/SIGTERM. Prints `ANTHROPIC_BASE_URL=<url>` on stdout so a shell can `export` it;
 * one line per request goes to stderr.
 */
export async function standinCommand(opts: { session: string; port?: number }): Promise<void> {
  if (opts.port !== undefined && !(Number.isInteger(opts.port) && opts.port >= 0 && opts.port <= 65535)) {
    throw new InputError(`--port must be a port number (0-65535), got ${opts.port}`);
  }
  const standin = await startMessagesStandin({
    session: opts.session,
    port: opts.port,
    log: (line) => process.stderr.write(`standin: ${line}\n`),
  });
  process.stdout.write(`ANTHROPIC_BASE_URL=${standin.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await standin.close();
  process.stderr.write(`standin: stopped, ${standin.requests.length} requests, ${standin.remaining()} turns unplayed\n`);
}
