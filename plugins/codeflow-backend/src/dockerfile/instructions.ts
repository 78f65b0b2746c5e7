/**
 * A Dockerfile as data: typed instructions, rendered by one renderer (`renderDockerfile`) that
 * writes every value the user gave as a quoted string (JSON in exec form, double-quoted with
 * Docker's escapes in ENV and LABEL) and refuses what no quoting can carry (a line break in an
 * ENV value, a `$` or quote in a path). No user text is ever pasted into a Dockerfile line.
 */

/** A value the build fills in from a build argument (`--build-arg NAME=...`), e.g. the commit. */
export interface ArgReference {
  arg: string;
}

/** A LABEL or ENV value: literal text, or a build argument's value. */
export type InstructionValue = string | ArgReference;

/** A numeric user and group (never a name: a name could be root in another image). */
export interface NumericUser {
  uid: number;
  gid: number;
}

/** One instruction of a Dockerfile. */
export type DockerfileInstruction =
  | { kind: 'comment'; text: string }
  | { kind: 'FROM'; image: string }
  | { kind: 'ARG'; name: string }
  | { kind: 'LABEL'; labels: Array<{ key: string; value: InstructionValue }> }
  | { kind: 'ENV'; vars: Array<{ name: string; value: string }> }
  | { kind: 'USER'; user: NumericUser }
  | { kind: 'WORKDIR'; path: string }
  | {
      kind: 'COPY';
      sources: string[];
      destination: string;
      chown?: NumericUser;
    }
  | { kind: 'RUN'; argv: string[] }
  | { kind: 'EXPOSE'; port: number }
  | { kind: 'ENTRYPOINT'; argv: string[] }
  | { kind: 'CMD'; argv: string[] };

/** A value the renderer cannot write safely: the Dockerfile is not produced. */
export class DockerfileValueError extends Error {
  name = 'DockerfileValueError';
}

/** An image reference: [host[:port]/]path[:tag][@sha256:digest], lower case, no spaces. */
const IMAGE_REFERENCE =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
/** what a path may hold where Docker expands variables (COPY, WORKDIR): no $, quotes, \ or spaces */
const PATH_CHARACTERS = /^[A-Za-z0-9._@+=,:~/-]+$/;
const SOURCE_CHARACTERS = /^[A-Za-z0-9._@+=,:~/*?-]+$/;
// eslint-disable-next-line no-control-regex
const UNQUOTABLE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function fail(what: string, value: string, why: string): never {
  // shown escaped, so the message is one line whatever the value holds
  const shown = jsonString(
    value.length > 60 ? `${value.slice(0, 60)}...` : value,
  );
  throw new DockerfileValueError(`${what} ${shown} ${why}`);
}

/**
 * A JSON string with every character outside printable ASCII, and every character a Dockerfile
 * or shell could read specially (`<` of a heredoc, `\``, `$`, `'`, `&`, `>`), written as a \u
 * escape: the line cannot break, continue or hold a heredoc marker, and any JSON reader (Docker's
 * included) reads back exactly the value.
 */
export function jsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ch = value[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c >= 0x20 && c < 0x7f && !"<>&`$'".includes(ch)) out += ch;
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** An exec-form argument list: `["a", "b"]`. */
function execForm(what: string, argv: string[]): string {
  if (argv.length === 0) return '[]';
  argv.forEach(a => {
    if (a.includes('\u0000')) fail(what, a, 'holds a NUL character');
  });
  return `[${argv.map(jsonString).join(', ')}]`;
}

/**
 * A double-quoted word as Docker's ENV and LABEL read it: `\`, `"` and `$` escaped (so `${X}` and
 * `$(...)` are text), and nothing that could end the line.
 */
function quoted(what: string, value: string): string {
  if (UNQUOTABLE_IN_LINE.test(value)) {
    fail(
      what,
      value,
      'holds a line break or control character, which a Dockerfile line cannot carry',
    );
  }
  return `"${value.replace(/[\\"$]/g, c => `\\${c}`)}"`;
}

function valueOf(what: string, value: InstructionValue): string {
  if (typeof value === 'string') return quoted(what, value);
  if (!NAME.test(value.arg)) fail('build argument', value.arg, 'is no name');
  return `"\${${value.arg}}"`;
}

/** the longest path the builder writes (the contract allows 1024 characters) */
const MAX_PATH = 4096;

function checkPath(what: string, path: string, pattern: RegExp): string {
  if (path.length > MAX_PATH) fail(what, path, `is longer than ${MAX_PATH}`);
  if (!pattern.test(path)) {
    fail(
      what,
      path,
      'may hold only letters, digits, / and . _ @ + = , : ~ - (no spaces, quotes, $ or \\)',
    );
  }
  return path;
}

function checkAbsolute(what: string, path: string): string {
  checkPath(what, path, PATH_CHARACTERS);
  if (
    !path.startsWith('/') ||
    (path !== '/' &&
      path
        .slice(1)
        .replace(/\/$/, '')
        .split('/')
        .some(s => s === '' || s === '.' || s === '..'))
  ) {
    fail(what, path, 'is not an absolute, normal path');
  }
  return path;
}

function checkRelative(what: string, path: string): string {
  checkPath(what, path, SOURCE_CHARACTERS);
  if (
    path.startsWith('/') ||
    path.startsWith('-') ||
    path.split('/').some(s => s === '' || s === '..')
  ) {
    fail(what, path, 'is not a relative path without ..');
  }
  return path;
}

function userOf({ uid, gid }: NumericUser): string {
  for (const id of [uid, gid]) {
    if (!Number.isInteger(id) || id < 0 || id > 2_147_483_647) {
      throw new DockerfileValueError(`user ${id} is no numeric id`);
    }
  }
  return `${uid}:${gid}`;
}

function renderInstruction(i: DockerfileInstruction): string {
  switch (i.kind) {
    case 'comment':
      // constant text of the platform's, never a user's: still one line
      if (UNQUOTABLE_IN_LINE.test(i.text)) {
        fail('comment', i.text, 'is more than one line');
      }
      return `# ${i.text}`;
    case 'FROM':
      if (!IMAGE_REFERENCE.test(i.image)) {
        fail('image', i.image, 'is no image reference');
      }
      return `FROM ${i.image}`;
    case 'ARG':
      if (!NAME.test(i.name)) fail('build argument', i.name, 'is no name');
      return `ARG ${i.name}`;
    case 'LABEL':
      return `LABEL ${i.labels
        .map(({ key, value }) => {
          if (!LABEL_KEY.test(key)) fail('label', key, 'is no label key');
          return `${quoted('label', key)}=${valueOf(`label ${key}`, value)}`;
        })
        .join(' ')}`;
    case 'ENV':
      return `ENV ${i.vars
        .map(({ name, value }) => {
          if (!NAME.test(name)) {
            fail('environment variable', name, 'is no variable name');
          }
          return `${name}=${quoted(`the value of ${name}`, value)}`;
        })
        .join(' ')}`;
    case 'USER':
      return `USER ${userOf(i.user)}`;
    case 'WORKDIR':
      return `WORKDIR ${quoted('path', checkAbsolute('workdir', i.path))}`;
    case 'COPY': {
      const chown = i.chown ? `--chown=${userOf(i.chown)} ` : '';
      const paths = [
        ...i.sources.map(s => checkRelative('source', s)),
        checkAbsolute('destination', i.destination),
      ];
      return `COPY ${chown}${execForm('path', paths)}`;
    }
    case 'RUN':
      if (i.argv.length === 0)
        throw new DockerfileValueError('RUN runs nothing');
      return `RUN ${execForm('argument', i.argv)}`;
    case 'EXPOSE':
      if (!Number.isInteger(i.port) || i.port < 1 || i.port > 65535) {
        throw new DockerfileValueError(`port ${i.port} is not 1-65535`);
      }
      return `EXPOSE ${i.port}`;
    case 'ENTRYPOINT':
      if (i.argv.length === 0) {
        throw new DockerfileValueError('ENTRYPOINT starts nothing');
      }
      return `ENTRYPOINT ${execForm('argument', i.argv)}`;
    case 'CMD':
      return `CMD ${execForm('argument', i.argv)}`;
    default: {
      const never: never = i;
      throw new DockerfileValueError(`unknown instruction ${never}`);
    }
  }
}

/**
 * The longest line the renderer writes, in bytes. BuildKit reads a Dockerfile line by line with
 * Go's bufio.Scanner, whose lines end at 64 KiB ("token too long"): a longer line would fail the
 * build, so it is refused here, with room to spare.
 */
export const MAX_LINE_BYTES = 60_000;

/** The Dockerfile's text: one line per instruction, ending in a newline. */
export function renderDockerfile(
  instructions: DockerfileInstruction[],
): string {
  if (instructions.find(i => i.kind !== 'comment')?.kind !== 'FROM') {
    throw new DockerfileValueError('a Dockerfile starts FROM an image');
  }
  const lines = instructions.map(i => {
    const line = renderInstruction(i);
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > MAX_LINE_BYTES) {
      throw new DockerfileValueError(
        `the ${i.kind} line would be ${bytes} bytes, more than the ${MAX_LINE_BYTES} a Dockerfile line may have: shorten its values`,
      );
    }
    return line;
  });
  return `${lines.join('\n')}\n`;
}
