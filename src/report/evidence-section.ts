import type { RunReport } from './model.js';
import type { Block, Section } from './document.js';
import { quoted } from './format.js';

/**
 * Provenance: what each stage ran (the tree labpilot assembled: the pristine commit plus the
 * agent's changes inside the editable parts, by hash), each gate of its last attempt with its
 * evidence (a cross-check names both signals and where each came from), the reviewer's
 * findings, and the editable diff itself.
 */
export function evidenceSection(r: RunReport): Section {
  const e = r.evidence;
  const blocks: Block[] = [];
  if (e.pristine) {
    blocks.push({ kind: 'p', text: `Every stage ran on the tree labpilot assembled: the repository as cloned (commit \`${e.pristine.slice(0, 12)}\`) plus the agent's changes inside the playbook's editable parts, nothing else.` });
    const rows = e.trees.map((t) => [
      `\`${t.step}\``,
      t.refused.length > 0 ? 'not run' : `\`${t.tree.slice(0, 12)}\``,
      t.changed.length > 0 ? t.changed.map((f) => `\`${f}\``).join(', ') : 'none',
      t.refused.length > 0 ? t.refused.map((x) => quoted(x, 160)).join('; ') : 'nothing',
    ]);
    blocks.push({ kind: 'table', head: ['Stage', 'Evaluated tree', 'Editable files changed', 'Refused'], rows });
  }
  if (e.gates.length > 0) {
    blocks.push({ kind: 'p', text: 'The gates of each stage\'s last attempt, with their evidence:' });
    blocks.push({ kind: 'table', head: ['Stage', 'Gate', '', 'Evidence'], rows: e.gates.map((g) => [`\`${g.step}\``, quoted(g.check, 80), g.passed ? 'pass' : 'FAIL', quoted(g.detail)]) });
  }
  for (const v of e.reviews) {
    const findings = v.findings.length > 0 ? v.findings.map((f) => quoted(f)) : ['no finding'];
    blocks.push({ kind: 'p', text: `Reviewer (\`${v.model}\`) at \`${v.step}\`:` }, { kind: 'list', items: findings });
  }
  if (e.diff) blocks.push({ kind: 'p', text: 'The editable parts the stages ran, against the repository as cloned:' }, { kind: 'code', text: e.diff, lang: 'diff' });
  return { title: 'Provenance', blocks };
}
