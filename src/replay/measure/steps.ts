import type { CompiledPlaybook } from '../../engine/context.js';
import { initialContext } from '../../engine/context.js';
import { promptText, templateVars } from '../../engine/logic.js';
import { renderTemplate } from '../../playbook/template.js';
import type { Step } from '../../playbook/schema.js';

const STOP = new Set(
  'the and for with that this then than from into onto your you are was were has have had not but all any can its our out now please also just let lets make sure what when where which will would should could them they there here one two'.split(' '),
);

/** Content words: three letters or more, or a number ("5 trials", "Task 2"). */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[a-z][a-z0-9_]{2,}|\d+/g) ?? []).filter((w) => !STOP.has(w));
}

/** A command's words as a shell would split them, quotes removed. */
function argv(command: string): string[] {
  return (command.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^['"]|['"]$/g, ''));
}

export interface StepGuess {
  step: string;
  score: number;
}

/**
 * Which step of the playbook a point of someone else's session was in. The person's prompt is
 * compared with each step's title and prompt (words weighted by how few steps use them), and a
 * command the agent ran is compared with each run step's command: every word of the step's
 * command must be there, so `--num-trials 5` tells stability from smoke.
 */
export class StepGuesser {
  private readonly bags: Array<{ id: string; words: Set<string> }>;
  private readonly weight = new Map<string, number>();
  private readonly commands: Array<{ id: string; argv: string[] }> = [];

  constructor(readonly pb: CompiledPlaybook) {
    const steps = pb.playbook.steps;
    this.bags = steps.map((s) => ({ id: s.id, words: new Set(words(`${s.title ?? ''} ${s.id} ${this.describe(s)}`)) }));
    const df = new Map<string, number>();
    for (const b of this.bags) for (const w of b.words) df.set(w, (df.get(w) ?? 0) + 1);
    for (const [w, n] of df) this.weight.set(w, Math.log(1 + steps.length / n));
    for (const s of steps) if (s.kind === 'run') this.commands.push({ id: s.id, argv: argv(this.render(s, s.command)) });
  }

  /**
   * The step a prompt of the person's asks for, when it says so clearly enough. Going back to an
   * earlier step than `from` takes a clearer match than going on: a follow-up in a stage often
   * names what an earlier task built.
   */
  fromPrompt(text: string, from?: string, forward = 0.5, back = 0.8): StepGuess | undefined {
    const ws = [...new Set(words(text))];
    if (ws.length === 0) return undefined;
    const unknown = Math.log(1 + this.bags.length);
    const total = ws.reduce((a, w) => a + (this.weight.get(w) ?? unknown), 0);
    let best: StepGuess | undefined;
    for (const b of this.bags) {
      const shared = ws.filter((w) => b.words.has(w));
      if (shared.length < 2) continue;
      const score = shared.reduce((a, w) => a + this.weight.get(w)!, 0) / total;
      if (!best || score > best.score) best = { step: b.id, score };
    }
    if (!best) return undefined;
    const at = this.bags.findIndex((b) => b.id === from);
    const threshold = at >= 0 && this.bags.findIndex((b) => b.id === best.step) < at ? back : forward;
    return best.score >= threshold ? best : undefined;
  }

  /** The run step whose command this is, the most specific one when several fit. */
  fromCommand(command: string): string | undefined {
    const have = new Set(argv(command));
    let best: { id: string; n: number } | undefined;
    for (const c of this.commands) {
      if (c.argv.length > 0 && c.argv.every((w) => have.has(w)) && (!best || c.argv.length > best.n)) best = { id: c.id, n: c.argv.length };
    }
    return best?.id;
  }

  private describe(s: Step): string {
    if (s.kind === 'prompt') return this.render(s, promptText(this.pb, s.prompt));
    if (s.kind === 'run') return this.render(s, s.command);
    return '';
  }

  /** A step's text with the playbook's values; text that needs a run's figures is taken as written. */
  private render(s: Step, template: string): string {
    try {
      return renderTemplate(template, templateVars(this.pb, initialContext(), s));
    } catch {
      return template;
    }
  }
}
