import { describe, expect, it } from 'vitest';
import { errorSignature, failureSignature } from './signature.js';
import { excerptLines } from './excerpt.js';
import { SIGNATURE_CASES } from '../../tests/fixtures/error-signatures.js';

describe('errorSignature', () => {
  it('gives two CUDA OOMs with different sizes and devices the same signature', () => {
    const a = errorSignature(
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 324.00 MiB. GPU 0 has a total capacity of 39.39 GiB of which 12.50 MiB is free.',
    );
    const b = errorSignature(
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.20 GiB. GPU 1 has a total capacity of 79.15 GiB of which 310.12 MiB is free.',
    );
    expect(a).toBe(b);
    expect(a).toContain('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate');
  });

  it('ignores timestamps, addresses, Modal ids, directories and line numbers', () => {
    expect(errorSignature('2025-11-20 10:14:03.123 ERROR worker at 0x7f3a2c1b: crash in /tmp/tmpa81x/run.py line 12')).toBe(
      errorSignature('2025-11-21T23:01:59Z ERROR worker at 0x55d0: crash in /home/u/run.py line 907'),
    );
    expect(errorSignature("FunctionTimeoutError: Task's current input in-01JABCDEF12345 hit its timeout of 2700s")).toBe(
      errorSignature("FunctionTimeoutError: Task's current input in-01JZZZ9999XY hit its timeout of 300s"),
    );
    expect(errorSignature('Image build for im-Ab12Cd34Ef56 failed with the exception:')).toBe(
      errorSignature('Image build for im-Zz99Yy88Xx77 failed with the exception:'),
    );
  });

  it('keeps the exception type and the quoted names apart', () => {
    expect(errorSignature("KeyError: 'model_state_dict'")).not.toBe(errorSignature("KeyError: 'state_dict'"));
    expect(errorSignature("ModuleNotFoundError: No module named 'prismatic'")).not.toBe(
      errorSignature("ModuleNotFoundError: No module named 'experiments'"),
    );
    expect(errorSignature('RuntimeError: CUDA out of memory')).not.toBe(errorSignature('torch.OutOfMemoryError: CUDA out of memory'));
    expect(errorSignature('Error: Got unexpected extra argument (False)')).not.toBe(
      errorSignature("Error: No such option '--num_trials'"),
    );
  });

  it('treats the same size mismatch with other shapes as the same error', () => {
    expect(
      errorSignature('size mismatch for decoder.proj.weight: copying a param with shape torch.Size([512, 16]) from checkpoint'),
    ).toBe(errorSignature('size mismatch for decoder.proj.weight: copying a param with shape torch.Size([256, 64]) from checkpoint'));
  });

  it('collapses whitespace and colour codes and stays short', () => {
    expect(errorSignature('\x1b[31mEOFError:\x1b[0m   EOF when reading a line  ')).toBe('EOFError: EOF when reading a line');
    expect(errorSignature('E'.repeat(5000)).length).toBeLessThanOrEqual(300);
  });
});

describe('failureSignature on the shared table of failures', () => {
  it.each(SIGNATURE_CASES)('$name: same error is $same', ({ a, b, same }) => {
    const sig = (out: string) => failureSignature({ tail: excerptLines(out), hits: [] });
    expect(sig(a) === sig(b)).toBe(same);
  });

  it('takes the error line, not the gate detail: distinct errors with the same exit code differ', () => {
    const detail = 'exit_code: exit code 1 (expected 0)';
    const sig = (line: string) => failureSignature({ tail: [line], hits: [], detail });
    expect(new Set([sig("ImportError: cannot import name 'x'"), sig("KeyError: 'k'"), sig('SyntaxError: invalid syntax')]).size).toBe(3);
  });
});
