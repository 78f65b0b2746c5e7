import { InputError } from '@backstage/errors';
import {
  ConfigFileFormat,
  configFileFormat,
  MAX_CONFIG_FILES_BYTES,
} from '@internal/plugin-container-cloud-common';
import { XMLValidator } from 'fast-xml-parser';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';

/** Where a file does not parse: a line (1-based) and what the parser said. */
export interface ParseProblem {
  line: number;
  column?: number;
  message: string;
}

function lineOfOffset(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function checkYaml(text: string): ParseProblem | undefined {
  for (const doc of parseAllDocuments(text)) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      return {
        line: pos?.line ?? 1,
        column: pos?.col,
        message: error.message
          .split('\n')[0]
          .replace(/ at line \d+, column \d+:?$/, ''),
      };
    }
  }
  return undefined;
}

function checkJson(text: string): ParseProblem | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const where = position
      ? lineOfOffset(text, Number(position[1]))
      : lineOfOffset(text, text.length);
    return {
      ...where,
      message: message.replace(/ in JSON at position \d+.*$/, ''),
    };
  }
}

function checkToml(text: string): ParseProblem | undefined {
  try {
    parseToml(text);
    return undefined;
  } catch (error) {
    const e = error as { line?: number; column?: number; message: string };
    return {
      line: e.line ?? 1,
      column: e.column,
      message: e.message.split('\n')[0].replace(/^Invalid TOML document: /, ''),
    };
  }
}

function checkXml(text: string): ParseProblem | undefined {
  const result = XMLValidator.validate(text);
  if (result === true) return undefined;
  return {
    line: result.err.line,
    column: result.err.col,
    message: result.err.msg,
  };
}

/** INI as most readers take it: sections, `key = value` or `key: value`, `;`/`#` comments. */
function checkIni(text: string): ParseProblem | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (!/^\[[^\[\]]+\]\s*([;#].*)?$/.test(line)) {
        return { line: i + 1, message: 'a section header is [name]' };
      }
      continue;
    }
    const separator = line.search(/[=:]/);
    if (separator <= 0) {
      return {
        line: i + 1,
        message: 'expected key = value, a [section] or a ; comment',
      };
    }
  }
  return undefined;
}

/**
 * Java properties: every line is valid but a broken escape (`\u` without four hex digits) and a
 * continuation (`\` at the end) with nothing after it.
 */
function checkProperties(text: string): ParseProblem | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const trimmed = line.trimStart();
    if (trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
    const escape = /\\u(?![0-9a-fA-F]{4})/.exec(line.replace(/\\\\/g, '  '));
    if (escape) {
      return {
        line: i + 1,
        column: escape.index + 1,
        message: 'a \\u escape needs four hexadecimal digits',
      };
    }
    const continues = /(^|[^\\])(\\\\)*\\$/.test(line);
    if (continues && i === lines.length - 1) {
      return {
        line: i + 1,
        message: 'the line ends with \\ (continued) but the file ends there',
      };
    }
  }
  return undefined;
}

const CHECKS: Record<
  ConfigFileFormat,
  (text: string) => ParseProblem | undefined
> = {
  yaml: checkYaml,
  json: checkJson,
  toml: checkToml,
  xml: checkXml,
  ini: checkIni,
  properties: checkProperties,
  text: () => undefined,
};

/** What is wrong with one file's text, by its format; undefined when it parses. */
export function parseProblem(
  fileName: string,
  text: string,
): ParseProblem | undefined {
  return CHECKS[configFileFormat(fileName)](text);
}

/** The bytes a ConfigMap with these files holds, as Kubernetes counts them (keys and values). */
export function dataBytes(files: Record<string, string>): number {
  return Object.entries(files).reduce(
    (sum, [name, text]) =>
      sum + Buffer.byteLength(name) + Buffer.byteLength(text),
    0,
  );
}

/**
 * Refuses (400, saving nothing) files that do not parse as their extension says, naming the file
 * and the line, and sets larger than a ConfigMap holds.
 */
export function validateFiles(files: Record<string, string>): void {
  const problems = Object.entries(files).flatMap(([name, text]) => {
    const problem = parseProblem(name, text);
    if (!problem) return [];
    const column = problem.column ? `, column ${problem.column}` : '';
    return [
      `${name} line ${problem.line}${column}: not valid ${configFileFormat(
        name,
      ).toUpperCase()} (${problem.message})`,
    ];
  });
  if (problems.length > 0) {
    throw new InputError(`nothing was saved: ${problems.join('; ')}`);
  }
  const bytes = dataBytes(files);
  if (bytes > MAX_CONFIG_FILES_BYTES) {
    throw new InputError(
      `nothing was saved: the files come to ${bytes} bytes, and a ConfigMap or Secret holds at most ${MAX_CONFIG_FILES_BYTES} bytes (1 MiB) of names and text; split the set or shrink the files`,
    );
  }
}
