import { readFileSync } from 'node:fs';

/** The version in labpilot's package.json (two folders above this file, in src/ and in dist/). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
