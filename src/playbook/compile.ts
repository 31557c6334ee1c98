import type { CompiledPlaybook } from '../engine/context.js';
import { bindProblem, exprVariables } from '../engine/expr-bind.js';
import { parseExpr } from '../engine/expr.js';
import { InputError } from '../errors.js';
import { expressionsOf } from './lint-rules.js';
import type { LoadedPlaybook } from './load.js';
import type { Playbook } from './schema.js';
import { resolveVariables } from './variables.js';
import { stageStopper } from '../results/live-stop.js';

/**
 * A loaded playbook made ready to run with the given `--var` values, or one line saying where
 * and why it cannot be: every variable typed against its declaration, every predicate and
 * formula parsed with its `{{variables}}` bound as numbers. Templates were checked when the
 * playbook loaded (each name is declared or built in). Nothing here touches the disk, so a bad
 * value stops the run before a run folder or a clone exists, and the engine never meets it.
 */
export function compilePlaybook(loaded: LoadedPlaybook, cli: Record<string, string>): CompiledPlaybook {
  const vars = resolveVariables(loaded.playbook, cli, loaded.where);
  const bound = forEachVariables(loaded.playbook);
  for (const [at, source] of expressionsOf(loaded.playbook)) {
    for (const name of exprVariables(parseExpr(source))) {
      // A for_each variable holds a list item (a suite name), never a threshold.
      const problem = bound.has(name) ? `'${name}' is a for_each value, not a number` : bindProblem(name, vars);
      if (problem) throw new InputError(`${problem}: '${source}' needs a number there`, loaded.where(at, refIndex(source, name)));
    }
  }
  // An early_stop figure written with variables is judged with their values now, not when the
  // stage's command starts.
  loaded.playbook.steps.forEach((s, i) => {
    if (s.kind !== 'run' || !s.early_stop) return;
    try {
      stageStopper(s.early_stop, vars);
    } catch (err) {
      if (err instanceof InputError && err.where === undefined) throw new InputError(err.message, loaded.where(['steps', i, 'early_stop']));
      throw err;
    }
  });
  return compiled(loaded.playbook, loaded.prompts, vars);
}

/** The engine's view of a playbook whose variables are already resolved (a new run, a resumed one, a replay). */
export function compiled(playbook: Playbook, prompts: Record<string, string>, vars: Record<string, string>): CompiledPlaybook {
  return { playbook, prompts, vars, defaultAttempts: playbook.budgets?.attempts ?? 3 };
}

function forEachVariables(pb: Playbook): Set<string> {
  return new Set(pb.steps.flatMap((s) => (s.kind === 'run' && s.for_each ? [s.for_each.var] : [])));
}

/** Offset of the first `{{name}}` in an expression, for the column in the message. */
function refIndex(source: string, name: string): number {
  return Math.max(0, source.search(new RegExp(`\\{\\{\\s*${name.replace(/[.\\-]/g, '\\$&')}\\s*\\}\\}`)));
}
