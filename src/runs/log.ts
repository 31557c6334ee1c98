import { openSync, writeSync, closeSync, createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Event } from '../events/schema.js';
import { InputError } from '../errors.js';

/**
 * The append-only run log: one JSON event per line, written with one write(2) per event so a
 * killed process loses at most the line it was writing. Reading tolerates that torn last line.
 */
export class EventLogWriter {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(event: Event): void {
    if (this.fd === undefined) throw new Error(`event log ${this.path} is closed`);
    writeSync(this.fd, JSON.stringify(event) + '\n');
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
}

/** Reads a whole log. A corrupt line other than the last is an error located at file:line. */
export async function readEventLog(path: string): Promise<ReadLogResult> {
  if (!existsSync(path)) throw new InputError(`no run log at ${path}`);
  const events: Event[] = [];
  let pending: { line: string; n: number } | undefined;
  let n = 0;
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of rl) {
    n++;
    if (pending) events.push(parseLine(path, pending.line, pending.n));
    pending = line.trim() === '' ? undefined : { line, n };
  }
  let tornTail = false;
  if (pending) {
    try {
      events.push(parseLine(path, pending.line, pending.n));
    } catch {
      tornTail = true;
    }
  }
  return { events, tornTail };
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
