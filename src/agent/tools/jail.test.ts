import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PathEscapeError, resolveInside } from './jail.js';

let ws: string;
let outside: string;
beforeEach(() => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'jail-')));
  ws = join(base, 'ws');
  outside = join(base, 'outside');
  mkdirSync(join(ws, 'src'), { recursive: true });
  mkdirSync(outside);
});

describe('resolveInside', () => {
  it('resolves relative and absolute paths inside the workspace, existing or not', () => {
    expect(resolveInside(ws, 'src/a.py')).toBe(join(ws, 'src/a.py'));
    expect(resolveInside(ws, 'new/dir/b.py')).toBe(join(ws, 'new/dir/b.py'));
    expect(resolveInside(ws, join(ws, 'src'))).toBe(join(ws, 'src'));
    expect(resolveInside(ws, 'src/../x')).toBe(join(ws, 'x'));
    expect(resolveInside(ws, '.')).toBe(ws);
  });

  it('rejects .. escapes', () => {
    expect(() => resolveInside(ws, '../x')).toThrow(PathEscapeError);
    expect(() => resolveInside(ws, 'src/../../outside/x')).toThrow('is outside the workspace');
  });

  it('rejects absolute paths outside the workspace', () => {
    expect(() => resolveInside(ws, '/etc/passwd')).toThrow(PathEscapeError);
    expect(() => resolveInside(ws, `${ws}-sibling/x`)).toThrow(PathEscapeError);
  });

  it('rejects symlinks whose real path escapes, including paths below them and dangling ones', () => {
    symlinkSync(outside, join(ws, 'link'));
    symlinkSync(join(outside, 'missing.txt'), join(ws, 'dangling'));
    symlinkSync(join(ws, 'src'), join(ws, 'inner-link'));
    expect(() => resolveInside(ws, 'link')).toThrow(PathEscapeError);
    expect(() => resolveInside(ws, 'link/new/file.txt')).toThrow(PathEscapeError);
    expect(() => resolveInside(ws, 'dangling')).toThrow(PathEscapeError);
    expect(resolveInside(ws, 'inner-link/a.py')).toBe(join(ws, 'inner-link/a.py'));
  });
});
