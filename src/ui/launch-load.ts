import { existsSync } from 'node:fs';
import type { ReactElement } from 'react';
import type { AppView, AppViewOptions, Mounted } from './launch.js';

/** The terminal app as the CLI loads it. */
export interface Launch {
  openAppView(o: AppViewOptions): AppView;
}

/** The bundle also exports Ink's render, for a caller that draws the app on its own terminal. */
export interface Bundle extends Launch {
  render(app: ReactElement, options: object): Mounted;
}

/** The build's bundle of the app (scripts/bundle-ui.mjs), in dist/ui beside this module. */
export const bundleFile = new URL('launch.bundle.mjs', import.meta.url);

/** The bundled app, which loads in a fraction of the time; without a build, the unbundled one. */
export async function loadLaunch(): Promise<Launch> {
  return existsSync(bundleFile) ? ((await import(bundleFile.href)) as Bundle) : import('./launch.js');
}
