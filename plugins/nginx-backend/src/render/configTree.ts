/**
 * A node of an nginx configuration: a simple directive (`name args;`) or a block
 * (`name args { children }`). Nodes are built only by this package's builders, from validated
 * input; the serializer still refuses anything that could break out of one token.
 */
export interface Directive {
  name: string;
  args: string[];
  children?: Directive[];
  /** the input field this line came from, for tying `nginx -t` errors to a field */
  field?: string;
}

/** The rendered text and, for each line (index = line - 1), the field it came from. */
export interface RenderedConfig {
  text: string;
  lineFields: Array<string | undefined>;
}

/** Every directive the builders may emit. Nothing else ever reaches a file. */
export const ALLOWED_DIRECTIVES = new Set([
  'upstream',
  'server',
  'split_clients',
  'map',
  'default',
  'listen',
  'server_name',
  'location',
  'proxy_pass',
  'proxy_set_header',
]);

// one nginx token, unquoted: no whitespace, quotes, braces, semicolons, '#' or backslashes.
// '$' is allowed because the builders reference nginx variables; user input never carries it.
const SAFE_TOKEN = /^[A-Za-z0-9._~/:*=%$@-]{1,512}$/;
// map/split_clients entries use their first token as a key: any safe token is accepted there
const SAFE_KEY = /^[A-Za-z0-9._~/:*=%$@-]{1,512}$/;

// keys that would change what a `map` block does (`include` reads another file)
const TABLE_RESERVED = new Set(['include', 'hostnames', 'volatile']);

/** Thrown when a tree holds something the serializer will not write: a bug in a builder. */
export class UnsafeConfigError extends Error {}

function checkNode(node: Directive, parentIsTable: boolean) {
  if (!parentIsTable && !ALLOWED_DIRECTIVES.has(node.name)) {
    throw new UnsafeConfigError(`directive '${node.name}' is not allowed`);
  }
  if (
    parentIsTable &&
    (!SAFE_KEY.test(node.name) || TABLE_RESERVED.has(node.name))
  ) {
    throw new UnsafeConfigError(`unsafe table key '${node.name}'`);
  }
  for (const arg of node.args) {
    if (!SAFE_TOKEN.test(arg)) {
      throw new UnsafeConfigError(
        `unsafe argument '${arg}' for directive '${node.name}'`,
      );
    }
  }
}

/** Directives whose block holds key → value entries rather than directives. */
const TABLE_BLOCKS = new Set(['split_clients', 'map']);

/**
 * Serializes a tree. `header` lines are written as comments and must be plain ASCII words.
 */
export function renderConfig(
  nodes: Directive[],
  header: string[] = [],
): RenderedConfig {
  const lines: string[] = [];
  const lineFields: Array<string | undefined> = [];
  for (const comment of header) {
    if (!/^[A-Za-z0-9 .,:_/-]*$/.test(comment)) {
      throw new UnsafeConfigError(`unsafe comment '${comment}'`);
    }
    lines.push(`# ${comment}`);
    lineFields.push(undefined);
  }

  function emit(
    list: Directive[],
    depth: number,
    inTable: boolean,
    inherited: string | undefined,
  ) {
    const indent = '    '.repeat(depth);
    for (const node of list) {
      checkNode(node, inTable);
      const field = node.field ?? inherited;
      const head = [node.name, ...node.args].join(' ');
      if (node.children) {
        lines.push(`${indent}${head} {`);
        lineFields.push(field);
        emit(node.children, depth + 1, TABLE_BLOCKS.has(node.name), field);
        lines.push(`${indent}}`);
        lineFields.push(field);
      } else {
        lines.push(`${indent}${head};`);
        lineFields.push(field);
      }
    }
  }

  emit(nodes, 0, false, undefined);
  return { text: `${lines.join('\n')}\n`, lineFields };
}
