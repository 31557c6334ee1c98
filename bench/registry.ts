/**
 * The bench modules `npm run bench` knows, in run order. Each is loaded only when selected, so
 * one bench's heavy imports or data never slow another. To add one: append a line.
 */
export interface BenchEntry {
  name: string;
  run: () => Promise<void>;
}

export const benches: BenchEntry[] = [
  { name: 'matcher', run: async () => (await import('./matcher.js')).run() },
  { name: 'fold', run: async () => (await import('./fold.js')).run() },
  { name: 'first-frame', run: async () => (await import('./first-frame.js')).run() },
  { name: 'context', run: async () => (await import('./context.js')).run() },
  { name: 'early-stop', run: async () => (await import('./early-stop.js')).run() },
  { name: 'replay', run: async () => (await import('./replay.js')).run() },
  { name: 'gauntlet', run: async () => (await import('./gauntlet.js')).run() },
];
