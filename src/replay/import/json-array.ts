import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../../errors.js';

export interface JsonElement {
  /** The element's JSON text, or undefined when the document ended inside it. */
  text: string | undefined;
  line: number;
  col: number;
}

const CHUNK = 1 << 20;
const KEY_CHARS = 64;

/**
 * The messages of a JSON document, one element at a time, without parsing the whole document:
 * a top-level array (`[{role, content}, ...]`) or an object with a `messages` array (a request
 * body). Only strings, nesting and element boundaries are tracked, so memory holds one element.
 * Throws an InputError at `file:1:1` when the document holds no messages array.
 */
export function* jsonElements(path: string): Generator<JsonElement> {
  const fd = openSync(path, 'r');
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.allocUnsafe(CHUNK);
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** Depth inside the messages array; 0 until it is found. */
  let target = 0;
  let key = '';
  let lastKey = '';
  let afterColon = false;
  let line = 1;
  let col = 0;
  let parts: string[] | undefined;
  let partFrom = 0;
  let start = { line: 1, col: 1 };
  let done = false;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      const text = n > 0 ? decoder.write(buf.subarray(0, n)) : decoder.end();
      if (n <= 0 && text === '') break;
      partFrom = 0;
      for (let i = 0; i < text.length && !done; i++) {
        const c = text.charCodeAt(i);
        col++;
        if (c === 10) {
          line++;
          col = 0;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) inString = false;
          else if (depth === 1 && target === 0 && key.length < KEY_CHARS) key += text[i];
          continue;
        }
        if (parts === undefined && target > 0 && depth === target && c > 32 && c !== 44 && c !== 93) {
          parts = [];
          partFrom = i;
          start = { line, col };
        }
        switch (c) {
          case 34:
            inString = true;
            if (depth === 1) key = '';
            break;
          case 58:
            if (depth === 1) {
              lastKey = key;
              afterColon = true;
            }
            break;
          case 123:
          case 91:
            depth++;
            if (target === 0 && c === 91 && (depth === 1 || (depth === 2 && afterColon && lastKey === 'messages'))) target = depth;
            afterColon = false;
            break;
          case 125:
          case 93:
            if (parts !== undefined && depth === target && c === 93) {
              yield { text: parts.join('') + text.slice(partFrom, i), line: start.line, col: start.col };
              parts = undefined;
            }
            if (c === 93 && depth === target) done = true;
            depth--;
            break;
          case 44:
            if (parts !== undefined && depth === target) {
              yield { text: parts.join('') + text.slice(partFrom, i), line: start.line, col: start.col };
              parts = undefined;
            }
            if (depth === 1) afterColon = false;
            break;
          default:
            break;
        }
      }
      if (parts !== undefined) {
        parts.push(text.slice(partFrom));
        partFrom = 0;
      }
      if (done || n <= 0) break;
    }
  } finally {
    closeSync(fd);
  }
  if (target === 0) throw new InputError('no messages array (expected [ {role, content}, ... ] or { "messages": [...] })', `${path}:1:1`);
  if (!done) yield { text: undefined, line: parts !== undefined ? start.line : line, col: parts !== undefined ? start.col : col };
}
