import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { renderTemplate } from '../playbook/template.js';
import type { Check, Playbook } from '../playbook/schema.js';

/**
 * The programs a playbook's commands start: the first word of each command of a pipeline or
 * list (`a | b && c; d`), after templating, so `modal` is found in `modal run {{script}}`.
 */

/** Shell words that are not programs on PATH. */
const BUILTINS = new Set(
  'cd export set unset true false test [ [[ echo printf exit return source . : eval exec read shift trap wait if then else elif fi for while until do done case esac in function local declare typeset let pwd umask ulimit alias type command builtin { } ! time'.split(
    ' ',
  ),
);
/** Wrappers whose next word is the program. */
const WRAPPERS = new Set(['env', 'nice', 'nohup', 'timeout', 'stdbuf', 'xargs', 'sudo']);

/** Splits a shell line into simple commands' words, honouring quotes (enough to find program names). */
export function commandWords(line: string): string[][] {
  const commands: string[][] = [[]];
  let word = '';
  let quote: string | undefined;
  const flush = () => {
    if (word) commands.at(-1)!.push(word);
    word = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < line.length) word += line[++i];
    else if (/\s/.test(c)) flush();
    else if ('|&;()\n'.includes(c)) {
      flush();
      if (commands.at(-1)!.length > 0) commands.push([]);
    } else word += c;
  }
  flush();
  return commands.filter((c) => c.length > 0);
}

/** The program a simple command starts, or undefined for a builtin, a variable or a relative path. */
export function programOf(words: string[]): string | undefined {
  let i = 0;
  // `A=1 B=2 cmd`, `env -i cmd`, `timeout 5 cmd`: skip to the program.
  while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!) || WRAPPERS.has(words[i]!) || (i > 0 && WRAPPERS.has(words[i - 1]!) && /^(-|\d)/.test(words[i]!)))) i++;
  const w = words[i];
  if (w === undefined || BUILTINS.has(w) || w.includes('$') || w.includes('`')) return undefined;
  // A relative path names a file of the workspace, which does not exist before the clone.
  if (w.includes('/') && !isAbsolute(w)) return undefined;
  return w;
}

/** Every command line the playbook may run itself, templated with the run's variables. */
export function playbookCommands(pb: Playbook, vars: Record<string, string>): string[] {
  const lines: string[] = [];
  const fromCheck = (c: Check) => {
    if (c.check === 'command' || (c.check === 'output_matches' && c.run)) lines.push(c.run!);
    if (c.check === 'python') lines.push('python3');
  };
  for (const s of pb.steps) {
    if (s.kind === 'run') lines.push(s.command);
    if (s.kind === 'check') s.checks.forEach(fromCheck);
    (s.done_when ?? []).forEach(fromCheck);
  }
  for (const r of pb.remediations ?? []) if (r.then.action === 'run') lines.push(r.then.run);
  for (const c of pb.checklist ?? []) fromCheck(c.verify);
  return lines.map((l) => {
    try {
      return renderTemplate(l, vars);
    } catch {
      return l;
    }
  });
}

/** Whether `name` runs: an executable absolute path, or found on the PATH of `env`. */
export function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  const executable = (p: string) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (isAbsolute(name)) return executable(name);
  return (env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && executable(join(dir, name)));
}

/** How to get a missing program; a generic hint for the rest. */
const INSTALL: Record<string, string> = {
  modal: 'pip install modal, then modal token new',
  python3: 'install Python 3 (apt-get install python3)',
  python: 'install Python 3, or use python3 in the playbook',
  git: 'install git (apt-get install git)',
};
export const installHint = (name: string) => INSTALL[name] ?? `install it or put it on PATH`;

/**
 * Modal reads its token from MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, else from the profile in
 * `~/.modal.toml` (MODAL_CONFIG_PATH elsewhere). The local stand-in (MODAL_STANDIN_HOME) needs none.
 */
export function modalLoggedIn(env: NodeJS.ProcessEnv): boolean {
  if (env.MODAL_STANDIN_HOME) return true;
  if (env.MODAL_TOKEN_ID && env.MODAL_TOKEN_SECRET) return true;
  const file = env.MODAL_CONFIG_PATH || join(env.HOME ?? homedir(), '.modal.toml');
  return existsSync(file) && /^\s*token_id\s*=\s*"[^"]+"/m.test(readFileSync(file, 'utf8'));
}
