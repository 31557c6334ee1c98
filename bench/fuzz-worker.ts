import { Writable } from 'node:stream';
import { lintCommand } from '../src/commands/lint.js';
import { replayCommand } from '../src/commands/replay.js';
import { reportCommand } from '../src/commands/report.js';
import { resumeCommand } from '../src/commands/resume.js';
import { parseCommand } from '../src/commands/parse.js';
import { exitCodeOf, LabpilotError, messageOf } from '../src/errors.js';

/**
 * The fuzz bench's worker: runs one command in-process per message, the way the CLI would
 * (errors become `labpilot: message` and their exit code), and answers with what it printed.
 * A hang is seen by the parent, which ends this process and starts another.
 */

export interface FuzzCase {
  id: number;
  target: 'lint' | 'replay' | 'report' | 'resume' | 'parse';
  file: string;
  home?: string;
  runId?: string;
  playbook?: string;
  /** For `parse`: the saved command output read against `playbook` (the mutant itself when absent). */
  output?: string;
}

export interface FuzzAnswer {
  id: number;
  code: number;
  text: string;
  /** The stack of an error that is not one of labpilot's own. */
  crash?: string;
}

function collector(): { stream: Writable; text: () => string } {
  let buf = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (buf.length < 1 << 20) buf += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => buf };
}

async function runCase(c: FuzzCase): Promise<FuzzAnswer> {
  const out = collector();
  const err = collector();
  const env = { PATH: process.env.PATH };
  let code = 0;
  let crash: string | undefined;
  try {
    if (c.target === 'lint') code = await lintCommand([c.file], { out: out.stream, err: err.stream });
    else if (c.target === 'replay') code = await replayCommand({ target: c.file, out: out.stream, err: err.stream, env });
    else if (c.target === 'report') code = await reportCommand({ runId: c.runId!, home: c.home, out: out.stream });
    else if (c.target === 'resume') code = (await resumeCommand({ runId: c.runId!, home: c.home, json: true, out: out.stream, env })).code;
    else code = await parseCommand({ playbook: c.playbook!, log: c.output ?? c.file, step: 'full', json: true, out: out.stream, err: err.stream });
  } catch (e) {
    err.stream.write(`labpilot: ${messageOf(e)}\n`);
    code = exitCodeOf(e);
    if (!(e instanceof LabpilotError)) crash = e instanceof Error ? (e.stack ?? e.message) : String(e);
  }
  return { id: c.id, code, text: err.text(), crash };
}

process.on('message', (c: FuzzCase) => {
  void runCase(c).then((a) => process.send!(a));
});
// Loaded: the parent times cases from here, not the loading of the commands.
process.send!({ id: 0, code: 0, text: '' });
// A rejection a command left behind is a crash of its own; it is reported with the next answer.
process.on('unhandledRejection', (e) => process.send!({ id: -1, code: 70, text: '', crash: String(e) }));
