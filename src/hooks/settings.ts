import { existsSync, mkdirSync, readFileSync, rmdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { HOOK_EVENTS, TOOL_EVENTS, type HookEvent } from './protocol.js';

/**
 * labpilot's hooks in a project's `.claude/settings.local.json` (Claude Code's per-person,
 * git-ignored project settings). Installing keeps every setting and hook already there and
 * remembers the file's exact bytes, so removing puts back the very file the person had (or
 * none, and no `.claude/` folder, if there was none).
 */

export const SETTINGS_FILE = join('.claude', 'settings.local.json');

/** How long Claude Code waits for one hook call, in seconds; a run step expected to last longer runs detached. */
export const HOOK_TIMEOUT_S = 600;

/** What removing needs: the file as it was, and the file as labpilot wrote it. */
export interface Installed {
  path: string;
  /** The file's bytes before, base64; null when there was no file. */
  before: string | null;
  createdDir: boolean;
  /** The file's bytes as labpilot left it, base64. */
  after: string;
  /** Each hook command labpilot added. */
  commands: string[];
}

type HookEntry = { matcher?: string; hooks: Array<Record<string, unknown>> };
type Settings = Record<string, unknown> & { hooks?: Record<string, HookEntry[]> };

function readSettings(path: string, text: string): Settings {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not JSON, so labpilot will not edit it: ${(err as Error).message}`, path);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InputError('not a JSON object, so labpilot will not edit it', path);
  const hooks = (json as Settings).hooks;
  if (hooks !== undefined && (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks))) throw new InputError('`hooks` is not an object', path);
  return json as Settings;
}

/** Adds one hook per event, running `command(event)`; returns what was there, described, and how to undo it. */
export function installHooks(project: string, command: (event: HookEvent) => string): { installed: Installed; kept: string[] } {
  const path = join(project, SETTINGS_FILE);
  const existed = existsSync(path);
  const raw = existed ? readFileSync(path) : null;
  const settings = raw ? readSettings(path, raw.toString('utf8')) : {};
  const kept = describe(settings);
  const hooks = { ...(settings.hooks ?? {}) };
  const commands: string[] = [];
  for (const event of HOOK_EVENTS) {
    const cmd = command(event);
    commands.push(cmd);
    const entry: HookEntry = { ...(TOOL_EVENTS.has(event) && { matcher: '*' }), hooks: [{ type: 'command', command: cmd, timeout: HOOK_TIMEOUT_S }] };
    const list = hooks[event];
    if (list !== undefined && !Array.isArray(list)) throw new InputError(`hooks.${event} is not a list`, path);
    hooks[event] = [...(list ?? []), entry];
  }
  const createdDir = !existsSync(dirname(path));
  mkdirSync(dirname(path), { recursive: true });
  const text = JSON.stringify({ ...settings, hooks }, null, 2) + '\n';
  writeFileSync(path, text);
  const installed = { path, before: raw ? raw.toString('base64') : null, createdDir, after: Buffer.from(text).toString('base64'), commands };
  return { installed, kept };
}

/**
 * Takes labpilot's hooks out again. An untouched file gets its old bytes back (or goes); a file
 * the person edited since keeps their edits and loses only labpilot's hook entries.
 */
export function removeHooks(i: Installed): 'restored' | 'removed' | 'edited' | 'gone' {
  if (!existsSync(i.path)) return 'gone';
  const now = readFileSync(i.path);
  if (now.equals(Buffer.from(i.after, 'base64'))) {
    if (i.before !== null) {
      writeFileSync(i.path, Buffer.from(i.before, 'base64'));
      return 'restored';
    }
    rmSync(i.path);
    if (i.createdDir && readdirSync(dirname(i.path)).length === 0) rmdirSync(dirname(i.path));
    return 'removed';
  }
  const settings = readSettings(i.path, now.toString('utf8'));
  const ours = new Set(i.commands);
  const hooks: Record<string, HookEntry[]> = {};
  for (const [event, list] of Object.entries(settings.hooks ?? {})) {
    const left = list
      .map((e) => ({ ...e, hooks: e.hooks.filter((h) => !ours.has(h.command as string)) }))
      .filter((e) => e.hooks.length > 0);
    if (left.length > 0) hooks[event] = left;
  }
  const { hooks: _hooks, ...rest } = settings;
  writeFileSync(i.path, JSON.stringify(Object.keys(hooks).length > 0 ? { ...rest, hooks } : rest, null, 2) + '\n');
  return 'edited';
}

/** The settings already there, one phrase each: `permissions`, `hooks: Stop x1`. */
function describe(settings: Settings): string[] {
  const out = Object.keys(settings).filter((k) => k !== 'hooks');
  for (const [event, list] of Object.entries(settings.hooks ?? {})) {
    if (Array.isArray(list) && list.length > 0) out.push(`${event} hook${list.length > 1 ? 's' : ''} x${list.length}`);
  }
  return out;
}
