/**
 * How a command is contained: the program to spawn (a shell line wrapped by the OS sandbox, or
 * plain `bash -c` without one), the environment it gets, and what to undo once it has exited.
 */
export interface Contained {
  file: string;
  args: string[];
  env: Record<string, string>;
  release(): void;
}

/** Runs one shell command line in `cwd` contained (the agent's shell, or a stage command). */
export interface CommandSandbox {
  contain(command: string, cwd: string, env?: Record<string, string>): Promise<Contained>;
}

/** What a run uses and shows: the sandbox was on, or why it was not. */
export interface SandboxChoice {
  enabled: boolean;
  /** One line for the header, the summary and the report. */
  detail: string;
}
