import { openSync, writeSync, closeSync, createReadStream, existsSync, readSync, statSync, truncateSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Event } from '../events/schema.js';
import { InputError } from '../errors.js';
import { ChainCheck, chainLine } from './chain.js';

/**
 * The append-only run log: one JSON event per line, written with one write(2) per event so a
 * killed process loses at most the line it was writing. Reading tolerates that torn last line.
 */
export class EventLogWriter {
  private fd: number | undefined;

  /** `chain`: the hash of the log's last event, when appending to an existing log. */
  constructor(
    readonly path: string,
    private chain = '',
  ) {
    this.fd = openSync(path, 'a');
  }

  /** Writes the event chained to the one before (see chain.ts); returns its hash. */
  append(event: Event): string {
    if (this.fd === undefined) throw new Error(`event log ${this.path} is closed`);
    const { hash: _old, ...rest } = event;
    const { line, hash } = chainLine(this.chain, JSON.stringify(rest));
    writeSync(this.fd, line + '\n');
    this.chain = hash;
    return hash;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface ReadLogResult {
  events: Event[];
  /** True when the last line was cut short (a killed writer) and was skipped. */
  tornTail: boolean;
  /** The last event's hash, which an appending writer continues the chain from. */
  chain: string;
}

/** Reads a whole log. A corrupt line other than the last is an error located at file:line. */
export async function readEventLog(path: string): Promise<ReadLogResult> {
  if (!existsSync(path)) throw new InputError(`no run log at ${path}`);
  const events: Event[] = [];
  const chain = new ChainCheck(path);
  const take = (p: { line: string; n: number }) => {
    const e = parseLine(path, p.line, p.n);
    chain.check(p.line, e, p.n);
    events.push(e);
  };
  let pending: { line: string; n: number } | undefined;
  let n = 0;
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  try {
    for await (const line of rl) {
      n++;
      if (pending) take(pending);
      pending = line.trim() === '' ? undefined : { line, n };
    }
  } catch (err) {
    // A log that is a folder or cannot be opened is a bad log (exit 2), said in one line.
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot read the run log (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, path);
  }
  let tornTail = false;
  if (pending) {
    let e: Event | undefined;
    try {
      e = parseLine(path, pending.line, pending.n);
    } catch {
      tornTail = true;
    }
    // Only a line that is not whole is forgiven; a whole line out of place is reported.
    if (e) {
      chain.check(pending.line, e, pending.n);
      events.push(e);
    }
  }
  return { events, tornTail, chain: chain.last };
}

function parseLine(path: string, line: string, n: number): Event {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw new InputError(`not JSON: ${(err as Error).message}`, `${path}:${n}`);
  }
  const parsed = Event.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`not a labpilot event: ${issue.path.join('.') || '(root)'}: ${issue.message}`, `${path}:${n}`);
  }
  return parsed.data;
}

/** Cuts a half-written last line, so appended events start on a line of their own. */
export function dropTornTail(path: string): void {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const window = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(window);
  readSync(fd, buf, 0, window, size - window);
  closeSync(fd);
  const lastNewline = buf.lastIndexOf(0x0a);
  truncateSync(path, lastNewline < 0 ? size - window : size - window + lastNewline + 1);
}
