import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { ApprovalPrompt, type Answer } from './approval.js';
import { KEY, mount } from '../../tests/integration/interactive-rig.js';
import type { OpenQuestion } from '../runner/deciders.js';

const open: OpenQuestion = {
  question: { kind: 'prompt', promptId: 'p2', step: 'verify', origin: 'remediation', remediation: 'assertion-failed', text: 'Fix multiply.\nKeep the tests.', reason: 'r' },
  draft: 'Fix multiply.\nKeep the tests.',
};

function prompt() {
  const answers: Answer[] = [];
  const r = mount(<ApprovalPrompt open={open} grounds={{ matched: 'AssertionError: 5 != 6', why: 'command output matched /^AssertionError/' }} onAnswer={(a) => answers.push(a)} />);
  return { r, answers };
}

afterEach(cleanup);

describe('approval prompt', () => {
  it('shows the proposal beside the matched output and why the remediation was chosen', async () => {
    const { r } = prompt();
    const f = await r.waitFor('[a/Enter] approve');
    expect(f).toContain('prompt p2 (remediation assertion-failed), step verify');
    expect(f).toContain('Fix multiply.');
    expect(f).toContain('matched: AssertionError: 5 != 6');
    expect(f).toContain('why: command output matched /^AssertionError/');
  });

  it('approves with a or Enter', async () => {
    const { r, answers } = prompt();
    await r.waitFor('approve');
    await r.press('a');
    await r.press(KEY.enter);
    await expect.poll(() => answers).toEqual([{ verdict: 'approve' }, { verdict: 'approve' }]);
  });

  it('edits the proposal in place across lines and sends the edited text', async () => {
    const { r, answers } = prompt();
    await r.waitFor('approve');
    await r.press('e');
    await r.waitFor('Edit prompt p2');
    // The cursor starts at the end; go up one line, to its end, and add a sentence there.
    await r.press(KEY.up);
    await r.waitFor('line 1/2');
    await r.type(' Only multiply.');
    await r.waitFor('Fix multiply. Only multiply.');
    await r.press(KEY.down, KEY.enter);
    await r.waitFor('line 3/3');
    await r.type('Run the tests after.');
    await r.waitFor('Run the tests after.');
    await r.press(KEY.ctrlS);
    await expect.poll(() => answers).toEqual([{ verdict: 'edit', text: 'Fix multiply. Only multiply.\nKeep the tests.\nRun the tests after.' }]);
  });

  it('erases with Backspace and cancels an edit with Esc, back to the choice', async () => {
    const { r, answers } = prompt();
    await r.waitFor('approve');
    await r.press('e');
    await r.waitFor('Edit prompt p2');
    await r.press(KEY.backspace, KEY.backspace);
    await r.waitFor(/Keep the test\s/);
    await r.press(KEY.escape);
    await r.waitFor('[a/Enter] approve');
    expect(answers).toEqual([]);
  });

  it('replaces the proposal with the person’s own text', async () => {
    const { r, answers } = prompt();
    await r.waitFor('approve');
    await r.write('r', 'Replace prompt p2 (remediation assertion-failed) with your own', 'Look at multiply only.');
    expect(r.frame()).not.toContain('Fix multiply.');
    await expect.poll(() => answers).toEqual([{ verdict: 'replace', text: 'Look at multiply only.' }]);
  });

  it('skips with s', async () => {
    const { r, answers } = prompt();
    await r.waitFor('approve');
    await r.press('s');
    await expect.poll(() => answers).toEqual([{ verdict: 'skip' }]);
  });

  it('aborts only after y confirms; any other key goes back', async () => {
    const { r, answers } = prompt();
    await r.waitFor('approve');
    await r.press('x');
    await r.waitFor('Abort the run? y to abort');
    await r.press('n');
    await r.waitFor('[a/Enter] approve');
    expect(answers).toEqual([]);
    await r.press('x');
    await r.waitFor('Abort the run?');
    await r.press('y');
    await expect.poll(() => answers).toEqual([{ verdict: 'abort' }]);
  });
});
