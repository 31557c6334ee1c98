import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { isSensitiveName } from './redact.js';

/**
 * The secret values of the credential files a stage command can read (`sandbox.stage.read`,
 * e.g. `~/.modal.toml`), and of the usual ones when there is no sandbox: a stage that prints
 * such a file, plainly or in base64, must not put the token in the log or in a prompt. The
 * Redactor masks these values (and their base64 forms) as it masks sensitive variables.
 */
const USUAL = ['.modal.toml', '.aws/credentials', '.netrc', '.cache/huggingface/token', '.huggingface/token', '.config/labpilot/credentials'];
const MAX_BYTES = 64 * 1024;

export function credentialValues(paths: string[], home = homedir()): string[] {
  const files = [...new Set([...paths, ...USUAL.map((p) => `~/${p}`)])].map((p) => (p.startsWith('~/') ? join(home, p.slice(2)) : isAbsolute(p) ? p : join(home, p)));
  return files.flatMap((f) => valuesOf(readSmall(f), f));
}

/** A regular file of at most 64 KiB, opened without blocking (a FIFO answers nothing); else ''. */
function readSmall(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_BYTES) return '';
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** `key = "value"` (TOML, INI), `KEY=value` (env), `password value` (netrc), or a file that is one token. */
export function valuesOf(text: string, path = ''): string[] {
  const out: string[] = [];
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
  for (const line of lines) {
    const kv = /^([\w.-]+)\s*[=:]\s*["']?([^"'\s]+)["']?\s*$/.exec(line);
    if (kv && isSensitiveName(kv[1]!)) out.push(kv[2]!);
    for (const m of line.matchAll(/\b(?:password|passwd)\s+(\S+)/g)) out.push(m[1]!);
  }
  if (/token$/i.test(path) && lines.length === 1 && !/\s/.test(lines[0]!)) out.push(lines[0]!);
  return out.filter((v) => v.length >= 8);
}
