import { customMessage, stripAnsi, stripBars, stripPrefix } from './log-prefix.js';
import { type RichRecord, parseRichRecord, richContinuation, wrapped } from './rich-log.js';

/**
 * One normalisation of command output, applied before metrics, triggers and excerpts read it:
 * "\r" redraws resolved to the line a terminal ends up showing, ANSI codes stripped, tqdm bar
 * fragments dropped from the records they share a line with, log-record prefixes removed
 * (Python logging's common formats, Rich's handler, timestamps, Modal's client prefix, a
 * playbook's own), Rich's continuation rows and Rich-wrapped error lines joined back. The raw
 * output is kept elsewhere (commands/<id>.log); this is what the text says.
 *
 * Input segments may end with their terminator (from createRawSplitter): one ending in a lone
 * "\r" is overwritten by the next. A segment without a terminator is a whole line (lines read
 * back from events or files). A line is held back only while it may continue on the next one
 * (a Rich record, a long error line); everything else is passed on at once.
 */

export interface NormaliserOptions {
  /** A playbook's own prefixes, tried first; a `message` named group picks the message. */
  prefixes?: readonly RegExp[];
  /** Console width that wrapped the output when it cannot be read off the lines: Rich's default. */
  width?: number;
}

export interface OutputNormaliser<T = undefined> {
  /** `tag` (the stream, say) comes back with each line: the tag of the segment that began it. */
  push(segment: string, tag?: T): void;
  /** Passes on what is held back. */
  end(): void;
  /** Whether a line is held back, waiting to see if the next one continues it. */
  holding(): boolean;
}

// An exception or error line that Modal's Rich console may have wrapped (it keeps the space
// at the wrap point, and wraps only where the next word would not fit).
const ERROR_LINE = /^(?:[\w.]*(?:Error|Exception|Interrupt)\b|Error\b|Image build for|Stopping app)/;
/**
 * What a line the normaliser holds back must contain (or an ANSI code that may hide it): for
 * rows that may follow it wrapped, ERROR_LINE's words; for indented continuation rows, a Rich
 * record's level (rich-log.ts). A line without is passed on at once, so readers that skip ahead
 * (trigger-scanner.ts) may start afresh before it.
 */
export const MAY_HOLD = {
  // eslint-disable-next-line no-control-regex
  wrapped: /Error|Exception|Interrupt|Image build for|Stopping app|\x1b/,
  // eslint-disable-next-line no-control-regex
  indented: /DEBUG|INFO|WARNING|ERROR|CRITICAL|NOTSET|\x1b/,
};
// A line that starts something of its own is never the rest of the previous one.
const NEW_STATEMENT = /^(?:\s|[A-Z][\w.]*(?::|\s\()|Traceback\b|[\w.]*(?:Error|Exception)\b|[│╭╰┃])/;

export function createOutputNormaliser<T = undefined>(onLine: (line: string, tag: T) => void, opts: NormaliserOptions = {}): OutputNormaliser<T> {
  const custom = opts.prefixes ?? [];
  const consoleWidth = opts.width ?? 80;
  let screen: string | undefined; // the terminal line being redrawn
  let screenTag: T | undefined;
  let heldTag: T | undefined;
  let rich: RichRecord | undefined;
  let held: string | undefined; // the message so far, waiting for its continuation
  let row = ''; // the last physical row of `held`, as laid out
  let errorWrap = false;

  const flush = () => {
    if (held !== undefined) onLine(held, heldTag as T);
    held = undefined;
    rich = undefined;
    errorWrap = false;
  };

  const line = (raw: string, tag: T) => {
    const text = stripBars(stripAnsi(raw));
    if (rich && held !== undefined) {
      const more = richContinuation(text, rich);
      if (more !== undefined) {
        if (wrapped(row, more, rich.width)) held += ' ' + more;
        else {
          onLine(held, heldTag as T);
          held = more;
          heldTag = tag;
        }
        row = more;
        return;
      }
    } else if (errorWrap && held !== undefined) {
      const next = text.trimEnd();
      const last = row.trimEnd();
      // A log record (a prefix a logger writes) starts on its own line: it is never a wrapped row.
      const record = customMessage(text, custom) !== undefined || stripPrefix(text) !== text;
      if (next.length > 0 && !record && last.length <= consoleWidth && wrapped(last, next, consoleWidth) && !NEW_STATEMENT.test(text)) {
        held = held.trimEnd() + ' ' + next;
        row = text;
        errorWrap = mayWrap(text);
        if (!errorWrap) flush();
        return;
      }
    }
    flush();
    const own = customMessage(text, custom);
    const record = own === undefined ? parseRichRecord(text, consoleWidth) : undefined;
    heldTag = tag;
    if (record) {
      rich = record;
      held = record.message;
      row = record.row;
      return;
    }
    const message = own ?? stripPrefix(text);
    if (ERROR_LINE.test(message) && mayWrap(message)) {
      held = message;
      row = message;
      errorWrap = true;
      return;
    }
    onLine(message, tag);
  };

  /** A row Rich broke at a space keeps it; a row at the console's width may be broken too. */
  function mayWrap(text: string): boolean {
    return text.endsWith(' ') || text.length >= consoleWidth - 20;
  }

  return {
    push(segment, tag) {
      let s = stripAnsi(segment);
      const last = s.charCodeAt(s.length - 1);
      if (last === 13) {
        s = s.slice(0, -1);
        if (screen === undefined) screenTag = tag;
        screen = screen === undefined || s.length >= screen.length ? s : s + screen.slice(s.length);
        return;
      }
      if (last === 10) s = s.slice(0, s.charCodeAt(s.length - 2) === 13 ? -2 : -1);
      let lineTag = tag as T;
      if (screen !== undefined) {
        s = s.length >= screen.length ? s : s + screen.slice(s.length);
        screen = undefined;
        lineTag = screenTag as T;
      }
      line(s, lineTag);
    },
    end() {
      if (screen !== undefined) line(screen, screenTag as T);
      screen = undefined;
      flush();
    },
    holding: () => held !== undefined || screen !== undefined,
  };
}

/** Normalises a whole text (a saved log): the lines it holds as metrics and triggers read them. */
export function normaliseText(text: string, opts: NormaliserOptions = {}): string[] {
  const out: string[] = [];
  const n = createOutputNormaliser((l) => out.push(l), opts);
  let i = 0;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    const cr = text.indexOf('\r', i);
    let j = nl < 0 ? cr : cr < 0 ? nl : Math.min(nl, cr);
    if (j < 0) j = text.length - 1;
    else if (text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10) j++;
    n.push(text.slice(i, j + 1));
    i = j + 1;
  }
  n.end();
  return out;
}
