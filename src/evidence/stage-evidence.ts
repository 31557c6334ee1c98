import type { EventBus } from '../runs/bus.js';
import type { Playbook } from '../playbook/schema.js';
import { messageOf } from '../errors.js';
import type { EventInput } from '../events/schema.js';
import type { RunCommandEffect } from '../engine/effects.js';
import { crossCheckResults, type CrossCheckRequest } from '../results/cross-check.js';
import { renderTemplate } from '../playbook/template.js';
import { editableParts, type EditableParts } from './editable.js';
import { evaluateTree, type TreeVerdict } from './evaluated-tree.js';
import type { Evidence, EvidenceOutcome } from './evidence-checks.js';

/**
 * What the runner gathers for the gates beside a command's figures: the tree each command runs
 * on (assembled and logged before it runs), the results cross-check of each command, and the
 * current tree for the final checklist. Kept by command id, as the gates name their command.
 */
export class StageEvidence {
  /** The commit the workspace was made at (`workspace_ready`): the pristine tree. */
  pristine: string | undefined;
  private readonly editable: EditableParts | undefined;
  private readonly trees = new Map<string, TreeVerdict>();
  private readonly results = new Map<string, { agrees: boolean; detail: string }>();

  constructor(
    playbook: Playbook,
    vars: Record<string, string>,
    private readonly workspace: string,
    private readonly bus: EventBus,
    pristine?: string,
    private readonly review?: (rubric: string, diff: string) => Promise<EvidenceOutcome>,
    private readonly assembles = true,
  ) {
    const e = playbook.editable;
    // Paths may name variables (`{{script}}`), bound as the run's commands are.
    const r = (t: string) => renderTemplate(t, vars);
    this.editable = e && editableParts({ regions: e.regions?.map((x) => ({ ...x, path: r(x.path) })), files: e.files?.map(r), outputs: e.outputs?.map(r) });
    this.pristine = pristine;
  }

  /**
   * The tree a command of `step` is about to run, logged as `tree_evaluated`; undefined when
   * the playbook declares no editable parts. A tree that cannot be read is refused, not run.
   */
  async assemble(step: string, commandId: string): Promise<TreeVerdict | undefined> {
    if (!this.editable || !this.pristine || !this.assembles) return undefined;
    let tree: TreeVerdict;
    try {
      tree = await this.current();
    } catch (err) {
      const why = `the evaluated tree could not be assembled: ${messageOf(err)}`;
      tree = { hash: '', pristine: this.pristine ?? '', changed: [], refused: [why], strays: [], diff: '', refusedDiff: '' };
    }
    // A new file a stage could load (sitecustomize.py, a module shadowing an import) is refused as a change.
    tree = { ...tree, refused: [...tree.refused, ...tree.strays] };
    // A fanned-out step's commands share one tree: `commandId` lists them, comma-separated.
    for (const id of commandId.split(',')) this.trees.set(id, tree);
    const { hash, pristine, changed, refused, diff } = tree;
    this.bus.emit({ type: 'tree_evaluated', step, commandId, tree: hash, pristine, changed, refused, diff });
    return tree;
  }

  current(): Promise<TreeVerdict> {
    if (!this.editable || !this.pristine) return Promise.reject(new Error('the pristine tree is unknown (no workspace_ready in the log)'));
    return evaluateTree({ workspace: this.workspace, pristine: this.pristine, editable: this.editable });
  }

  /** The results file the command's output names, fetched and read against its log: a notice, and the `results_agree` gate's evidence. */
  async crossCheck(r: CrossCheckRequest): Promise<void> {
    const checked = await crossCheckResults(r).catch((err: unknown) => ({ level: 'warn' as const, message: `results cross-check ${r.commandId} failed: ${messageOf(err)}` }));
    if (r.signal?.aborted) return;
    if (!checked) return;
    this.bus.emit({ type: 'notice', ...checked });
    this.results.set(r.commandId, { agrees: checked.level === 'info', detail: checked.message });
  }

  /** The evidence a gate of `commandId` is judged with; `ran` is the hash each step's last command ran on. */
  forGate(commandId: string | undefined, ran: Record<string, string>): Evidence {
    return {
      tree: commandId ? this.trees.get(commandId) : undefined,
      results: commandId ? this.results.get(commandId) : undefined,
      trees: ran,
      current: this.editable && this.pristine ? () => this.current() : undefined,
      review: this.review,
      ...(this.editable && !this.pristine && { unchecked: 'no pristine tree was recorded: an attached run works in a tree labpilot did not clone' }),
    };
  }
}

/** The exit of a command labpilot did not run: no exit code, and the refusal with its diff as the excerpt prompts quote. */
export function refusedExit(effect: RunCommandEffect, tree: TreeVerdict): EventInput {
  const tail = ['labpilot: not run: the workspace changed outside the editable parts', ...tree.refused.map((r) => `  ${r}`), ...tree.refusedDiff.split('\n').slice(0, 40)];
  const item = effect.item !== undefined ? { item: effect.item } : {};
  return { type: 'command_exited', commandId: effect.commandId, step: effect.step, ...item, exitCode: null, signal: null, durationMs: 0, metrics: {}, tail, refused: true };
}
