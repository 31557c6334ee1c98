import { Box, Text } from 'ink';
import { useTheme } from './theme.js';

export const KEYS: Array<[string, string]> = [
  ['a / Enter', 'approve the proposed prompt'],
  ['e', 'edit the prompt in place (Enter new line, Ctrl-S send, Esc cancel)'],
  ['r', 'replace the prompt with your own'],
  ['s', 'skip the prompt'],
  ['x', 'abort the run (asks y to confirm)'],
  ['p', 'write to the agent: sent when the current action ends, or with the prompt awaiting you'],
  ['m', 'switch between interactive and autopilot'],
  ['c', 'show or hide the whole checklist'],
  ['Esc', "interrupt the agent's current turn"],
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
        <Text key={k}>
          <Text color={theme.accent}>{k.padEnd(14)}</Text>
          {what}
        </Text>
      ))}
    </Box>
  );
}
