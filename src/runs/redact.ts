/**
 * Secrets never reach a log, a transcript, a report or a model prompt (DESIGN.md principle 7).
 * Redaction covers known key shapes and the values of sensitive environment variables.
 */
const KEY_SHAPES: RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{16,}/g, // Anthropic
  /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/g, // OpenAI
  /hf_[A-Za-z0-9]{20,}/g, // Hugging Face
  /\b(?:ak|as)-[A-Za-z0-9]{16,}/g, // Modal token id / secret
  /gh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub
  /AKIA[0-9A-Z]{16}/g, // AWS access key id
  /xox[baprs]-[A-Za-z0-9-]{10,}/g, // Slack
];

const SENSITIVE_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;

export class Redactor {
  private readonly values: string[];

  constructor(env: NodeJS.ProcessEnv = process.env, extra: string[] = []) {
    const fromEnv = Object.entries(env)
      .filter(([name, v]) => SENSITIVE_NAME.test(name) && typeof v === 'string' && v.length >= 8)
      .map(([, v]) => v as string);
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...new Set([...fromEnv, ...extra])].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) if (out.includes(v)) out = out.split(v).join('[REDACTED]');
    for (const re of KEY_SHAPES) out = out.replace(re, '[REDACTED]');
    return out;
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
