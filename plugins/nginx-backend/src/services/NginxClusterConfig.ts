import type { Config } from '@backstage/config';

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

export interface NginxConfig {
  binary: string;
  /** how long `nginx -t` may take */
  checkTimeoutSeconds?: number;
  clusters: NginxCluster[];
  testEnvironments?: TestEnvironmentsConfig;
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
          },
        }
      : {}),
  };
}
