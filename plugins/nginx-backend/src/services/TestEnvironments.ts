import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import {
  Domain,
  domainSchema,
  KUBERNETES_ID_LABEL,
  TestEnvironmentSyncResult,
} from '@internal/plugin-container-cloud-common';
import type { V1Service } from '@kubernetes/client-node';
import type { TestEnvironmentsConfig } from './NginxClusterConfig';
import type { NginxService } from './NginxService';

/**
 * Domains made by the test environment sync carry this prefix; the sync owns them.
 * @public
 */
export const TEST_ENVIRONMENT_PREFIX = 'testenv-';
export const TEST_ENVIRONMENTS_ACTOR = 'plugin:nginx/test-environments';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A Kubernetes Service that serves a catalog Component (by its kubernetes-id label). */
export interface FoundService {
  cluster: string;
  namespace: string;
  name: string;
  kubernetesId: string;
  /** the endpoint port to use: the Service port's name, or its numeric target port */
  port: number | string;
}

export type { TestEnvironmentSyncResult };

function endpointPort(service: V1Service): number | string | undefined {
  const port = service.spec?.ports?.[0];
  if (!port) return undefined;
  if (port.name) return port.name;
  if (typeof port.targetPort === 'number') return port.targetPort;
  if (port.targetPort === undefined) return port.port;
  return undefined;
}

/** Every Service labelled with a kubernetes-id, in every cluster, first cluster first. */
export async function findServices(
  clusters: ContainerCloudClustersService,
): Promise<FoundService[]> {
  const found: FoundService[] = [];
  for (const cluster of clusters.names) {
    const list = await clusters
      .connection(cluster)
      .core.listServiceForAllNamespaces({
        labelSelector: KUBERNETES_ID_LABEL,
      });
    const services = [...list.items].sort((a, b) =>
      `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
        `${b.metadata?.namespace}/${b.metadata?.name}`,
      ),
    );
    for (const service of services) {
      const port = endpointPort(service);
      const kubernetesId = service.metadata?.labels?.[KUBERNETES_ID_LABEL];
      if (port === undefined || !kubernetesId) continue;
      found.push({
        cluster,
        namespace: service.metadata!.namespace!,
        name: service.metadata!.name!,
        kubernetesId,
        port,
      });
    }
  }
  return found;
}

/** The test environment domain of one service, or undefined when its names cannot make one. */
export function testEnvironmentDomain(
  config: TestEnvironmentsConfig,
  ownerRef: string,
  service: FoundService,
): Domain | undefined {
  const id = service.kubernetesId;
  if (!SLUG.test(id)) return undefined;
  const name = `${TEST_ENVIRONMENT_PREFIX}${id}`
    .slice(0, 63)
    .replace(/-+$/, '');
  const parsed = domainSchema.safeParse({
    name,
    cluster: config.cluster,
    owner: ownerRef,
    serverNames: [`${id}.${config.environment}.${config.wildcardDomain}`],
    listen: [
      config.address
        ? { address: config.address, port: config.port }
        : { port: config.port },
    ],
    upstreams: [
      {
        name: 'app',
        members: [],
        kubernetes: [
          {
            cluster: service.cluster,
            namespace: service.namespace,
            service: service.name,
            port: service.port,
          },
        ],
      },
    ],
    locations: [{ path: '/', upstream: 'app' }],
  });
  return parsed.success ? parsed.data : undefined;
}

/**
 * Test environments: every catalog Component with a `backstage.io/kubernetes-id` annotation whose
 * Service exists in a cluster gets `<service>.<environment>.<wildcard domain>` on the designated
 * nginx cluster. Domains of services that are gone are removed. Changes are published together.
 */
export class TestEnvironments {
  constructor(
    private readonly config: TestEnvironmentsConfig,
    private readonly nginx: NginxService,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly services: () => Promise<FoundService[]>,
    private readonly logger: LoggerService,
  ) {
    nginx.cluster(config.cluster);
  }

  async sync(): Promise<TestEnvironmentSyncResult> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'Component' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
        ],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const services = await this.services();
    const desired = new Map<string, Domain>();
    for (const entity of items) {
      const id = entity.metadata.annotations?.[KUBERNETES_ID_LABEL];
      const service = services.find(s => s.kubernetesId === id);
      if (!service) continue;
      const domain = testEnvironmentDomain(
        this.config,
        stringifyEntityRef(entity),
        service,
      );
      if (!domain) {
        this.logger.warn(
          `no test environment for ${stringifyEntityRef(
            entity,
          )}: '${id}' makes no valid domain`,
        );
      } else if (!desired.has(domain.name)) {
        desired.set(domain.name, domain);
      }
    }

    const existing = new Map(
      (await this.nginx.listDomains(this.config.cluster))
        .filter(d => d.name.startsWith(TEST_ENVIRONMENT_PREFIX))
        .map(d => [d.name, d]),
    );
    const added = [...desired.keys()].filter(n => !existing.has(n));
    const updated = [...desired.keys()].filter(
      n =>
        existing.has(n) &&
        JSON.stringify(existing.get(n)) !== JSON.stringify(desired.get(n)),
    );
    const removed = [...existing.keys()].filter(n => !desired.has(n));
    const parts = [
      added.length ? `added ${added.join(', ')}` : '',
      updated.length ? `updated ${updated.join(', ')}` : '',
      removed.length ? `removed ${removed.join(', ')}` : '',
    ].filter(Boolean);
    const publish = await this.nginx.publishOnTop(
      this.config.cluster,
      {
        save: [...added, ...updated].map(n => desired.get(n)!),
        remove: removed,
      },
      `test environments: ${parts.join('; ') || 'unchanged'}`,
      TEST_ENVIRONMENTS_ACTOR,
    );
    return { added, updated, removed, ...(publish ? { publish } : {}) };
  }
}
