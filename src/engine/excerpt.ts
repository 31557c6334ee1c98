import { cutOutput } from '../agent/tools/cut-output.js';

/**
 * The excerpt of a command's output that remediation prompts quote as `{{excerpt}}`, that the
 * engine takes an attempt's error signature from, and that transcript coverage computes alike:
 * the cut the agent's own bash tool uses (last traceback, first strong error, distinct errors
 * once, tail, head), within this many characters.
 */
export const EXCERPT_CHARS = 4000;

export function excerptLines(output: string, budgetChars = EXCERPT_CHARS): string[] {
  const text = output.endsWith('\n') ? output.slice(0, -1) : output;
  return text === '' ? [] : cutOutput(text, budgetChars).split('\n');
}
