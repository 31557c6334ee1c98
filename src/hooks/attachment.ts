import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';

/**
 * Which run a project is attached to and how to take labpilot's hooks out again, kept in
 * labpilot's home beside the runs (`<home>/attached.json`).
 */
export const Attachment = z.object({
  runId: z.string(),
  project: z.string(),
  installed: z.object({
    path: z.string(),
    before: z.string().nullable(),
    createdDir: z.boolean(),
    after: z.string(),
    commands: z.array(z.string()),
  }),
});
export type Attachment = z.infer<typeof Attachment>;

const fileOf = (home: string) => join(home, 'attached.json');

export function readAttachment(home: string): Attachment | undefined {
  const file = fileOf(home);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`not JSON: ${(err as Error).message}`, file);
  }
  const parsed = Attachment.safeParse(json);
  if (!parsed.success) throw new InputError(`not an attachment record: ${parsed.error.issues[0]!.message}`, file);
  return parsed.data;
}

export function writeAttachment(home: string, a: Attachment): void {
  writeFileSync(fileOf(home), JSON.stringify(a, null, 2) + '\n');
}

export function clearAttachment(home: string): void {
  rmSync(fileOf(home), { force: true });
}
