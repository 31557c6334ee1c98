import { Box, Text } from 'ink';
import { useTheme } from './theme.js';
import type { ViewState } from './view-state.js';

/** The playbook's checklist: each item verified by labpilot, failed (with why), or pending. */
export function Checklist({ items }: { items: ViewState['checklist'] }) {
  const theme = useTheme();
  if (items.length === 0) return null;
  const count = (s: string) => items.filter((i) => i.state === s).length;
  return (
    <Box flexDirection="column">
      <Text bold>
        checklist: {count('passed')} verified, {count('failed')} failed, {count('pending')} pending
      </Text>
      {items.map((item, i) => (
        <Text key={i} wrap="truncate-end" color={item.state === 'passed' ? theme.ok : item.state === 'failed' ? theme.bad : theme.muted}>
          {'  '}
          {item.state === 'passed' ? '✓' : item.state === 'failed' ? '✗' : '·'} {item.label}
          {item.state === 'failed' && item.detail ? ` (${item.detail.replace(/\s+/g, ' ').trim()})` : ''}
        </Text>
      ))}
    </Box>
  );
}
