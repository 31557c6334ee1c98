import { z } from 'zod';
import { componentsOf, readFileIn, writeFileIn } from './safe-fs.js';
import { defineTool, fail, ok } from './types.js';

const path = z.string().min(1).describe('Path relative to the workspace root (or absolute inside it).');

function readText(workspace: string, requested: string): string {
  const buf = readFileIn(workspace, requested);
  if (buf.subarray(0, 8000).includes(0)) throw new Error('is a binary file');
  return buf.toString('utf8');
}

export const readFileTool = defineTool({
  name: 'read_file',
  description: 'Read a text file from the workspace, optionally only a range of lines.',
  input: {
    path,
    start_line: z.number().int().positive().optional().describe('First line to return (1-based).'),
    end_line: z.number().int().positive().optional().describe('Last line to return (inclusive).'),
  },
  async run(input, ctx) {
    const text = readText(ctx.workspace, input.path);
    const lines = text.split('\n');
    if (text.endsWith('\n')) lines.pop(); // a final newline ends the last line; it does not start one
    const from = input.start_line ?? 1;
    const to = Math.min(input.end_line ?? lines.length, lines.length);
    if (from > lines.length) return fail(`${input.path} has ${lines.length} lines; start_line ${from} is past the end`);
    let body = input.start_line || input.end_line ? lines.slice(from - 1, to).join('\n') : text;
    let note = input.start_line || input.end_line ? `[lines ${from}-${to} of ${lines.length}]\n` : '';
    if (body.length > ctx.readBudgetChars) {
      // Whole lines up to the budget; the model can ask for the next range.
      let used = 0;
      let last = from - 1;
      while (last < to && used + lines[last]!.length + 1 <= ctx.readBudgetChars) used += lines[last++]!.length + 1;
      body = lines.slice(from - 1, last).join('\n');
      note = `[lines ${from}-${last} of ${lines.length}; the rest is cut, read on with start_line ${last + 1}]\n`;
    }
    return ok(`${note}${body}`);
  },
});

export const writeFileTool = defineTool({
  name: 'write_file',
  description: 'Create or overwrite a file in the workspace with the given content; parent directories are created.',
  input: {
    path,
    content: z.string().describe('The whole new content of the file.'),
  },
  async run(input, ctx) {
    const where = componentsOf(ctx.workspace, input.path).join('/') || '.';
    writeFileIn(ctx.workspace, input.path, input.content);
    return ok(`wrote ${Buffer.byteLength(input.content)} bytes to ${where}`);
  },
});

const countOf = (hay: string, needle: string): number => {
  let n = 0;
  for (let i = hay.indexOf(needle); i !== -1; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
};

export const editFileTool = defineTool({
  name: 'edit_file',
  description:
    'Replace an exact string in a file. old_string must occur exactly once (include surrounding lines to make it ' +
    'unique) unless replace_all is true.',
  input: {
    path,
    old_string: z.string().min(1).describe('The exact text to replace, including whitespace and indentation.'),
    new_string: z.string().describe('The replacement text.'),
    replace_all: z.boolean().optional().describe('Replace every occurrence; otherwise old_string must occur exactly once.'),
  },
  async run(input, ctx) {
    if (input.old_string === input.new_string) return fail('old_string and new_string are the same; nothing to change');
    const text = readText(ctx.workspace, input.path);
    const n = countOf(text, input.old_string);
    if (n === 0) return fail(`old_string was not found in ${input.path}; read the file and copy the text exactly`);
    if (n > 1 && !input.replace_all) {
      return fail(`old_string occurs ${n} times in ${input.path}; add surrounding lines to make it unique, or set replace_all`);
    }
    // split/join, not String.replace: `$&` and friends in new_string must stay literal.
    const next = input.replace_all ? text.split(input.old_string).join(input.new_string) : text.replace(input.old_string, () => input.new_string);
    writeFileIn(ctx.workspace, input.path, next);
    return ok(`replaced ${input.replace_all ? n : 1} occurrence${n === 1 || !input.replace_all ? '' : 's'} in ${input.path}`);
  },
});
