import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';

/**
 * The run log's chain: each event names its predecessor's seq (`prev`) and ends with `hash`, a
 * digest of the predecessor's hash and this line's own text before the hash. A deleted,
 * duplicated, swapped or edited line breaks it, and the reader says at which line.
 */

const TAIL = /,"hash":"([0-9a-f]{16})"\}$/;

export const chainHash = (prevHash: string, body: string): string => createHash('sha256').update(prevHash).update('\n').update(body).digest('hex').slice(0, 16);

/** The line to write for an event's JSON (without hash), and the hash it ends with. */
export function chainLine(prevHash: string, json: string): { line: string; hash: string } {
  const hash = chainHash(prevHash, json);
  return { line: `${json.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** Checks one line against the lines before it; keeps what the next line is checked against. */
export class ChainCheck {
  private seq = -1;
  private hash = '';
  private hashed: boolean | undefined;

  constructor(private readonly path: string) {}

  /** The last hash seen, which a writer continues from. */
  get last(): string {
    return this.hash;
  }

  check(line: string, event: { seq: number; prev?: number; hash?: string }, n: number): void {
    const where = `${this.path}:${n}`;
    const expected = this.seq + 1;
    if (event.seq < expected) {
      throw new InputError(`event seq ${event.seq} comes after seq ${this.seq}: a duplicated or reordered line`, where);
    }
    if (event.seq > expected) {
      throw new InputError(`event seq ${event.seq} follows seq ${this.seq}: ${event.seq - expected} event(s) missing before this line`, where);
    }
    if (event.prev !== undefined && event.prev !== this.seq) throw new InputError(`event names seq ${event.prev} as its predecessor, but follows seq ${this.seq}`, where);
    const hashed = event.hash !== undefined;
    // A log written before events were chained has no hash on any line; one that has them has them on every line.
    if (this.hashed !== undefined && hashed !== this.hashed) throw new InputError(`event ${hashed ? 'has' : 'lacks'} the hash the lines before it ${hashed ? 'lack' : 'have'}`, where);
    this.hashed = hashed;
    if (hashed) {
      const m = TAIL.exec(line);
      if (!m || chainHash(this.hash, line.slice(0, m.index) + '}') !== m[1]) {
        throw new InputError('event does not follow from the lines before it (a line was edited, deleted or moved)', where);
      }
      this.hash = m[1]!;
    }
    this.seq = event.seq;
  }
}
