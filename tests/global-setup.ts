import { execFileSync } from 'node:child_process';

/** Black-box tests run the real binary, which runs the compiled code: build it once, the terminal app's bundle included. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/bundle-ui.mjs'], { stdio: 'inherit' });
}
