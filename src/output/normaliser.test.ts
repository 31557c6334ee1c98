import { describe, expect, it } from 'vitest';
import { createOutputNormaliser, normaliseText } from './normaliser.js';

const lines = (text: string, prefixes?: RegExp[]) => normaliseText(text, { prefixes });

describe('normaliseText', () => {
  it('returns plain lines unchanged, empty ones included', () => {
    expect(lines('Task suite: libero_spatial\n\nSuccess: True\n# successes: 3 (75.0%)\n')).toEqual(['Task suite: libero_spatial', '', 'Success: True', '# successes: 3 (75.0%)']);
  });

  it('resolves "\\r" redraws to what the terminal ends up showing', () => {
    expect(lines('\r 10%|█         | 1/10\r 20%|██        | 2/10\rdone\n')).toEqual(['done|██        | 2/10']);
    expect(lines('\rloading...\rloaded    \n')).toEqual(['loaded    ']);
    // "\r\n" is a line end, not a redraw.
    expect(lines('a\r\nb\r\n')).toEqual(['a', 'b']);
  });

  it('takes the record that shares a line with a tqdm bar, ANSI cursor moves included', () => {
    const text = '\r 25%|██▌       | 1/4 [00:00<00:00, 347.33it/s]\x1b[A2026-12-03 09:27:13,865 [INFO] Success: True\n';
    expect(lines(text)).toEqual(['Success: True']);
    expect(lines('\r  0%|          | 0/3 [00:00<?, ?it/s]Task: open the drawer\n')).toEqual(['Task: open the drawer']);
    // A redraw shorter than the bar before it is padded with spaces up to that bar's length.
    expect(lines('\r 10%|█         | 5/50 [00:01<00:09, 4.87it/s]   2026-12-03 11:52:23,802 [INFO] \nTask: open the drawer\n')).toEqual(['', 'Task: open the drawer']);
  });

  it('strips the prefixes of Python logging formats, Modal and log exporters', () => {
    expect(
      lines(
        [
          '2026-12-03 09:27:13,856 [INFO] # episodes completed so far: 7',
          '2026-12-03 09:27:13,856 - run_libero_eval - WARNING - Episode error: boom',
          'INFO:__main__:Total episodes: 500',
          '2025-01-01T12:00:00.123Z Total successes: 488',
          '  12  2025-01-01 12:00:00.123  Overall success rate: 0.9760 (97.6%)',
          '[modal-client] 2025-01-01 12:00:00,001 Stopping app',
          '[modal-client] 2026-09-23T17:02:00+0000 Received a cancellation signal',
          '[MainThread] 2025-01-01 12:00:00,001 Heartbeat attempt failed',
          '(APIServer pid=4) INFO 09-23 17:13:00 [api_server.py:617] Starting vLLM server',
          '[robosuite WARNING] No private macro file found!',
          'I0101 12:00:00.123456  1234 eval.py:12] Success: False',
          '2025-01-01 12:00:00.000 | INFO     | eval:run:42 - Success: True',
        ].join('\n'),
      ),
    ).toEqual([
      '# episodes completed so far: 7',
      'Episode error: boom',
      'Total episodes: 500',
      'Total successes: 488',
      'Overall success rate: 0.9760 (97.6%)',
      'Stopping app',
      'Received a cancellation signal',
      'Heartbeat attempt failed',
      'Starting vLLM server',
      '[robosuite WARNING] No private macro file found!',
      'Success: False',
      'Success: True',
    ]);
  });

  it("keeps OFT's empty record before a message that starts with a newline", () => {
    expect(lines('2026-12-03 09:27:13,865 [INFO] \nTask: pick up the bowl\n')).toEqual(['', 'Task: pick up the bowl']);
  });

  it("joins Rich's wrapped rows and keeps rows after an explicit newline apart", () => {
    const text = [
      '12/03 [09:27:14] INFO     | >>                                    generate.py:83',
      '                          Task: pick up the black bowl between                  ',
      '                          the plate and the ramekin and place it                ',
      '                          on the plate                                          ',
      '                 INFO     | >> Starting episode 1...              generate.py:83',
      '[12/03/26 09:25:41] INFO     Overall success rate: 0.9760 (97.6%)     eval.py:5',
    ].join('\n');
    expect(lines(text)).toEqual(['', 'Task: pick up the black bowl between the plate and the ramekin and place it on the plate', 'Starting episode 1...', 'Overall success rate: 0.9760 (97.6%)']);
  });

  it("joins an error line that Modal's console wrapped, and not a line that starts anew", () => {
    const wrapped = "modal.exception.FunctionTimeoutError: Task's current input \nin-01JQ3XW5ZK8T2M4N6P7R9S0V1A hit its timeout of 2700s\n";
    expect(lines(wrapped)).toEqual(["modal.exception.FunctionTimeoutError: Task's current input in-01JQ3XW5ZK8T2M4N6P7R9S0V1A hit its timeout of 2700s"]);
    const apart = 'RuntimeError: Error(s) in loading state_dict for ActionHead: the keys do not match \n\tMissing key(s) in state_dict: "w".\nTotal episodes: 0\n';
    expect(lines(apart)).toEqual(['RuntimeError: Error(s) in loading state_dict for ActionHead: the keys do not match ', '\tMissing key(s) in state_dict: "w".', 'Total episodes: 0']);
  });

  it('keeps an error line apart from a log record that follows it', () => {
    const text = 'FileNotFoundError: [Errno 2] No such file or directory: /models/rfsq_decoder.pt \n2026-01-01 10:00:00 INFO heartbeat 1\n';
    expect(lines(text)).toEqual(['FileNotFoundError: [Errno 2] No such file or directory: /models/rfsq_decoder.pt ', 'heartbeat 1']);
  });

  it("reads a playbook's own prefix first, its message group when it has one", () => {
    expect(lines('<7> [worker-3] Success: True\n', [/^<\d+> \[[\w-]+\] /])).toEqual(['Success: True']);
    expect(lines('ts=1 msg=Success: True\n', [/^ts=\d+ msg=(?<message>.*)$/])).toEqual(['Success: True']);
  });
});

describe('createOutputNormaliser', () => {
  it('passes a plain line on at once and holds a Rich record until its next row', () => {
    const out: string[] = [];
    const n = createOutputNormaliser((l) => out.push(l));
    n.push('Success: True\n');
    expect(out).toEqual(['Success: True']);
    n.push('                 INFO     | >> Total episodes: 12                 generate.py:83\n');
    expect(out).toEqual(['Success: True']);
    n.end();
    expect(out).toEqual(['Success: True', 'Total episodes: 12']);
  });

  it('merges streams as a terminal does and tags each line with the stream that began it', () => {
    const out: Array<[string, string]> = [];
    const n = createOutputNormaliser<'stdout' | 'stderr'>((l, tag) => out.push([l, tag]));
    // tqdm's redraw as the raw splitter passes it on: each segment ends at its "\r".
    n.push('\r', 'stderr');
    n.push(' 10%|█         | 1/10 [00:01<00:09, 1.00it/s]\r', 'stderr');
    n.push('Saved rollout MP4 at path ./rollouts/episode=1--success=True.mp4\n', 'stdout');
    n.push('2026-12-03 09:27:13,865 [INFO] Success: True\n', 'stderr');
    n.end();
    expect(out).toEqual([
      ['Saved rollout MP4 at path ./rollouts/episode=1--success=True.mp4', 'stderr'],
      ['Success: True', 'stderr'],
    ]);
  });
});
