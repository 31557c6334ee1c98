import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/**
 * Evaluation logs written by the real mechanism (tests/fixtures/libero-logs/generate.py: Python's
 * logging, tqdm and Rich), and the figures the logs state themselves.
 */
export const GENERATOR = join(ROOT, 'tests', 'fixtures', 'libero-logs', 'generate.py');

/** A Python that has Rich and tqdm (Debian's python3-rich and python3-tqdm); fails loudly if none. */
export function pythonWithRich(): string {
  for (const py of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(py, ['-c', 'import rich, tqdm'], { stdio: 'ignore' });
      return py;
    } catch {
      // try the next
    }
  }
  throw new Error('no python3 with rich and tqdm: apt-get install python3-rich python3-tqdm');
}

export function generateLog(python: string, form: string, out: string, args: string[] = []): string {
  try {
    execFileSync(python, [GENERATOR, form, out, ...args], { stdio: 'ignore' });
  } catch {
    // The Modal forms end as the failed command did, with exit 1.
  }
  return readFileSync(out, 'utf8');
}

/**
 * The last value a log states for a figure, read from its raw text wherever the logger put it
 * (colour codes aside: Rich highlights numbers).
 */
export function lastStated(raw: string, label: string): number | undefined {
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/\x1b\[[0-9;]*m/g, '');
  const re = new RegExp(`${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ([0-9.]+)`, 'g');
  const all = [...text.matchAll(re)];
  return all.length > 0 ? Number(all[all.length - 1]![1]) : undefined;
}
