import { StringDecoder } from 'node:string_decoder';
import { ChunkStream, stringOps } from './matcher-stream.js';

/**
 * Splits a process's output into lines for command_output events. Chunks may cut a UTF-8
 * character or a "\r\n" in two; a lone "\r" (a progress-bar redraw) ends a line too, so a bar
 * that redraws a thousand times becomes a thousand short lines rather than one huge one. A line
 * longer than `maxLineChars` is cut there and the rest of it is dropped, keeping memory bounded
 * however long a process writes without a newline.
 */

export interface LineSplitterOptions {
  /** Default 64 KiB. */
  maxLineChars?: number;
}

export interface LineSplitter {
  push(chunk: string | Uint8Array): void;
  /** Emits the last line if it had no terminator. */
  end(): void;
}

const CR = 13;
const LF = 10;

export function createLineSplitter(onLine: (line: string) => void, opts: LineSplitterOptions = {}): LineSplitter {
  const cap = opts.maxLineChars ?? 64 * 1024;
  const decoder = new StringDecoder('utf8');
  // The region holds whole lines; its last line ends at `to`, the others at a terminator.
  const stream = new ChunkStream<string>(
    stringOps,
    (t, from, to) => {
      let i = from;
      for (;;) {
        let j = i;
        while (j < to) {
          const c = t.charCodeAt(j);
          if (c === LF || c === CR) break;
          j++;
        }
        onLine(t.slice(i, Math.min(j, i + cap)));
        if (j >= to) return;
        i = t.charCodeAt(j) === CR && t.charCodeAt(j + 1) === LF ? j + 2 : j + 1;
        if (i > to) return;
      }
    },
    cap,
  );
  return {
    push(chunk) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      if (text.length > 0) stream.push(text);
    },
    end() {
      const tail = decoder.end();
      if (tail.length > 0) stream.push(tail);
      stream.end();
    },
  };
}
