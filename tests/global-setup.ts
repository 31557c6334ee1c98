import { execFileSync } from 'node:child_process';

/** Black-box tests run the real binary, which runs the compiled code: build it once. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
