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

/**
 * Writes a node's files into its conf directory, each atomically (a temporary file renamed over
 * the old one), removes files this plugin wrote earlier that the version no longer has, and runs
 * the reload command. Files not written by this plugin are never touched.
 */
export async function deliverToNode(
  node: NginxNode,
  files: Record<string, string>,
  timeoutMs = 30_000,
): Promise<NodeResult> {
  try {
    await mkdir(node.confDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      const target = join(node.confDir, name);
      const temporary = join(
        node.confDir,
        `.${name}.${randomBytes(6).toString('hex')}.tmp`,
      );
      await writeFile(temporary, text);
      await rename(temporary, target);
    }
    for (const name of await readdir(node.confDir)) {
      const path = join(node.confDir, name);
      if (
        name.endsWith('.conf') &&
        !(name in files) &&
        (await isManaged(path))
      ) {
        await rm(path);
      }
    }
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
