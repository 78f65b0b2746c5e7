import { readDurationFromConfig } from '@backstage/config';
import type { Config } from '@backstage/config';

/** A Backstage duration, e.g. `{ minutes: 5 }` (the scheduler takes it as it is). */
export type Duration = ReturnType<typeof readDurationFromConfig>;

/** One nginx node: where its files go and how it reloads. */
export interface NginxNode {
  name: string;
  confDir: string;
  /** argv, run without a shell */
  reloadCommand: string[];
}

/** An nginx cluster as configured: its nodes, each delivered to on its own. */
export interface NginxCluster {
  name: string;
  environment: string;
  nodes: NginxNode[];
  /** further tries for a node whose delivery failed, 1 s apart */
  deliveryRetries: number;
  /** how long a reload command may take (nginx parses the whole config first) */
  reloadTimeoutSeconds: number;
}

/** Test environments: `<service>.<environment>.<wildcardDomain>` on one cluster. */
export interface TestEnvironmentsConfig {
  cluster: string;
  wildcardDomain: string;
  environment: string;
  /** the port the test environment servers listen on */
  port: number;
  /** the IPv4 address they listen on; all addresses when unset */
  address?: string;
}

/** The test environments as configured: the domains' settings and how often they are synced. */
export interface TestEnvironmentsSettings extends TestEnvironmentsConfig {
  /** how often the scheduler syncs them (on one replica) */
  frequency: Duration;
}

export interface NginxConfig {
  binary: string;
  /** how long `nginx -t` may take */
  checkTimeoutSeconds?: number;
  clusters: NginxCluster[];
  testEnvironments?: TestEnvironmentsSettings;
}

/** The test environment sync's frequency when none is configured. */
export const DEFAULT_TEST_ENVIRONMENTS_FREQUENCY: Duration = { minutes: 5 };

const DURATION_UNIT_MS: Record<string, number> = {
  years: 365 * 86_400_000,
  months: 30 * 86_400_000,
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
};

/** A duration in milliseconds (a month as 30 days, a year as 365). */
export function durationMs(duration: Duration): number {
  return Object.entries(duration).reduce(
    (sum, [unit, value]) =>
      sum + (DURATION_UNIT_MS[unit] ?? 0) * (Number(value) || 0),
    0,
  );
}

function readFrequency(test: Config): Duration {
  const key = 'containerCloud.nginx.testEnvironments.frequency';
  if (!test.has('frequency')) return DEFAULT_TEST_ENVIRONMENTS_FREQUENCY;
  let frequency: Duration;
  try {
    frequency = readDurationFromConfig(test, { key: 'frequency' });
  } catch (error) {
    throw new Error(
      `${key}: not a duration (e.g. { seconds: 30 }, { minutes: 5 } or 'PT5M'): ${
        (error as Error).message
      }`,
    );
  }
  if (!(durationMs(frequency) >= 1000)) {
    throw new Error(`${key}: at least one second, e.g. { seconds: 5 }`);
  }
  return frequency;
}

const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function readNode(where: string, c: Config, name: string): NginxNode {
  const reloadCommand = c.getStringArray('reloadCommand');
  if (reloadCommand.length === 0) {
    throw new Error(`${where}: reloadCommand is empty`);
  }
  return { name, confDir: c.getString('confDir'), reloadCommand };
}

/** Reads `containerCloud.nginx` once, at start-up; mistakes name the entry at fault. */
export function readNginxConfig(config: Config): NginxConfig {
  const nginx = config.getOptionalConfig('containerCloud.nginx');
  const clusters = (nginx?.getOptionalConfigArray('clusters') ?? []).map(c => {
    const name = c.getString('name');
    const where = `containerCloud.nginx.clusters '${name}'`;
    if (!NAME.test(name)) {
      throw new Error(
        `${where}: a cluster name is lowercase letters, digits and '-'`,
      );
    }
    const nodeConfigs = c.getOptionalConfigArray('nodes');
    let nodes: NginxNode[];
    if (nodeConfigs) {
      nodes = nodeConfigs.map(n => {
        const nodeName = n.getString('name');
        return readNode(`${where} node '${nodeName}'`, n, nodeName);
      });
    } else {
      nodes = [readNode(where, c, name)];
    }
    if (nodes.length === 0) throw new Error(`${where}: no nodes`);
    return {
      name,
      environment: c.getOptionalString('environment') ?? 'default',
      nodes,
      deliveryRetries: c.getOptionalNumber('deliveryRetries') ?? 2,
      reloadTimeoutSeconds: c.getOptionalNumber('reloadTimeoutSeconds') ?? 120,
    };
  });
  const test = nginx?.getOptionalConfig('testEnvironments');
  return {
    binary: nginx?.getOptionalString('binary') ?? '/usr/sbin/nginx',
    checkTimeoutSeconds: nginx?.getOptionalNumber('checkTimeoutSeconds') ?? 120,
    clusters,
    ...(test
      ? {
          testEnvironments: {
            cluster: test.getString('cluster'),
            wildcardDomain: test.getString('wildcardDomain'),
            environment: test.getOptionalString('environment') ?? 'test',
            port: test.getOptionalNumber('port') ?? 80,
            address: test.getOptionalString('address'),
            frequency: readFrequency(test),
          },
        }
      : {}),
  };
}
