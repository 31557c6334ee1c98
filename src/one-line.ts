/**
 * Text shown on one line of a terminal, a trace or a report: runs of whitespace (line breaks
 * included) as one space, cut to `max` characters with an ellipsis.
 */
export function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}
