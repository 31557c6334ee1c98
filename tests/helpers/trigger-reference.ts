import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Matcher } from '../../src/engine/matcher.js';
import { compileMatcher } from '../../src/engine/matcher.js';
import type { Source } from '../../src/events/schema.js';
import { type NormaliserOptions, createOutputNormaliser, normaliseText } from '../../src/output/normaliser.js';
import { createRawSplitter } from '../../src/output/raw-splitter.js';
import { prefixRegexes } from '../../src/output/streams.js';
import { createTriggerScanner } from '../../src/output/trigger-scanner.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { packageRoot } from '../../src/package-root.js';
import { pushInTwoBuffers } from './byte-chunks.js';

/**
 * What the trigger scanner must agree with: every line of the output normalised and matched,
 * as [line, rule ids] for each line with at least one match.
 */
export type Found = Array<[string, string[]]>;

const found = (out: Found, matcher: Matcher, source: Source) => (line: string) => {
  const ids = matcher.matchLine(line, source).map((m) => m.id);
  if (ids.length > 0) out.push([line, ids]);
};

/** The whole text normalised at once (normaliseText), then every line matched. */
export function everyLine(matcher: Matcher, text: string, opts: NormaliserOptions = {}, source: Source = 'command_output'): Found {
  const out: Found = [];
  normaliseText(text, opts).forEach(found(out, matcher, source));
  return out;
}

/**
 * Every segment the raw splitter cuts from the chunks (a line still unterminated after a chunk
 * is passed on in 64 Ki-character pieces), normalised and matched: the lines a run logs.
 */
export function everySegment(matcher: Matcher, bytes: Uint8Array, cuts: readonly number[], opts: NormaliserOptions = {}, source: Source = 'command_output'): Found {
  const out: Found = [];
  const normaliser = createOutputNormaliser(found(out, matcher, source), opts);
  const splitter = createRawSplitter((segment) => normaliser.push(segment));
  pushInTwoBuffers(bytes, cuts, (chunk) => splitter.push(chunk));
  splitter.end();
  normaliser.end();
  return out;
}

/** The trigger scanner over `bytes` cut at `cuts`, delivered in two alternating buffers. */
export function scanned(matcher: Matcher, bytes: Uint8Array, cuts: readonly number[], opts: NormaliserOptions = {}, source: Source = 'command_output'): Found {
  const out: Found = [];
  const scanner = createTriggerScanner(matcher, source, (line, matches) => out.push([line, matches.map((m) => m.id)]), opts);
  pushInTwoBuffers(bytes, cuts, (chunk) => scanner.push(chunk));
  scanner.end();
  return out;
}

/** The RSD Phase 3 playbook's triggers compiled as `parse` and runs compile them (src/output/read-step.ts). */
export async function playbookMatcher(): Promise<{ matcher: Matcher; opts: NormaliserOptions }> {
  const pb = (await loadPlaybook(path.join(packageRoot(), 'playbooks', 'rsd-phase3.yaml'))).playbook;
  const rules = (pb.remediations ?? []).filter((r) => r.when.match !== undefined).map((r) => ({ id: r.id, regex: r.when.match!, sources: r.when.in }));
  return { matcher: compileMatcher(rules), opts: { prefixes: prefixRegexes(pb.output) } };
}

const RICH = `
import logging, sys
from rich.console import Console
from rich.logging import RichHandler
mode, width, *texts = sys.argv[1:]
console = Console(file=sys.stdout, width=int(width), highlight=False)
if mode == "print":
    for t in texts: console.print(t)
else:
    log = logging.getLogger("eval")
    log.addHandler(RichHandler(console=console, show_time=True, show_path=True))
    log.setLevel(logging.INFO)
    for t in texts: log.error(t)
`;

/** What Rich writes for `texts`: printed by a console (as Modal's client prints) or logged by RichHandler. */
export function richOutput(python: string, mode: 'print' | 'log', texts: string[], width = 80): string {
  return execFileSync(python, ['-c', RICH, mode, String(width), ...texts], { encoding: 'utf8' });
}
