import { basename, resolve } from 'node:path';
import type { ShellCommand } from './shell-words.js';

/**
 * The per-command rules of the shell policy: what one command (after wrappers such as `sudo`,
 * `env` or `timeout` are peeled off) would do to files, the network and the machine.
 */

export interface Finding {
  rule: string;
  detail: string;
}

export interface Judge {
  /** Where a path argument points, seen from `cwd`. */
  where(word: string, cwd: string): 'inside' | 'root' | 'outside' | 'unknown';
  cwd: string;
  /** Judges a nested command text (`bash -c`, `eval`). */
  analyse(text: string, cwd: string): void;
}

const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh', 'fish']);
const INTERPRETERS = new Set([...SHELLS, 'python', 'python3', 'perl', 'ruby', 'node', 'php']);
const FETCHED = /(?:\$\(|`|<\()\s*(?:curl|wget)\b/;
const NETWORK = new Set(['nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'sftp', 'ftp']);
const SYSTEM = /^(?:mkfs(?:\..*)?|shutdown|reboot|halt|poweroff|crontab|mount|umount|iptables|chattr|systemctl|init)$/;
const SUDO = new Set(['sudo', 'doas', 'su']);
/** Words that only introduce or group a command. */
const KEYWORDS = new Set(['{', '}', '!', 'if', 'then', 'do', 'else', 'elif', 'while', 'until', 'time', 'nohup', 'command', 'exec', 'builtin']);
/** Wrappers that run the rest of their words as a command, with the flags that take a value. */
const WRAPPERS: Record<string, Set<string>> = {
  env: new Set(['-u', '-C', '-S']),
  nice: new Set(['-n']),
  timeout: new Set(['-s', '-k']),
  stdbuf: new Set(['-i', '-o', '-e']),
  xargs: new Set(['-I', '-n', '-P', '-L', '-d', '-a', '-E', '-s']),
  sudo: new Set(['-u', '-g', '-C', '-h', '-p', '-U']),
  doas: new Set(['-u', '-C']),
};

const isFlag = (w: string) => w.startsWith('-') && w !== '-';
const operands = (words: string[]): string[] => {
  const i = words.indexOf('--');
  return i === -1 ? words.filter((w) => !isFlag(w)) : [...words.slice(0, i).filter((w) => !isFlag(w)), ...words.slice(i + 1)];
};

/** Removes assignments, keywords and wrappers in front of the real command. */
function peel(words: string[], out: Finding[]): string[] {
  let w = words;
  for (;;) {
    while (w.length && (KEYWORDS.has(w[0]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]!))) w = w.slice(1);
    const name = basename(w[0] ?? '');
    if (SUDO.has(name)) out.push({ rule: 'privilege', detail: name });
    const valued = WRAPPERS[name];
    if (!valued) return w;
    w = w.slice(1);
    while (w.length && (isFlag(w[0]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]!))) w = w.slice(valued.has(w[0]!) ? 2 : 1);
    if (name === 'timeout' && w.length) w = w.slice(1); // the duration
  }
}

/** Judges one command; returns the new working directory when it is a `cd`. */
export function commandFindings(cmd: ShellCommand, pipeline: ShellCommand[], judge: Judge, out: Finding[]): string | undefined {
  const { cwd } = judge;
  const write = (word: string, what: string) => {
    if (judge.where(word, cwd) === 'outside') out.push({ rule: 'write-outside', detail: `${what} ${word}` });
  };
  for (const r of cmd.redirects) if (r.op.includes('>')) write(r.target, r.op);

  const words = peel(cmd.words, out);
  const name = basename(words[0] ?? '');
  const args = words.slice(1);
  const ops = operands(args);
  if (!name) return undefined;

  if (INTERPRETERS.has(name) || name === 'eval' || name === 'source' || name === '.') {
    const fromPipe = cmd.piped && !args.some((a) => a === '-c' || a === '-e' || (!isFlag(a) && a !== '-'));
    if (fromPipe) out.push({ rule: 'pipe-to-shell', detail: `${pipeline.map((c) => c.words[0]).join(' | ')}` });
    if ([...args, ...cmd.processSubs].some((a) => FETCHED.test(a))) out.push({ rule: 'pipe-to-shell', detail: `${name} runs downloaded code` });
    if (SHELLS.has(name) && args.includes('-c')) judge.analyse(args[args.indexOf('-c') + 1] ?? '', cwd);
    if (name === 'eval') judge.analyse(args.join(' '), cwd);
  }
  if (name === 'su' && args.includes('-c')) judge.analyse(args[args.indexOf('-c') + 1] ?? '', cwd);

  switch (name) {
    case 'rm': {
      const recursive = args.some((a) => /^-[a-zA-Z]*[rR]/.test(a) || a === '--recursive');
      for (const t of ops) {
        const w = judge.where(t, cwd);
        if (w === 'outside') out.push({ rule: 'write-outside', detail: `rm ${t}` });
        else if (recursive && w === 'root') out.push({ rule: 'wipe-workspace', detail: `rm ${t}` });
        else if (recursive && w === 'unknown') out.push({ rule: 'rm-variable', detail: `rm ${t}` });
      }
      return undefined;
    }
    case 'rmdir': case 'touch': case 'mkdir': case 'truncate': case 'shred': case 'tee': case 'mv': case 'unlink':
      for (const t of ops) write(t, name);
      return undefined;
    case 'chmod': case 'chown': case 'chgrp':
      for (const t of ops.slice(1)) write(t, name);
      return undefined;
    case 'cp': case 'install': {
      const t = args.indexOf('-t');
      if (t !== -1 && args[t + 1]) write(args[t + 1]!, name);
      else if (ops.length > 1) write(ops.at(-1)!, name);
      return undefined;
    }
    case 'ln': {
      const [target, link] = ops;
      if (target && judge.where(target, cwd) === 'outside') out.push({ rule: 'symlink-escape', detail: `ln ${target}` });
      if (link) write(link, 'ln');
      return undefined;
    }
    case 'dd':
      for (const a of args) if (a.startsWith('of=')) write(a.slice(3), 'dd');
      return undefined;
    case 'sed': case 'perl':
      if (args.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'))) {
        const scripted = args.some((a) => a === '-e' || a === '-f');
        for (const t of scripted ? ops : ops.slice(1)) write(t, `${name} -i`);
      }
      return undefined;
    case 'cd': case 'pushd': {
      const target = ops[0] ?? '~';
      if (target === '-') return undefined;
      const w = judge.where(target, cwd);
      if (w === 'outside') out.push({ rule: 'cd-outside', detail: `${name} ${target}` });
      return w === 'unknown' ? undefined : resolve(cwd, target);
    }
    case 'git':
      gitFindings(args, judge, out);
      return undefined;
    case 'curl': case 'wget':
      fetchFindings(name, args, write, out);
      return undefined;
    case 'rsync':
      if (ops.some((o) => /^[^/]*:/.test(o))) out.push({ rule: 'network-tool', detail: 'rsync to or from a remote host' });
      else if (ops.length > 1) write(ops.at(-1)!, 'rsync');
      return undefined;
    case 'kill': {
      const pids = args.includes('--') ? args.slice(args.indexOf('--') + 1) : args.slice(isFlag(args[0] ?? '') ? 1 : 0);
      if (pids.includes('-1')) out.push({ rule: 'system', detail: 'kill -1 (every process)' });
      return undefined;
    }
    case 'tar': case 'unzip': {
      const flag = name === 'tar' ? ['-C', '--directory'] : ['-d'];
      args.forEach((a, i) => {
        if (flag.includes(a) && args[i + 1]) write(args[i + 1]!, `${name} ${a}`);
        else if (a.startsWith('--directory=')) write(a.slice(12), name);
      });
      return undefined;
    }
    case 'find': {
      const firstTest = args.findIndex((a) => a.startsWith('-') || a === '(' || a === '!');
      const starts = firstTest === -1 ? args : args.slice(0, firstTest);
      if (args.some((a) => a === '-delete' || a === '-exec' || a === '-execdir')) for (const t of starts) write(t, 'find');
      return undefined;
    }
  }
  if (NETWORK.has(name)) out.push({ rule: 'network-tool', detail: name });
  if (SYSTEM.test(name)) out.push({ rule: 'system', detail: name });
  return undefined;
}

function gitFindings(args: string[], judge: Judge, out: Finding[]): void {
  let i = 0;
  // Global options before the subcommand; -C moves git to another directory.
  while (i < args.length && isFlag(args[i]!)) {
    if (args[i] === '-C' && args[i + 1] !== undefined && judge.where(args[i + 1]!, judge.cwd) === 'outside') {
      out.push({ rule: 'cd-outside', detail: `git -C ${args[i + 1]}` });
    }
    i += args[i] === '-C' || args[i] === '-c' ? 2 : 1;
  }
  const sub = args[i];
  const rest = args.slice(i + 1);
  if (sub === 'push') {
    const force = rest.some((a) => /^(?:--force(?:-with-lease|-if-includes)?(?:=.*)?|--mirror|--delete|-[a-zA-Z]*[fd][a-zA-Z]*)$/.test(a) || /^\+/.test(a) || /^:/.test(a));
    out.push(force ? { rule: 'git-push-force', detail: `git push ${rest.join(' ')}` } : { rule: 'git-push', detail: `git push ${rest.join(' ')}`.trim() });
  }
  if (sub === 'config' && rest.some((a) => a === '--global' || a === '--system')) out.push({ rule: 'global-config', detail: `git config ${rest.join(' ')}` });
}

function fetchFindings(name: string, args: string[], write: (w: string, what: string) => void, out: Finding[]): void {
  const valueOf = (i: number, flag: string) => (args[i] === flag ? args[i + 1] ?? '' : args[i]!.slice(flag.length).replace(/^=/, ''));
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const flag = (f: string) => a === f || (a.startsWith(f) && (f.startsWith('--') ? a[f.length] === '=' : true));
    if (name === 'curl') {
      for (const f of ['--data-binary', '--data-urlencode', '--data-ascii', '--data', '--json', '-d']) {
        if (flag(f) && /(?:^|[^\\])@/.test(valueOf(i, f))) out.push({ rule: 'upload', detail: `curl ${f} ${valueOf(i, f)}` });
      }
      for (const f of ['--form', '-F']) if (flag(f) && /=[@<]/.test(valueOf(i, f))) out.push({ rule: 'upload', detail: `curl ${f} ${valueOf(i, f)}` });
      if (flag('--upload-file') || flag('-T')) out.push({ rule: 'upload', detail: `curl ${a}` });
      for (const f of ['--output', '-o']) if (flag(f)) write(valueOf(i, f), 'curl -o');
    } else {
      if (flag('--post-file') || flag('--body-file')) out.push({ rule: 'upload', detail: `wget ${a}` });
      for (const f of ['--output-document', '-O']) if (flag(f)) write(valueOf(i, f), 'wget -O');
    }
  }
}
