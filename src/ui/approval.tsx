import { useEffect, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import type { OpenQuestion } from '../runner/deciders.js';
import { TextEditor } from './text-editor.js';
import { useColumns, useTheme } from './theme.js';
import { wrapText } from './wrap.js';

export type Answer =
  | { verdict: 'approve' }
  | { verdict: 'edit'; text: string }
  | { verdict: 'replace'; text: string }
  | { verdict: 'skip' }
  | { verdict: 'abort' };

/** Why this prompt: the output line that matched and the engine's reason for the remediation. */
export interface Grounds {
  matched?: string;
  why?: string;
}

export interface ApprovalProps {
  open: OpenQuestion;
  grounds?: Grounds;
  onAnswer(answer: Answer): void;
  /** Told when a text editor takes the keyboard, so the app's own keys stand aside. */
  onEditing?(editing: boolean): void;
  /** Rows the whole box may take (border included); the proposal scrolls inside what is left. */
  rows?: number;
}

type Stage = 'choose' | 'edit' | 'replace' | 'confirm-abort';

/**
 * The approval prompt for every prompt labpilot wants to send: approve (a / Enter), edit in
 * place (e), replace with your own (r), skip (s), abort the run (x, then y). Beside it, the
 * matched output and why the remediation was chosen; side by side when the terminal is wide.
 */
export function ApprovalPrompt({ open, grounds, onAnswer, onEditing, rows = 24 }: ApprovalProps) {
  const [stage, setStage] = useState<Stage>('choose');
  const [top, setTop] = useState(0);
  const theme = useTheme();
  const columns = useColumns();
  const editing = stage === 'edit' || stage === 'replace';
  const q = open.question;
  const what = q.kind === 'ask' ? `question ${q.ref}` : `prompt ${q.promptId} (${q.origin}${q.remediation ? ` ${q.remediation}` : ''})`;
  const title = `labpilot wants to send ${what}, step ${q.step}`;
  const view = layout(open.draft, title, grounds, columns, rows, top);
  const page = view.page;
  useEffect(() => onEditing?.(editing), [editing, onEditing]);
  useInput(
    (input, key) => {
      if (stage === 'confirm-abort') {
        if (input === 'y') onAnswer({ verdict: 'abort' });
        else setStage('choose');
        return;
      }
      if (key.downArrow || key.pageDown) setTop((t) => t + (key.pageDown ? page : 1));
      else if (key.upArrow || key.pageUp) setTop((t) => Math.max(0, t - (key.pageUp ? page : 1)));
      else if (input === 'a' || key.return) onAnswer({ verdict: 'approve' });
      else if (input === 'e') setStage('edit');
      else if (input === 'r') setStage('replace');
      else if (input === 's') onAnswer({ verdict: 'skip' });
      else if (input === 'x') setStage('confirm-abort');
    },
    { isActive: !editing },
  );
  if (editing) {
    return (
      <Box flexDirection="column" borderStyle="round" borderColor={theme.accent} paddingX={1}>
        <TextEditor
          label={stage === 'edit' ? `Edit ${what}` : `Replace ${what} with your own`}
          initial={stage === 'edit' ? open.draft : ''}
          onSubmit={(text) => {
            if (text.trim() === '') return setStage('choose');
            onAnswer(stage === 'edit' ? { verdict: 'edit', text } : { verdict: 'replace', text });
          }}
          onCancel={() => setStage('choose')}
        />
      </Box>
    );
  }
  const { wide, textWidth, lines, groundLines, shown, from, scrolls } = view;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.warn} paddingX={1}>
      {wrapText(title, columns - 4).map((l, i) => (
        <Text key={i} bold color={theme.warn} wrap="truncate-end">
          {l}
        </Text>
      ))}
      <Box flexDirection={wide ? 'row' : 'column'}>
        <Box flexDirection="column" width={wide ? textWidth : undefined}>
          {lines.slice(from, from + shown).map((l, i) => (
            <Text key={from + i} wrap="truncate-end">
              {l || ' '}
            </Text>
          ))}
          {scrolls && (
            <Text color={theme.muted} wrap="truncate-end">
              lines {from + 1}-{from + shown} of {lines.length} · ↑↓ PgUp PgDn scroll · e edits all
            </Text>
          )}
        </Box>
        {groundLines.length > 0 && (
          <Box flexDirection="column" marginLeft={wide ? 2 : 0} marginTop={wide ? 0 : 1}>
            {groundLines.map((l, i) => (
              <Text key={i} wrap="truncate-end">
                {GROUND.test(l) ? <Text color={theme.muted}>{GROUND.exec(l)![0]}</Text> : null}
                {l.replace(GROUND, '')}
              </Text>
            ))}
          </Box>
        )}
      </Box>
      {stage === 'confirm-abort' ? (
        <Text color={theme.bad}>Abort the run? y to abort, any other key to go back</Text>
      ) : (
        <Text color={theme.accent}>[a/Enter] approve  [e] edit  [r] replace  [s] skip  [x] abort</Text>
      )}
    </Box>
  );
}

const GROUND = /^(matched|why): /;

/**
 * The proposal wrapped to the box's width and the window of it that fits in `rows`: the border,
 * the title, the grounds (below it when narrow) and the keys always show; the proposal scrolls.
 */
function layout(draft: string, title: string, grounds: Grounds | undefined, columns: number, rows: number, top: number) {
  const wide = columns >= 110 && !!(grounds?.matched || grounds?.why);
  // Inside the border and padding; side by side, the proposal has 60% of it.
  const inner = columns - 4;
  const textWidth = wide ? Math.floor(inner * 0.6) : inner;
  const lines = wrapText(draft.replace(/\s+$/, ''), textWidth);
  const groundLines = [grounds?.matched && `matched: ${grounds.matched}`, grounds?.why && `why: ${grounds.why}`]
    .filter((g): g is string => !!g)
    .flatMap((g) => wrapText(g, wide ? inner - textWidth - 2 : inner));
  // Border 2, the title, the keys; the grounds below when narrow (after a blank line).
  const chrome = 3 + wrapText(title, inner).length + (wide || groundLines.length === 0 ? 0 : groundLines.length + 1);
  // One row for "lines a-b of n" when the proposal does not fit.
  const fits = lines.length <= rows - chrome;
  const page = Math.max(3, rows - chrome - (fits ? 0 : 1));
  const shown = Math.min(lines.length, page);
  const from = Math.max(0, Math.min(top, lines.length - shown));
  return { wide, textWidth, lines, groundLines, page, shown, from, scrolls: lines.length > shown };
}
