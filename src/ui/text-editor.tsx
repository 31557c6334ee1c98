import { useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { backspace, bufferOf, insert, killToStart, move, textOf, type TextBuffer } from './text-edit.js';
import { useTheme } from './theme.js';

export interface TextEditorProps {
  initial: string;
  label: string;
  /** Lines shown at once; the window follows the cursor. */
  height?: number;
  onSubmit(text: string): void;
  onCancel(): void;
}

/**
 * Multi-line editing in place: Enter starts a new line, Ctrl-S (or Ctrl-D) sends, Esc cancels.
 * Terminals send Backspace as DEL, which Ink reports as `delete`, so both erase backwards.
 */
export function TextEditor({ initial, label, height = 14, onSubmit, onCancel }: TextEditorProps) {
  const [buf, setBuf] = useState<TextBuffer>(() => bufferOf(initial));
  const theme = useTheme();
  useInput((input, key) => {
    if (key.ctrl && (input === 's' || input === 'd')) return onSubmit(textOf(buf));
    if (key.escape) return onCancel();
    if (key.return) return setBuf((b) => insert(b, '\n'));
    if (key.backspace || key.delete) return setBuf(backspace);
    if (key.leftArrow) return setBuf((b) => move(b, 'left'));
    if (key.rightArrow) return setBuf((b) => move(b, 'right'));
    if (key.upArrow) return setBuf((b) => move(b, 'up'));
    if (key.downArrow) return setBuf((b) => move(b, 'down'));
    if (key.home || (key.ctrl && input === 'a')) return setBuf((b) => move(b, 'home'));
    if (key.end || (key.ctrl && input === 'e')) return setBuf((b) => move(b, 'end'));
    if (key.ctrl && input === 'u') return setBuf(killToStart);
    if (key.ctrl || key.meta || input === '') return;
    setBuf((b) => insert(b, input));
  });
  const first = Math.max(0, Math.min(buf.row - Math.floor(height / 2), buf.lines.length - height));
  const shown = buf.lines.slice(first, first + height);
  return (
    <Box flexDirection="column">
      <Text color={theme.accent} bold wrap="truncate-end">
        {label}
      </Text>
      <Text color={theme.muted} wrap="truncate-end">
        Enter new line · Ctrl-S send · Esc cancel · line {buf.row + 1}/{buf.lines.length}
      </Text>
      {first > 0 && <Text color={theme.muted}>  ↑ {first} more</Text>}
      {shown.map((line, i) => (
        <Text key={first + i} wrap="wrap">
          {'  '}
          {first + i === buf.row ? <CursorLine line={line} col={buf.col} /> : line || ' '}
        </Text>
      ))}
      {first + height < buf.lines.length && <Text color={theme.muted}>  ↓ {buf.lines.length - first - height} more</Text>}
    </Box>
  );
}

function CursorLine({ line, col }: { line: string; col: number }) {
  return (
    <>
      {line.slice(0, col)}
      <Text inverse>{line[col] ?? ' '}</Text>
      {line.slice(col + 1)}
    </>
  );
}
