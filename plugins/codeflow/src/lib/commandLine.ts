/**
 * A command as a person writes it on one line, and the argv list the backend keeps (it never
 * runs a shell string). Words split at spaces; "double" or 'single' quotes keep spaces inside
 * one argument; a backslash keeps the next character as it is. Nothing else is special: `$X`,
 * `&&` or `|` are plain arguments (for a shell, write `sh -c "…"`).
 */

/** The arguments of one line, or why it cannot be read. */
export type ParsedLine = { argv: string[] } | { error: string };

export function parseCommandLine(line: string): ParsedLine {
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) {
        current += line[++i];
      } else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) {
        return { error: 'a \\ at the end of the line escapes nothing' };
      }
      current += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) return { error: `the ${quote} quote is not closed` };
  if (inWord) argv.push(current);
  return { argv };
}

/** One argument written so that {@link parseCommandLine} reads it back as it is. */
export function quoteArgument(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./~-]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

/** An argv list as one line. */
export function formatCommand(argv: string[]): string {
  return argv.map(quoteArgument).join(' ');
}

/** A list of commands as lines, one command each. */
export function formatCommands(commands: string[][] | undefined): string {
  return (commands ?? []).map(formatCommand).join('\n');
}

/** The commands of a text (blank lines skipped), or the first line that cannot be read. */
export function parseCommands(
  text: string,
): { commands: string[][] } | { error: string } {
  const commands: string[][] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const parsed = parseCommandLine(line);
    if ('error' in parsed) return { error: `line ${i + 1}: ${parsed.error}` };
    commands.push(parsed.argv);
  }
  return { commands };
}
