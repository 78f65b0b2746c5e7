import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeResult } from '@internal/plugin-container-cloud-common';
import { MANAGED_MARKER } from '../render';
import type { NginxCluster, NginxNode } from './NginxClusterConfig';

async function isManaged(path: string) {
  try {
    const text = await readFile(path, 'utf8');
    return text.startsWith(`# ${MANAGED_MARKER}\n`);
  } catch {
    return false;
  }
}

function run(argv: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise(resolve => {
    execFile(
      argv[0],
      argv.slice(1),
      { timeout: timeoutMs },
      (error, _stdout, stderr) => {
        resolve(
          error
            ? `${(String(stderr).trim() || error.message)
                .replace(/\s+/g, ' ')
                .trim()} (exit ${error.code ?? error.signal})`
            : undefined,
        );
      },
    );
  });
}

/** Runs `work` on every item, at most `FILE_CONCURRENCY` at a time; fails with the first failure. */
const FILE_CONCURRENCY = 16;
async function eachAtOnce<T>(items: T[], work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from(
      { length: Math.min(FILE_CONCURRENCY, items.length) },
      async () => {
        while (next < items.length) await work(items[next++]);
      },
    ),
  );
}

/**
 * Writes a node's files into its conf directory, each atomically (a temporary file renamed over
 * the old one) unless the file already holds that text, removes files this plugin wrote earlier that the version no longer has, and runs
 * the reload command. Files not written by this plugin are never touched.
 */
export async function deliverToNode(
  node: NginxNode,
  files: Record<string, string>,
  timeoutMs = 30_000,
): Promise<NodeResult> {
  try {
    await mkdir(node.confDir, { recursive: true });
    await eachAtOnce(Object.entries(files), async ([name, text]) => {
      const target = join(node.confDir, name);
      // a file that already holds the text is left as it is: a publish of 10,000 domains
      // rewrites the few that changed, not all of them
      if ((await readFile(target, 'utf8').catch(() => undefined)) === text) {
        return;
      }
      const temporary = join(
        node.confDir,
        `.${name}.${randomBytes(6).toString('hex')}.tmp`,
      );
      await writeFile(temporary, text);
      await rename(temporary, target);
    });
    await eachAtOnce(await readdir(node.confDir), async name => {
      const path = join(node.confDir, name);
      if (
        name.endsWith('.conf') &&
        !(name in files) &&
        (await isManaged(path))
      ) {
        await rm(path);
      }
    });
  } catch (error) {
    return {
      node: node.name,
      ok: false,
      message: `writing files failed: ${error}`,
    };
  }
  const failure = await run(node.reloadCommand, timeoutMs);
  return failure
    ? { node: node.name, ok: false, message: `reload failed: ${failure}` }
    : { node: node.name, ok: true, message: 'written and reloaded' };
}

/**
 * Delivers to every node of a cluster at once. A node that fails is tried again
 * (`deliveryRetries` times, `retryDelayMs` apart); the others keep the new version either way.
 */
export async function deliver(
  cluster: NginxCluster,
  files: Record<string, string>,
  retryDelayMs = 1000,
): Promise<NodeResult[]> {
  return Promise.all(
    cluster.nodes.map(async node => {
      const timeoutMs = cluster.reloadTimeoutSeconds * 1000;
      let result = await deliverToNode(node, files, timeoutMs);
      let attempts = 1;
      while (!result.ok && attempts <= cluster.deliveryRetries) {
        await new Promise(resolve => setTimeout(resolve, retryDelayMs));
        result = await deliverToNode(node, files, timeoutMs);
        attempts++;
      }
      return attempts > 1 ? { ...result, attempts } : result;
    }),
  );
}
