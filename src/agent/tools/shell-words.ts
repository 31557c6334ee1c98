/**
 * A small lexer for the shell commands the agent asks to run, enough for the shell policy to
 * see what runs (commands, their words, redirections, pipelines) without executing anything.
 * Quotes and escapes are resolved as bash would; `$(...)`, backticks and `<(...)` are kept in
 * their word as written and also returned as nested command texts, judged separately.
 * Here-document bodies are skipped: they are data for the command, not commands.
 */

export interface Redirect {
  op: string;
  target: string;
}

export interface ShellCommand {
  words: string[];
  redirects: Redirect[];
  /** Reads the output of the previous command through `|`. */
  piped: boolean;
  /** Texts of `<(...)` / `>(...)` process substitutions among its words. */
  processSubs: string[];
}

export interface Lexed {
  commands: ShellCommand[];
  /** Texts of `$(...)` and backtick substitutions, anywhere in the input. */
  nested: string[];
}

/** The index just past the `)` that closes a group opened before `from`. */
function closeParen(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === "'") i = Math.max(i, s.indexOf("'", i + 1));
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return s.length;
}

export function lexShell(s: string): Lexed {
  const commands: ShellCommand[] = [];
  const nested: string[] = [];
  let cmd: ShellCommand = { words: [], redirects: [], piped: false, processSubs: [] };
  let word: string | null = null;
  let pendingOp: string | null = null;
  const heredocs: string[] = [];

  const endWord = () => {
    if (word === null) return;
    if (pendingOp) {
      cmd.redirects.push({ op: pendingOp, target: word });
      if (pendingOp.startsWith('<<') && pendingOp !== '<<<') heredocs.push(word);
      pendingOp = null;
    } else cmd.words.push(word);
    word = null;
  };
  const endCommand = (piped: boolean) => {
    endWord();
    if (cmd.words.length || cmd.redirects.length) commands.push(cmd);
    cmd = { words: [], redirects: [], piped, processSubs: [] };
  };
  const add = (t: string) => (word = (word ?? '') + t);
  /** Consumes `$(...)` or `` `...` `` at i; returns the index after it. */
  const substitution = (i: number): number => {
    if (s[i] === '`') {
      let j = i + 1;
      while (j < s.length && s[j] !== '`') j += s[j] === '\\' ? 2 : 1;
      nested.push(s.slice(i + 1, j));
      add(s.slice(i, j + 1));
      return j + 1;
    }
    const end = closeParen(s, i + 2);
    nested.push(s.slice(i + 2, end - 1));
    add(s.slice(i, end));
    return end;
  };

  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const two = s.slice(i, i + 2);
    if (c === '\n') {
      endCommand(false);
      i++;
      // Here-document bodies follow the line that opened them.
      while (heredocs.length) {
        const delim = heredocs.shift()!;
        const nl = s.indexOf('\n', i);
        let end = nl === -1 ? s.length : nl;
        while (s.slice(i, end).trim() !== delim && end < s.length) {
          i = end + 1;
          const next = s.indexOf('\n', i);
          end = next === -1 ? s.length : next;
        }
        i = Math.min(s.length, end + 1);
      }
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '#' && word === null) {
      while (i < s.length && s[i] !== '\n') i++;
    } else if (c === '\\') {
      if (s[i + 1] !== '\n') add(s[i + 1] ?? '');
      i += 2;
    } else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      add(s.slice(i + 1, end === -1 ? s.length : end));
      i = end === -1 ? s.length : end + 1;
    } else if (c === '"') {
      add('');
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && '"\\$`'.includes(s[i + 1] ?? '')) {
          add(s[i + 1]!);
          i += 2;
        } else if (s.startsWith('$(', i) || s[i] === '`') i = substitution(i);
        else add(s[i++]!);
      }
      i++;
    } else if (two === '$(' || c === '`') {
      i = substitution(i);
    } else if ((two === '<(' || two === '>(') && word === null) {
      const end = closeParen(s, i + 2);
      cmd.processSubs.push(s.slice(i + 2, end - 1));
      nested.push(s.slice(i + 2, end - 1));
      add(s.slice(i, end));
      i = end;
    } else if (two === '&&' || two === '||' || two === '|&') {
      endCommand(two === '|&');
      i += 2;
    } else if (c === ';' || c === '(' || c === ')' || c === '|' || (c === '&' && s[i + 1] !== '>')) {
      endCommand(c === '|');
      i++;
    } else if (c === '>' || c === '<' || two === '&>') {
      // A word of digits right before is a file descriptor, not an argument.
      if (word !== null && /^\d+$/.test(word)) word = null;
      else endWord();
      const op = /^(?:&>>|&>|>>|>\||>&|<<<|<<-|<<|<>|<&|>|<)/.exec(s.slice(i))![0];
      i += op.length;
      if (op === '>&' || op === '<&') {
        // fd duplication (2>&1) names no file.
        while (i < s.length && /[0-9-]/.test(s[i]!)) i++;
      } else pendingOp = op;
    } else {
      add(c);
      i++;
    }
  }
  endCommand(false);
  return { commands, nested };
}
