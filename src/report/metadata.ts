import type { RunReport } from './model.js';
import type { Section } from './document.js';
import { cell } from './format.js';

/**
 * What a reader needs to reproduce or cite the run: suite, trials, date, the commit of the
 * evaluated script, the models, labpilot's and the playbook's versions, and every variable.
 */
export function metadataSection(r: RunReport): Section {
  const v = r.vars;
  const suite = v.suites ? v.suites : v.suite;
  const trials = Object.entries(v).filter(([k]) => /trials/.test(k));
  const commit = r.evaluatedCommit;
  const script = v.script ? `\`${cell(v.script)}\`` : 'the workspace';
  const rows: string[][] = [
    ['Suite', suite ? `\`${cell(suite)}\`` : 'n/a'],
    ['Trials per task', trials.length > 0 ? trials.map(([k, x]) => `${k} ${cell(x)}`).join(', ') : 'n/a'],
    ['Date', r.date],
    ['Evaluated script', commit ? `${script} at commit \`${commit.sha.slice(0, 12)}\` (the last commit before \`${commit.before}\` ran) on \`${cell(r.branch)}\`` : `${script} on \`${cell(r.branch)}\` (no commit recorded)`],
    ['Evaluated model', v.base_model ? `\`${cell(v.base_model)}\`` : 'n/a'],
    ['Agent', `${cell(r.agent)}, model \`${cell(r.model)}\`; mode ${r.mode}`],
    ['labpilot', r.labpilot ?? 'not recorded'],
    ['Playbook', `\`${cell(r.playbook)}\`, sha256 \`${r.playbookHash.slice(0, 12)}\``],
  ];
  const vars = Object.entries(v)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, x]) => `\`${k}\`=${x === '' ? '(empty)' : `\`${cell(x)}\``}`)
    .join(', ');
  return {
    title: 'Run metadata',
    blocks: [
      { kind: 'table', head: ['', ''], rows },
      { kind: 'p', text: `Variables: ${vars}.` },
    ],
  };
}
