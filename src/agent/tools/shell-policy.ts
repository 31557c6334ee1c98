import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveInside } from './jail.js';
import { lexShell, type ShellCommand } from './shell-words.js';
import { commandFindings, type Finding, type Judge } from './shell-rules.js';
import { ASK_RULES, BUILTIN_RULES, type RuleId } from './shell-rule-ids.js';

export { BUILTIN_RULE_IDS, BUILTIN_RULES, type RuleId } from './shell-rule-ids.js';

/**
 * The shell policy for the agent's bash tool (docs/architecture.md, "Containment"): a deny list
 * for destructive and exfiltrating commands, and risky commands that need a person's approval.
 * Commands are read with a shell lexer, so quoting, `&&`, pipes, `$(...)`, `bash -c` and
 * redirections are seen as the shell sees them. This is a guard against obvious damage and
 * injected instructions, not a sandbox: a program the command runs (a Python script) can
 * still do what the user running labpilot may do.
 */

export interface ShellPolicyConfig {
  /** Regexes over the whole command; a match is refused. */
  deny?: string[];
  /** Regexes over the whole command; a match needs a person's approval. */
  ask?: string[];
  /** Built-in rule ids lifted for this playbook. */
  allow?: string[];
}

export type PolicyVerdict = { action: 'allow' } | { action: 'deny' | 'ask'; rule: string; reason: string };
export type ShellPolicy = (command: string) => PolicyVerdict;

const CREDENTIAL_PATHS =
  /(?:\.ssh\/|\.ssh\b|\.aws\/|\.modal\.toml|\.netrc|\.git-credentials|\.config\/gh\/|\.docker\/config\.json|\.kube\/config|\.pypirc|\.npmrc|\.gnupg\b|huggingface\/token|\/proc\/[^\s/]+\/environ|\/etc\/(?:shadow|sudoers)|\bid_(?:rsa|dsa|ecdsa|ed25519)\b)/;
const FORK_BOMB = /:\s*\(\s*\)\s*\{[^}]*:\s*\|\s*:/;
/** Nesting (bash -c inside $(...) inside eval ...) deeper than this is refused, not unwrapped. */
const MAX_DEPTH = 4;
/** Writes to these are harmless sinks, not files outside the workspace. */
const DEVICES = /^\/dev\/(?:null|stdout|stderr|tty|fd\/\d+)$/;

export function createShellPolicy(workspace: string, config: ShellPolicyConfig = {}, home = homedir()): ShellPolicy {
  const ws = resolve(workspace);
  const lifted = new Set(config.allow ?? []);
  const deny = (config.deny ?? []).map((p) => new RegExp(p));
  const ask = (config.ask ?? []).map((p) => new RegExp(p));

  const where: Judge['where'] = (word, cwd) => {
    let p = word;
    if (p === '~' || p.startsWith('~/')) p = home + p.slice(1);
    else if (p.startsWith('~')) return 'outside';
    p = p.replace(/^\$\{?HOME\}?(?=\/|$)/, home).replace(/^\$\{?PWD\}?(?=\/|$)/, cwd);
    if (/[$`]/.test(p)) return 'unknown';
    if (DEVICES.test(p)) return 'inside';
    let abs: string;
    try {
      abs = resolveInside(ws, resolve(cwd, p));
    } catch {
      return 'outside';
    }
    // `*` at the root, `.` and `.git` stand for the whole workspace.
    const globAtRoot = dirname(abs) === ws && /^[.*?]*\*[.*?]*$/.test(basename(abs));
    return abs === ws || globAtRoot || abs === join(ws, '.git') ? 'root' : 'inside';
  };

  function analyse(text: string, cwd: string, depth: number, out: Finding[]): void {
    if (depth > MAX_DEPTH) {
      out.push({ rule: 'pipe-to-shell', detail: 'commands nested too deeply to check' });
      return;
    }
    const { commands, nested } = lexShell(text);
    const judge: Judge = { where, cwd, analyse: (t, c) => analyse(t, c, depth + 1, out) };
    let pipeline: ShellCommand[] = [];
    for (const cmd of commands) {
      pipeline = cmd.piped ? [...pipeline, cmd] : [cmd];
      const next = commandFindings(cmd, pipeline, judge, out);
      if (next) judge.cwd = next;
    }
    for (const inner of nested) analyse(inner, judge.cwd, depth + 1, out);
  }

  return (command) => {
    for (const re of deny) if (re.test(command)) return { action: 'deny', rule: 'playbook', reason: `matches the playbook's deny pattern /${re.source}/` };
    const findings: Finding[] = [];
    if (CREDENTIAL_PATHS.test(command)) findings.push({ rule: 'credentials', detail: CREDENTIAL_PATHS.exec(command)![0] });
    if (FORK_BOMB.test(command)) findings.push({ rule: 'system', detail: 'a fork bomb' });
    analyse(command, ws, 0, findings);
    const live = findings.filter((f) => !lifted.has(f.rule));
    const denied = live.find((f) => !ASK_RULES.has(f.rule));
    const reasonOf = (f: Finding) => `${BUILTIN_RULES[f.rule as RuleId] ?? f.rule} (${f.detail}) [rule ${f.rule}]`;
    if (denied) return { action: 'deny', rule: denied.rule, reason: reasonOf(denied) };
    const risky = live.find((f) => ASK_RULES.has(f.rule));
    if (risky) return { action: 'ask', rule: risky.rule, reason: reasonOf(risky) };
    for (const re of ask) if (re.test(command)) return { action: 'ask', rule: 'playbook', reason: `matches the playbook's ask pattern /${re.source}/` };
    return { action: 'allow' };
  };
}
