import { words } from './steps.js';

/** A word reduced to its stem, so "prefixes" meets "prefix" and "loaded" meets "load". */
const stem = (w: string) => w.replace(/(ing|ed|es|s)$/, '').replace(/(.)\1$/, '$1');

/**
 * How much of what the person said the playbook's text says too: the share of the person's
 * content words (stemmed, weighted by length, so "BitsAndBytesConfig" outweighs "run") found in
 * the playbook's text. 1 when every word is there; the playbook may say more.
 */
export function saysWhatPersonSaid(playbookText: string, personText: string): number {
  const said = new Set(words(personText).map(stem));
  if (said.size === 0) return 0;
  const text = new Set(words(playbookText).map(stem));
  let found = 0;
  let total = 0;
  for (const w of said) {
    const weight = Math.min(w.length, 12);
    total += weight;
    if (text.has(w)) found += weight;
  }
  return found / total;
}

/** At least this share of the person's words must be in the playbook's text to call it covered. */
export const COVERED_AT = 0.45;
