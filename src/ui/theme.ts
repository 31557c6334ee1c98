import { createContext, useContext, useEffect, useState } from 'react';
import { useStdout } from 'ink';

/**
 * Colours by role. With NO_COLOR set (https://no-color.org) every role is undefined, so Ink
 * writes no colour codes at all; symbols (✓ ✗ ·) and words carry the meaning either way.
 */
export interface Theme {
  ok?: string;
  bad?: string;
  warn?: string;
  accent?: string;
  muted?: string;
}

const COLOURS: Theme = { ok: 'green', bad: 'red', warn: 'yellow', accent: 'cyan', muted: 'gray' };

export function themeFor(env: NodeJS.ProcessEnv): Theme {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? {} : COLOURS;
}

export const ThemeContext = createContext<Theme>(COLOURS);

export const useTheme = (): Theme => useContext(ThemeContext);

/** A size of the terminal, following resizes; `fallback` when the stream does not say. */
function useSize(of: (s: NodeJS.WriteStream) => number | undefined, fallback: number): number {
  const { stdout } = useStdout();
  const [size, setSize] = useState(of(stdout) || fallback);
  useEffect(() => {
    const onResize = () => setSize(of(stdout) || fallback);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, of, fallback]);
  return size;
}

const columnsOf = (s: NodeJS.WriteStream) => s.columns;
const rowsOf = (s: NodeJS.WriteStream) => s.rows;

/** The terminal's width, following resizes; 80 when the stream does not say. */
export const useColumns = (): number => useSize(columnsOf, 80);

/** The terminal's height, following resizes; 24 when the stream does not say. */
export const useRows = (): number => useSize(rowsOf, 24);
