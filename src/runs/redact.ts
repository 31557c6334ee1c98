import { createRawSplitter } from '../output/raw-splitter.js';
import type { CommandRunner } from '../ports.js';
import { GITLEAKS_RULES } from './secret-rules.js';

/**
 * Secrets never reach a log, a transcript, a report or a model prompt: every event passes here
 * before it is written (docs/architecture.md, "One event stream").
 * Redaction covers known key shapes and the values of sensitive environment variables.
 */

/** Neither a letter nor a digit before the match: `task-...` is not an `sk-` key. */
const B = '(?<![A-Za-z0-9])';

const KEY_SHAPES: RegExp[] = [
  new RegExp(`${B}sk-ant-[A-Za-z0-9_-]{16,}`, 'g'), // Anthropic
  new RegExp(`${B}sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}`, 'g'), // OpenAI and OpenAI-shaped
  new RegExp(`${B}hf_[A-Za-z0-9]{20,}`, 'g'), // Hugging Face
  new RegExp(`${B}a[ks]-[A-Za-z0-9]{16,}`, 'g'), // Modal token id (ak-) and secret (as-)
  new RegExp(`${B}gh[pousr]_[A-Za-z0-9]{30,}`, 'g'), // GitHub
  new RegExp(`${B}github_pat_[A-Za-z0-9_]{30,}`, 'g'), // GitHub fine-grained
  new RegExp(`${B}(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])`, 'g'), // AWS access key id
  new RegExp(`${B}xox[baprs]-[A-Za-z0-9-]{10,}`, 'g'), // Slack
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g, // PEM keys
  // What comes before a secret is kept (the `keep` group) rather than looked behind for: a
  // lookbehind of variable length is tried backwards from every position, quadratic on a long
  // run of spaces. Each part is bounded, so every shape runs in linear time on any input.
  /(?<keep>\b[Bb]earer[ \t]{1,16})[A-Za-z0-9._~+/=-]{20,}/g, // Authorization: Bearer <token>
  /(?<keep>\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@]{1,256}:)[^\s/@]{3,256}(?=@)/g, // https://user:PASSWORD@host
  ...GITLEAKS_RULES.map((r) => r.re),
];

const MASK = '[REDACTED]';

/**
 * Names of variables whose values are credentials: a `_`-separated part that is or ends with
 * KEY, TOKEN, SECRET, PASSWORD, PASSWD, CREDENTIAL(S) or is AUTH / AUTHORIZATION. Parts are
 * judged whole so that GIT_AUTHOR_NAME or KEYBOARD_LAYOUT are not mistaken for secrets.
 */
export function isSensitiveName(name: string): boolean {
  return name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .some((part) => /(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|PAT)$/.test(part) || part === 'AUTH' || part === 'AUTHORIZATION');
}

/** Values shorter than this are not treated as secrets: too likely to occur by chance. */
const MIN_SECRET_LENGTH = 8;

/**
 * The stretches of base64 that encode `v` wherever it starts in the encoded text (three
 * alignments), in the standard and the URL-safe alphabet: `base64 -w0` of a file holding a
 * secret is masked too. The characters that mix with neighbouring bytes are left out.
 */
function base64Forms(v: string): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const enc = Buffer.from('\0'.repeat(shift) + v).toString('base64');
    const start = shift === 0 ? 0 : Math.ceil((shift * 4) / 3);
    const end = Math.floor(((shift + Buffer.byteLength(v)) * 4) / 3);
    const core = enc.slice(start, end);
    if (core.length >= MIN_SECRET_LENGTH) out.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return out;
}

export class Redactor {
  private readonly values: string[];

  constructor(env: NodeJS.ProcessEnv = process.env, extra: string[] = []) {
    const fromEnv = Object.entries(env)
      .filter(([name, v]) => isSensitiveName(name) && typeof v === 'string' && v.length >= MIN_SECRET_LENGTH)
      .map(([, v]) => v as string);
    const plain = [...new Set([...fromEnv, ...extra.filter((v) => v.length >= MIN_SECRET_LENGTH)])];
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...new Set([...plain, ...plain.flatMap(base64Forms)])].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join(MASK);
    for (const re of KEY_SHAPES) out = out.replace(re, re.source.startsWith('(?<keep>') ? `$<keep>${MASK}` : MASK);
    return out;
  }

  /** True when `text` holds a secret value or a known key shape. */
  holdsSecret(text: string): boolean {
    return this.redact(text) !== text;
  }

  /** Redacts every string inside a JSON-like value. */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v)])) as T;
    }
    return value;
  }
}

/**
 * A command runner whose output is redacted before anyone sees it: the command log under
 * commands/, the events, the triggers and the excerpts quoted in prompts all read it through
 * `onLine` or `onChunk`, so none of them can hold a secret the command printed. Chunks are cut
 * into segments first (a secret may straddle two reads) and passed on redacted, still as bytes.
 */
export function redactingCommands(inner: CommandRunner, redactor: Redactor): CommandRunner {
  return {
    async run(req) {
      const { onChunk, onLine } = req;
      if (!onChunk) return inner.run({ ...req, onLine: onLine && ((line, stream) => onLine(redactor.redact(line), stream)) });
      type Stream = 'stdout' | 'stderr';
      let pending: string[] = [];
      const redacted = () => createRawSplitter((segment) => pending.push(redactor.redact(segment)));
      const streams = { stdout: redacted(), stderr: redacted() };
      // What one read brought, redacted, passed on as one chunk.
      const pass = (stream: Stream, push: () => void) => {
        push();
        if (pending.length > 0) onChunk(Buffer.from(pending.join('')), stream);
        pending = [];
      };
      const result = await inner.run({ ...req, onChunk: (chunk, stream) => pass(stream, () => streams[stream].push(chunk)) });
      pass('stdout', () => streams.stdout.end());
      pass('stderr', () => streams.stderr.end());
      return result;
    },
  };
}
