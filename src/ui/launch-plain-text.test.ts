import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLAIN, PlainSegmenter, plainWidth, withPlainWidth, type WidthOptions } from './launch-plain-text.js';

type StringWidth = (text: string, options?: WidthOptions) => number;

/** The folder of package `name` as Node resolves it from `from`. */
function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} not found from ${from}`);
  }
}

const load = async <T>(dir: string): Promise<T> => (await import(pathToFileURL(join(dir, 'index.js')).href)).default;

// The string-width copies the bundle answers for: Ink's own, and the one its wrap-ansi uses,
// each with the strip-ansi it uses.
const ink = packageDir('ink', dirname(fileURLToPath(import.meta.url)));
let inkWidth: StringWidth;
let wrapWidth: StringWidth;
let stripAnsi: (text: string) => string;
let wrapStripAnsi: (text: string) => string;
beforeAll(async () => {
  const inkCopy = packageDir('string-width', ink);
  const wrapCopy = packageDir('string-width', packageDir('wrap-ansi', ink));
  [inkWidth, wrapWidth] = [await load(inkCopy), await load(wrapCopy)];
  [stripAnsi, wrapStripAnsi] = [await load(packageDir('strip-ansi', inkCopy)), await load(packageDir('strip-ansi', wrapCopy))];
});
const width = (text: unknown, options?: WidthOptions) => plainWidth(text, options, stripAnsi);

function plainCharacters(): string[] {
  const out: string[] = [];
  for (let cp = 0; cp <= 0xffff; cp++) if (PLAIN.test(String.fromCharCode(cp))) out.push(String.fromCharCode(cp));
  return out;
}

describe('plainWidth', () => {
  it('gives every plain character the width both string-widths give it: one column', () => {
    const chars = plainCharacters();
    expect(chars.length).toBeGreaterThan(3000);
    const differing = chars.filter((c) => width(c) !== inkWidth(c) || plainWidth(c, undefined, wrapStripAnsi) !== wrapWidth(c));
    expect(differing.map((c) => c.charCodeAt(0).toString(16))).toEqual([]);
  });

  it('measures runs of plain characters, in any order, as string-width does', () => {
    const chars = plainCharacters();
    // Neighbours matter to grapheme segmentation: each character next to every other kind.
    const texts = [chars.join(''), [...chars].reverse().join(''), chars.filter((_, i) => i % 7 === 0).join('·'), '╭─ step 1 · 2.3 s ─╮', 'Ctrl-C×2 quit … “done” → ✓'];
    for (const text of texts) {
      expect(width(text)).toBe(inkWidth(text));
      expect(plainWidth(text, undefined, wrapStripAnsi)).toBe(wrapWidth(text));
    }
  });

  it('measures coloured plain text without its escape codes, as string-width does', () => {
    for (const text of ['\u001b[31m? keys\u001b[39m · \u001b[1mp\u001b[22m prompt', '\u001b]8;;https://x.test\u0007link\u001b]8;;\u0007 →', '\u009b32m✓\u009b39m']) {
      expect(width(text), JSON.stringify(text)).toBe(inkWidth(text));
      expect(plainWidth(text, undefined, wrapStripAnsi)).toBe(wrapWidth(text));
    }
    expect(width('\u001b[31mred', { countAnsiEscapeCodes: true })).toBeUndefined();
  });

  it('leaves to string-width what it cannot tell: marks, emoji, wide and control characters, ambiguous-wide', () => {
    for (const text of ['e\u0301', '⚙', '▶', '👍🏽', '日本', '한', 'a\tb', 'a\nb', '\u001b[31m日本\u001b[39m', '\u200b', '🇫🇷']) {
      expect(width(text), JSON.stringify(text)).toBeUndefined();
    }
    expect(width('·', { ambiguousIsNarrow: false })).toBeUndefined();
    expect(width(42)).toBeUndefined();
  });
});

describe('withPlainWidth', () => {
  it('loads the real string-width only for text it cannot tell, once', () => {
    let loads = 0;
    const measure = withPlainWidth(() => {
      loads++;
      return inkWidth;
    }, stripAnsi);
    expect(measure('? keys · p prompt')).toBe(17);
    expect(measure('\u001b[2m? keys\u001b[22m')).toBe(6);
    expect(loads).toBe(0);
    expect(measure('日本 ⚙')).toBe(inkWidth('日本 ⚙'));
    expect(measure('👍🏽')).toBe(2);
    expect(loads).toBe(1);
  });
});

describe('PlainSegmenter', () => {
  const graphemes = (segments: Intl.Segments) => [...segments].map(({ segment, index, input }) => ({ segment, index, input }));
  const real = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

  it('splits plain text and controls into the graphemes Intl.Segmenter finds, one character each', () => {
    const chars = plainCharacters();
    const controls = '\u001b[31m\u0007\n\t\u009b';
    const texts = [chars.join(''), [...chars].reverse().join(''), chars.filter((_, i) => i % 5 === 0).join(controls), '\u001b[1m╭─ run ─╮\u001b[22m'];
    for (const text of texts) {
      const plain = new PlainSegmenter(undefined, { granularity: 'grapheme' }).segment(text);
      expect(graphemes(plain)).toEqual(graphemes(real.segment(text)));
      for (const index of [-1, 0, 3, text.length - 1, text.length]) expect(plain.containing(index)).toEqual(real.segment(text).containing(index));
    }
  });

  it('hands other text, and other granularities, to Intl.Segmenter', () => {
    for (const text of ['e\u0301 👍🏽 🇫🇷 한글', 'a\r\nb', 'x ⚙ y']) {
      expect(graphemes(new PlainSegmenter().segment(text))).toEqual(graphemes(real.segment(text)));
    }
    const words = [...new PlainSegmenter('en', { granularity: 'word' }).segment('two words')];
    expect(words.map((w) => [w.segment, w.isWordLike])).toEqual([
      ['two', true],
      [' ', false],
      ['words', true],
    ]);
    expect(new PlainSegmenter('en', { granularity: 'word' }).resolvedOptions().granularity).toBe('word');
  });
});
