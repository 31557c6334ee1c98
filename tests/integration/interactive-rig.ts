import { stripVTControlCharacters } from 'node:util';
import { vi } from 'vitest';
import { render } from 'ink-testing-library';
import type { ReactElement } from 'react';

/**
 * Drives an Ink app in tests: named keys, frames without ANSI codes, waiting on what the screen
 * shows (never on time). React draws a frame before it runs its effects, and Ink attaches key
 * handlers in effects; so a key goes in only once the app is idle (the frame unchanged over a few
 * turns of the event loop), as a person's next key always does.
 */
export const KEY = {
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  ctrlC: '\x03',
  ctrlS: '\x13',
  ctrlU: '\x15',
} as const;

export interface Rig {
  frame(): string;
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(text: string | RegExp, timeout?: number): Promise<string>;
  /** Opens a text editor with `key`, waits for its `heading`, types `text` and sends it (Ctrl-S). */
  write(key: string, heading: string, text: string): Promise<void>;
  /** The last frame as written, colour codes included. */
  raw(): string;
  /** Makes the terminal this many columns wide and tells the app, as a real resize does. */
  resize(columns: number): void;
  unmount(): void;
}

export function rig(instance: ReturnType<typeof render>): Rig {
  const frame = () => stripVTControlCharacters(instance.lastFrame() ?? '');
  const idle = async () => {
    let last = instance.lastFrame();
    for (let still = 0; still < 3; ) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = instance.lastFrame();
      still = now === last ? still + 1 : 0;
      last = now;
    }
  };
  const r: Rig = {
    frame,
    async press(...keys) {
      for (const k of keys) {
        await idle();
        instance.stdin.write(k);
      }
    },
    async type(text) {
      await idle();
      instance.stdin.write(text);
    },
    waitFor: (text, timeout = 10_000) =>
      vi.waitFor(
        () => {
          const f = frame();
          const seen = typeof text === 'string' ? f.includes(text) : text.test(f);
          if (!seen) throw new Error(`screen does not show ${String(text)}:\n${f}`);
          return f;
        },
        { timeout, interval: 10 },
      ),
    async write(key, heading, text) {
      await r.press(key);
      await r.waitFor(heading);
      await r.type(text);
      await r.waitFor(text.split('\n').at(-1)!);
      await r.press(KEY.ctrlS);
    },
    raw: () => instance.lastFrame() ?? '',
    resize(columns) {
      Object.defineProperty(instance.stdout, 'columns', { value: columns, configurable: true });
      instance.stdout.emit('resize');
    },
    unmount: instance.unmount,
  };
  return r;
}

export const mount = (tree: ReactElement): Rig => rig(render(tree));
