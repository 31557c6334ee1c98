import { Command } from 'commander';
import { exitCodeOf, messageOf } from './errors.js';

// Thin: commander parses, each command is one function in commands/.
const program = new Command('labpilot').description('Run LLM-agent playbooks: interactive, autopilot, replay.');

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`labpilot: ${messageOf(err)}\n`);
  process.exit(exitCodeOf(err));
});
