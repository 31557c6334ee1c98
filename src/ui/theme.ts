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

/** The terminal's width, following resizes; 80 when the stream does not say. */
export function useColumns(): number {
  const { stdout } = useStdout();
  const [columns, setColumns] = useState(stdout.columns || 80);
  useEffect(() => {
    const onResize = () => setColumns(stdout.columns || 80);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return columns;
}
