/**
 * Width and graphemes of plain text, answered without Unicode segmentation.
 *
 * Ink measures every line with string-width, which builds an emoji regex (`\p{RGI_Emoji}`) when
 * it loads and compiles it on the first non-ASCII character, and splits every line into
 * graphemes with Intl.Segmenter, the first of which loads ICU's break rules. Together that was
 * over a third of the CPU time to the app's first frame, for text such as "·", "…", "→" or a box
 * border. The bundle (scripts/bundle-ui.mjs) answers such text here and leaves any other text
 * to string-width and a real Intl.Segmenter, made only then.
 *
 * Plain characters are assigned, visible, one column wide, and each a grapheme of its own
 * whatever its neighbours (no mark, joiner, variation selector, Hangul jamo, regional indicator
 * or emoji): Latin, Greek, Cyrillic, punctuation, symbols, arrows, box drawing, geometric
 * shapes. launch-plain-text.test.ts checks each against string-width and Intl.Segmenter.
 */
const RANGES =
  '\\u0020-\\u007e\\u00a0-\\u00a8\\u00aa-\\u00ac\\u00af-\\u02ff\\u0370-\\u0377\\u037a-\\u037f\\u0384-\\u038a\\u038c\\u038e-\\u03a1' +
  '\\u03a3-\\u0482\\u048a-\\u04ff\\u2010-\\u2027\\u202f-\\u203b\\u203d-\\u2048\\u204a-\\u205f\\u2070-\\u2071\\u2074-\\u208e' +
  '\\u2090-\\u209c\\u20a0-\\u20c1\\u2100-\\u2121\\u2123-\\u2138\\u213a-\\u218b\\u2190-\\u2193\\u219a-\\u21a8\\u21ab-\\u2319' +
  '\\u231c-\\u2327\\u232b-\\u23ce\\u23d0-\\u23e8\\u23f4-\\u23f7\\u23fb-\\u2429\\u2460-\\u24c1\\u24c3-\\u25a9\\u25ac-\\u25b5' +
  '\\u25b7-\\u25bf\\u25c1-\\u25fa\\u25ff\\u2713\\u2717\\u27c0-\\u27ff\\u2900-\\u2933\\u2936-\\u2b04\\u2b08-\\u2b1a\\u2b1d-\\u2b4f' +
  '\\u2b51-\\u2b54\\u2b56-\\u2b73\\u2b76-\\u2bff';

/** Text of plain characters only: as many columns as it has characters. */
export const PLAIN = new RegExp(`^[${RANGES}]*$`);

/** Plain characters and controls (CR aside: it joins a following LF): one grapheme each. */
const ISOLATED = new RegExp(`^[\\u0000-\\u000c\\u000e-\\u001f\\u007f-\\u009f${RANGES}]*$`);

export interface WidthOptions {
  ambiguousIsNarrow?: boolean;
  countAnsiEscapeCodes?: boolean;
}

type StringWidth = (text: string, options?: WidthOptions) => number;

/**
 * The width string-width gives `text`, when it is plain once its escape codes are stripped (by
 * `stripAnsi`, string-width's own); undefined when only string-width can tell (other
 * characters, escape codes counted, ambiguous characters counted wide).
 */
export function plainWidth(text: unknown, options: WidthOptions | undefined, stripAnsi: (text: string) => string): number | undefined {
  if (typeof text !== 'string' || options?.ambiguousIsNarrow === false) return undefined;
  const visible = options?.countAnsiEscapeCodes ? text : stripAnsi(text);
  return PLAIN.test(visible) ? visible.length : undefined;
}

/** string-width with the plain answer first; `load` gives the real one the first time it is needed. */
export function withPlainWidth(load: () => StringWidth, stripAnsi: (text: string) => string): StringWidth {
  let real: StringWidth | undefined;
  return (text, options) => plainWidth(text, options, stripAnsi) ?? (real ??= load())(text, options);
}

// Reached through globalThis: the bundle puts PlainSegmenter in place of `Intl.Segmenter` itself.
const RealSegmenter = globalThis.Intl.Segmenter;

/**
 * Intl.Segmenter as the bundle's modules see it: splits text of isolated characters into
 * graphemes itself, one character each, and makes the real segmenter for any other text.
 */
export class PlainSegmenter {
  readonly #locales?: string | string[];
  readonly #options?: Intl.SegmenterOptions;
  #real?: Intl.Segmenter;

  constructor(locales?: string | string[], options?: Intl.SegmenterOptions) {
    this.#locales = locales;
    this.#options = options;
  }

  segment(text: string): Intl.Segments {
    const input = String(text);
    const graphemes = (this.#options?.granularity ?? 'grapheme') === 'grapheme';
    return graphemes && ISOLATED.test(input) ? characters(input) : this.#segmenter().segment(input);
  }

  resolvedOptions(): Intl.ResolvedSegmenterOptions {
    return this.#segmenter().resolvedOptions();
  }

  #segmenter(): Intl.Segmenter {
    return (this.#real ??= new RealSegmenter(this.#locales, this.#options));
  }
}

function characters(input: string): Intl.Segments {
  const at = (index: number): Intl.SegmentData => ({ segment: input[index]!, index, input });
  return {
    containing(codeUnitIndex = 0) {
      const index = Math.trunc(Number(codeUnitIndex)) || 0;
      return index >= 0 && index < input.length ? at(index) : undefined;
    },
    *[Symbol.iterator](): Generator<Intl.SegmentData, undefined> {
      for (let index = 0; index < input.length; index++) yield at(index);
      return undefined;
    },
  };
}
