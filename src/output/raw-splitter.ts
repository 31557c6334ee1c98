import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a process's output into segments that keep their terminator ("\n", "\r\n" or a lone
 * "\r"), so the bytes can be written back unchanged and a redraw ("\r" without "\n") told apart
 * from a line end. A "\r" that ends a chunk waits for the next one, which may start with the
 * "\n" of the same terminator. A segment longer than `maxChars` is passed on in pieces of that
 * size without a terminator: memory stays bounded however long a process writes without one.
 */
export interface RawSplitter {
  push(chunk: string | Uint8Array): void;
  /** Passes on what is left, without a terminator. */
  end(): void;
}

export function createRawSplitter(onSegment: (segment: string) => void, maxChars = 64 * 1024): RawSplitter {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  const feed = (text: string, final: boolean) => {
    let t = carry.length > 0 ? carry + text : text;
    let i = 0;
    // The next "\n" and "\r" at or after i, each searched for again only once passed: a chunk
    // is read once however its terminators are mixed.
    let n = t.indexOf('\n');
    let r = t.indexOf('\r');
    for (;;) {
      if (n >= 0 && n < i) n = t.indexOf('\n', i);
      if (r >= 0 && r < i) r = t.indexOf('\r', i);
      const j = n < 0 ? r : r < 0 ? n : n < r ? n : r;
      if (j < 0) break;
      if (j === r) {
        if (j + 1 === t.length && !final) break; // may be the first half of "\r\n"
        const end = n === j + 1 ? j + 2 : j + 1;
        onSegment(t.slice(i, end));
        i = end;
      } else {
        onSegment(t.slice(i, j + 1));
        i = j + 1;
      }
    }
    t = t.slice(i);
    while (t.length > maxChars) {
      onSegment(t.slice(0, maxChars));
      t = t.slice(maxChars);
    }
    carry = t;
    if (final && carry.length > 0) {
      onSegment(carry);
      carry = '';
    }
  };
  return {
    push(chunk) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      if (text.length > 0) feed(text, false);
    },
    end() {
      feed(decoder.end(), true);
    },
  };
}
