/**
 * What a person's line of a Claude Code session holds besides what the person typed: context the
 * app or an IDE extension adds (the open file, the selection, reminders, hook output, a
 * background task's notification), the wrapper of a slash command, and a local command's output.
 */
const INJECTED =
  /<(ide_opened_file|ide_selection|ide_diagnostics|system-reminder|local-command-stdout|local-command-stderr|local-command-caveat|task-notification|user-prompt-submit-hook|bash-input|bash-stdout|bash-stderr|command-message|command-name|command-args|command-contents)\b[^>]*>[\s\S]*?<\/\1>/g;
/** Whole lines the app writes as the person's. */
const APP_LINE = /^\s*(Caveat: The messages below were generated|\[Request interrupted by user|This session is being continued from a previous conversation)/;

export interface PersonText {
  /** What the person typed, context removed; empty when the line holds none. */
  typed: string;
  /** `/name args` when the line is a slash command's wrapper. */
  command?: string;
  /** A local command ran (its output is in the line): no model turn follows. */
  local: boolean;
  /** The person stopped the agent mid-turn. */
  interrupted: boolean;
}

export function personText(blocks: string[]): PersonText {
  const typed: string[] = [];
  let command: string | undefined;
  let local = false;
  let interrupted = false;
  for (const text of blocks) {
    if (/^\s*\[Request interrupted by user/.test(text)) interrupted = true;
    const name = /<command-name>\s*([^<]*?)\s*<\/command-name>/.exec(text)?.[1];
    if (name) {
      const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(text)?.[1]?.trim() ?? '';
      command = `${name.startsWith('/') ? name : `/${name}`}${args ? ` ${args}` : ''}`;
    }
    if (/<local-command-(stdout|stderr)>|<bash-(stdout|stderr)>/.test(text)) local = true;
    if (APP_LINE.test(text)) continue;
    const rest = text.replace(INJECTED, '').trim();
    if (rest !== '') typed.push(rest);
  }
  return { typed: typed.join('\n'), command, local, interrupted };
}
