import { Box, Text } from 'ink';
import { useTheme } from './theme.js';

/** Each description fits an 80-column terminal beside its key (62 columns). */
export const KEYS: Array<[string, string]> = [
  ['a / Enter', 'approve the proposed prompt'],
  ['↑ ↓ PgUp PgDn', 'scroll a proposed prompt longer than the screen'],
  ['e', 'edit it in place (Enter new line, Ctrl-S send, Esc cancel)'],
  ['r', 'replace the prompt with your own'],
  ['s', 'skip the prompt'],
  ['x', 'abort the run (asks y to confirm)'],
  ['p', 'write to the agent (sent when the current action ends)'],
  ['m', 'switch between interactive and autopilot'],
  ['c', 'show or hide the whole checklist'],
  ['Esc', "interrupt the agent's turn, or offer to stop a command"],
  ['Ctrl-C twice', 'quit; the run stays resumable (labpilot resume <run>)'],
  ['?', 'show or hide these keys'],
];

/** The keys of a screen: the live app's by default. */
export function Help({ keys = KEYS }: { keys?: Array<[string, string]> }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.accent} paddingX={1}>
      <Text bold>keys</Text>
      {keys.map(([k, what]) => (
        <Text key={k} wrap="truncate-end">
          <Text color={theme.accent}>{k.padEnd(14)}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}
