import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactUrl } from '@internal/plugin-container-cloud-node';
import type { PrometheusTarget } from './rulesConfig';
import { VERSION_RECORD } from './render';

/** A Prometheus API URL, with credentials in the configured URL sent as basic auth. */
function endpoint(base: string, path: string) {
  const url = new URL(base);
  const headers: Record<string, string> = {};
  if (url.username || url.password) {
    headers.Authorization = `Basic ${Buffer.from(
      `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
    ).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const [pathname, search] = path.split('?');
  url.pathname = `${url.pathname.replace(/\/$/, '')}/${pathname}`;
  if (search) url.search = search;
  return { url: url.toString(), headers };
}

async function call(
  prometheus: PrometheusTarget,
  path: string,
  init: { method: 'GET' | 'POST'; timeoutMs?: number },
): Promise<Response> {
  const { url, headers } = endpoint(prometheus.url, path);
  try {
    return await fetch(url, {
      method: init.method,
      headers,
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    throw new Error(
      `Prometheus ${prometheus.name} at ${redactUrl(
        prometheus.url,
      )} could not be reached (${cause?.code ?? (error as Error).name})`,
    );
  }
}

/**
 * Writes a rule file into a Prometheus' rule folder atomically: a temporary file beside it (a
 * name its `*.yml` glob does not match), then a rename, so Prometheus never reads half a file.
 */
export async function writeRuleFile(
  rulesDir: string,
  fileName: string,
  text: string,
): Promise<void> {
  const temporary = join(
    rulesDir,
    `.${fileName}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temporary, text, { encoding: 'utf8', mode: 0o644 });
    await rename(temporary, join(rulesDir, fileName));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function reloadOnce(prometheus: PrometheusTarget) {
  // a reload parses every rule file: with 10,000 rules it takes seconds (bench/alerts/rules.ts)
  const response = await call(prometheus, '-/reload', {
    method: 'POST',
    timeoutMs: 120_000,
  });
  if (!response.ok) {
    const text = (await response.text().catch(() => '')).slice(0, 500);
    throw new Error(
      `Prometheus ${prometheus.name} refused the reload (${response.status}${
        text ? `: ${text.trim()}` : ''
      })`,
    );
  }
}

/** Per Prometheus URL: the reload running now, and the one that follows it. */
const reloads = new Map<
  string,
  { running: Promise<void>; next?: Promise<void> }
>();

/**
 * Asks Prometheus to read its configuration and rule files again (`POST /-/reload`). Changes
 * that come while a reload runs share the one reload that follows it: each caller's file,
 * written before it called, is read by the reload its promise waits for, and a burst of saves
 * costs two reloads, not one each.
 */
export function reloadPrometheus(prometheus: PrometheusTarget): Promise<void> {
  const key = prometheus.url;
  const current = reloads.get(key);
  if (!current) {
    const running = reloadOnce(prometheus).finally(() => {
      const state = reloads.get(key);
      if (state?.running === running && !state.next) reloads.delete(key);
    });
    reloads.set(key, { running });
    return running;
  }
  if (!current.next) {
    const next = current.running
      .catch(() => undefined)
      .then(() => {
        const running = reloadOnce(prometheus);
        reloads.set(key, { running });
        return running.finally(() => {
          if (reloads.get(key)?.running === running && !reloads.get(key)?.next)
            reloads.delete(key);
        });
      });
    current.next = next;
  }
  return current.next;
}

/**
 * The version of every service's rules a Prometheus evaluates now, by group name, read from its
 * rules API (the `cc_alert_rules_version` record of each group).
 */
export async function loadedVersions(
  prometheus: PrometheusTarget,
): Promise<Map<string, number>> {
  // recording rules only: the version records, not every alerting rule of every service
  const response = await call(prometheus, 'api/v1/rules?type=record', {
    method: 'GET',
  });
  const payload = (await response.json().catch(() => undefined)) as
    | {
        status?: string;
        data?: {
          groups?: Array<{
            name: string;
            rules: Array<{ type: string; name: string; query: string }>;
          }>;
        };
      }
    | undefined;
  if (!response.ok || payload?.status !== 'success') {
    throw new Error(
      `Prometheus ${prometheus.name} answered ${response.status} on its rules API`,
    );
  }
  const versions = new Map<string, number>();
  for (const group of payload.data?.groups ?? []) {
    const record = group.rules.find(
      r => r.type === 'recording' && r.name === VERSION_RECORD,
    );
    const match = record && /^vector\((\d+)\)$/.exec(record.query.trim());
    if (match) versions.set(group.name, Number(match[1]));
  }
  return versions;
}

/** The names of the series a Prometheus has (the metric catalogue's availability). */
export async function seriesNames(
  prometheus: PrometheusTarget,
): Promise<Set<string>> {
  const response = await call(prometheus, 'api/v1/label/__name__/values', {
    method: 'GET',
  });
  const payload = (await response.json().catch(() => undefined)) as
    | { status?: string; data?: string[] }
    | undefined;
  if (!response.ok || payload?.status !== 'success') {
    throw new Error(
      `Prometheus ${prometheus.name} answered ${response.status} on its label API`,
    );
  }
  return new Set(payload.data ?? []);
}
