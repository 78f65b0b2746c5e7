import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What promtool said about a rule file: nothing (it passed) or its complaint. */
export interface PromtoolResult {
  ok: boolean;
  output: string;
}

/**
 * Runs the real `promtool check rules` on a rule file's text, in a folder of its own that is
 * removed afterwards (nothing reaches a Prometheus' folder before it passed).
 */
export async function promtoolCheckRules(
  promtool: string,
  text: string,
): Promise<PromtoolResult> {
  const dir = await mkdtemp(join(tmpdir(), 'cc-rules-check-'));
  try {
    const file = join(dir, 'rules.yml');
    await writeFile(file, text, 'utf8');
    try {
      const { stdout, stderr } = await run(promtool, ['check', 'rules', file], {
        timeout: 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      return { ok: true, output: `${stdout}${stderr}` };
    } catch (error) {
      const e = error as {
        code?: string | number;
        stdout?: string;
        stderr?: string;
      };
      if (e.code === 'ENOENT') {
        throw new Error(
          `promtool was not found at '${promtool}' (containerCloud.alerts.promtool)`,
        );
      }
      return {
        ok: false,
        output: `${e.stderr ?? ''}${e.stdout ?? ''}`
          .split(file)
          .join('rules.yml')
          .trim(),
      };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The rule a promtool complaint is about, by its position in the group ("rule 3" counts from 1
 * in its group, the version record being the first), and whether it is about the expression.
 */
export function promtoolProblemPosition(output: string): {
  index?: number;
  aboutExpression: boolean;
} {
  const match = /rule (\d+)/.exec(output);
  return {
    index: match ? Number(match[1]) - 1 : undefined,
    aboutExpression: /expr|parse|query|expression/i.test(output),
  };
}
