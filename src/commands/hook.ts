import { resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { InputError, hookExitCodeOf, messageOf } from '../errors.js';
import { RunStore } from '../runs/store.js';
import { context, isHookEvent, parseHookInput, HOOK_EVENTS, type HookInput, type HookOutput } from '../hooks/protocol.js';
import { openHookRun } from '../hooks/hook-run.js';
import { handleHook } from '../hooks/handlers.js';
import { drive, runningDriver } from '../hooks/driver.js';

export interface HookOptions {
  event: string;
  run: string;
  home?: string;
  stdin?: NodeJS.ReadableStream;
  out?: NodeJS.WritableStream;
  err?: NodeJS.WritableStream;
}

/**
 * `labpilot hook <event> --run <id>`: one call of a Claude Code hook, installed by attach. Reads
 * the hook's JSON on stdin and prints labpilot's answer as JSON (exit 0). Any failure is one
 * line on stderr with the hook's own exit code (`hookExitCodeOf`: 1, never 2, which Claude Code
 * reads as "block": labpilot's own trouble must never trap a session).
 */
export async function hookCommand(o: HookOptions): Promise<number> {
  const home = resolve(o.home ?? '.labpilot');
  try {
    if (o.event === 'drive') {
      await drive(home, o.run);
      return 0;
    }
    if (!isHookEvent(o.event)) throw new InputError(`unknown hook '${o.event}' (labpilot answers ${HOOK_EVENTS.join(', ')})`);
    const input = parseHookInput(o.event, await text(o.stdin ?? process.stdin));
    (o.out ?? process.stdout).write(JSON.stringify(await answer(home, o.run, input)) + '\n');
    return 0;
  } catch (err) {
    (o.err ?? process.stderr).write(`labpilot: ${messageOf(err)}\n`);
    return hookExitCodeOf(err);
  }
}

async function answer(home: string, id: string, input: HookInput): Promise<HookOutput> {
  const paths = new RunStore(home).find(id);
  // A step's command runs detached and holds the run: say so rather than wait for it.
  if (runningDriver(paths) !== undefined) {
    const busy = `labpilot is still running the current step's command for run ${id}; its result reaches Claude at a later prompt.`;
    if (input.hook_event_name === 'Stop') return { systemMessage: busy };
    if (input.hook_event_name === 'SessionStart' || input.hook_event_name === 'UserPromptSubmit') return context(input.hook_event_name, busy);
    return {};
  }
  const run = await openHookRun(home, id);
  try {
    return await handleHook(run, input);
  } finally {
    run.close();
  }
}
