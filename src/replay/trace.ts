import type { Event } from '../events/schema.js';
import { oneLine } from '../one-line.js';

/**
 * The decisions of a run, as comparable items: steps entered, triggers matched, remediations
 * chosen, prompts proposed, commands started, gates judged, steps done and the verdict. Two runs
 * of the same playbook on the same answers give the same items; a changed playbook shows where
 * its decisions part from the recorded ones.
 */
export interface TraceItem {
  kind: 'step' | 'trigger' | 'remediation' | 'prompt' | 'command' | 'gate' | 'done' | 'end';
  step: string;
  /** What is compared. */
  key: string;
  /** What is shown. */
  label: string;
  seq: number;
  /** The prompt's full text, for showing where two prompts differ. */
  text?: string;
  /** The for_each value whose command printed a trigger's line. */
  item?: string;
}

/** Builds the trace as events arrive; a resumed run's redone actions replace the cut ones. */
export class TraceBuilder {
  readonly items: TraceItem[] = [];
  private step = '';
  private readonly commandAt = new Map<string, number>();

  add(e: Event): void {
    const push = (kind: TraceItem['kind'], key: string, label: string, more: Pick<TraceItem, 'text' | 'item'> = {}): void => {
      this.items.push({ kind, step: this.step, key: `${kind} ${key}`, label, seq: e.seq, ...more });
    };
    switch (e.type) {
      case 'step_entered':
        this.step = e.step;
        return push('step', `${e.step}#${e.attempt}`, `step ${e.step}, attempt ${e.attempt}`);
      case 'trigger_matched': {
        const item = e.item === undefined ? '' : ` [${e.item}]`;
        push('trigger', `${e.remediation} ${e.source}${item} ${e.line}`, `trigger ${e.remediation}${item} (${e.source.replace('_', ' ')}): ${oneLine(e.line, 120)}`, e.item === undefined ? {} : { item: e.item });
        return this.orderParallel();
      }
      case 'remediation_chosen':
        return push('remediation', `${e.remediation} ${e.action} #${e.attempt}`, `remediation ${e.remediation} (${e.action}, attempt ${e.attempt})`);
      case 'prompt_proposed': {
        const who = e.origin === 'remediation' ? `remediation ${e.remediation}` : e.origin;
        return push('prompt', `${e.origin} ${e.remediation ?? ''} ${e.text}`, `prompt ${e.promptId} (${who}): ${oneLine(e.text, 90)}`, { text: e.text });
      }
      case 'command_started': {
        // A resumed run starts the interrupted command again under the same id: one decision.
        const at = this.commandAt.get(e.commandId);
        if (at !== undefined && this.items[at]?.key === `command ${e.command}`) return;
        this.commandAt.set(e.commandId, this.items.length);
        return push('command', e.command, `command ${e.commandId}: ${oneLine(e.command, 120)}`);
      }
      case 'gate_judged':
        return push('gate', `${e.scope} ${e.check} ${e.passed}`, `${e.passed ? 'pass' : 'FAIL'} ${e.scope === 'checklist' ? 'checklist: ' : ''}${e.check}`);
      case 'run_resumed':
        this.dropCutChecks();
        return;
      case 'step_done':
        return push('done', `${e.step} ${e.outcome}`, `step ${e.step}: ${e.outcome}`);
      case 'run_ended':
        return push('end', `${e.verdict} ${e.reason}`, `run ended: ${e.verdict}: ${oneLine(e.reason, 120)}`);
      default:
        return;
    }
  }

  /**
   * Commands of a fanned-out step run at once, so which of them printed its error first varies
   * from run to run: adjacent triggers of different values are kept in one order, by value.
   */
  private orderParallel(): void {
    const items = this.items;
    for (let i = items.length - 1; i > 0; i--) {
      const [a, b] = [items[i - 1]!, items[i]!];
      if (a.kind !== 'trigger' || a.item === undefined || b.item === undefined || a.key <= b.key) return;
      [items[i - 1], items[i]] = [b, a];
    }
  }

  /** Checks cut short by a kill are judged again whole on resume. */
  private dropCutChecks(): void {
    while (this.items.length > 0 && this.items[this.items.length - 1]!.kind === 'gate') this.items.pop();
  }
}

export function traceOf(events: Iterable<Event>): TraceItem[] {
  const b = new TraceBuilder();
  for (const e of events) b.add(e);
  return b.items;
}
