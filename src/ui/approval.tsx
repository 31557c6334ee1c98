import { useEffect, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import type { OpenQuestion } from '../runner/deciders.js';
import { TextEditor } from './text-editor.js';
import { useColumns, useTheme } from './theme.js';

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
  /** Lines of the proposal shown before "… more"; the editor shows all of it. */
  preview?: number;
}

type Stage = 'choose' | 'edit' | 'replace' | 'confirm-abort';

/**
 * The approval prompt for every prompt labpilot wants to send: approve (a / Enter), edit in
 * place (e), replace with your own (r), skip (s), abort the run (x, then y). Beside it, the
 * matched output and why the remediation was chosen; side by side when the terminal is wide.
 */
export function ApprovalPrompt({ open, grounds, onAnswer, onEditing, preview = 12 }: ApprovalProps) {
  const [stage, setStage] = useState<Stage>('choose');
  const theme = useTheme();
  const columns = useColumns();
  const editing = stage === 'edit' || stage === 'replace';
  useEffect(() => onEditing?.(editing), [editing, onEditing]);
  useInput(
    (input, key) => {
      if (stage === 'confirm-abort') {
        if (input === 'y') onAnswer({ verdict: 'abort' });
        else setStage('choose');
        return;
      }
      if (input === 'a' || key.return) onAnswer({ verdict: 'approve' });
      else if (input === 'e') setStage('edit');
      else if (input === 'r') setStage('replace');
      else if (input === 's') onAnswer({ verdict: 'skip' });
      else if (input === 'x') setStage('confirm-abort');
    },
    { isActive: !editing },
  );
  const q = open.question;
  const what = q.kind === 'ask' ? `question ${q.ref}` : `prompt ${q.promptId} (${q.origin}${q.remediation ? ` ${q.remediation}` : ''})`;
  const title = `labpilot wants to send ${what}, step ${q.step}`;
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
  const lines = open.draft.split('\n');
  const wide = columns >= 110 && (grounds?.matched || grounds?.why);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.warn} paddingX={1}>
      <Text bold color={theme.warn}>
        {title}
      </Text>
      <Box flexDirection={wide ? 'row' : 'column'}>
        <Box flexDirection="column" flexGrow={1} flexBasis={wide ? '60%' : undefined}>
          {lines.slice(0, preview).map((l, i) => (
            <Text key={i} wrap="truncate-end">
              {l || ' '}
            </Text>
          ))}
          {lines.length > preview && <Text color={theme.muted}>… {lines.length - preview} more lines (e shows them all)</Text>}
        </Box>
        {(grounds?.matched || grounds?.why) && (
          <Box flexDirection="column" flexBasis={wide ? '40%' : undefined} marginLeft={wide ? 2 : 0} marginTop={wide ? 0 : 1}>
            {grounds.matched && (
              <Text wrap="wrap">
                <Text color={theme.muted}>matched: </Text>
                {grounds.matched}
              </Text>
            )}
            {grounds.why && (
              <Text wrap="wrap">
                <Text color={theme.muted}>why: </Text>
                {grounds.why}
              </Text>
            )}
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
