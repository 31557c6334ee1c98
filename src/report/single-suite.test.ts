import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rsdPhase3Run, SUITES } from '../../tests/helpers/libero-run.js';
import { buildReport } from './model.js';
import { reportDocument } from './document.js';
import { renderMarkdown } from './markdown.js';
import { renderTerminal } from './terminal.js';

/**
 * A run without fan-out, from a log written before run_started recorded labels and labpilot's
 * version: the fixtures hold its whole report (reviewed by eye when the report changes), so any
 * change to what an older run's rebuilt report says shows up here as a diff.
 */
describe('the report of a run without fan-out', () => {
  const events = rsdPhase3Run(SUITES, false).events;
  const report = buildReport(events);
  const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

  it('names no item anywhere and compares once', () => {
    expect(events.some((e) => 'item' in e)).toBe(false);
    expect(report.stages.every((s) => !('item' in s))).toBe(true);
    expect(report.comparisons).toEqual([expect.not.objectContaining({ item: expect.anything() })]);
    expect(report.comparisons).toHaveLength(1);
  });

  it('renders the Markdown and terminal text of the fixtures: step ids for labels, intervals and tests from the figures', () => {
    expect(renderMarkdown(reportDocument(report))).toBe(fixture('single-suite.md'));
    expect(renderTerminal(report, 80)).toBe(fixture('single-suite.txt'));
  });
});
