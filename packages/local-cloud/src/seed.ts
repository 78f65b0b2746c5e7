import { loadAllYaml } from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { LocalCloudError } from './errors';
import { KubeRest } from './kubeRest';
import { EXAMPLE_REGISTRY_HOST, EXAMPLE_TAGS } from './registry';

/** The example catalog shipped with the repository: examples/entities.yaml above the working folder. */
export function findExampleCatalog(from = process.cwd()): string {
  if (process.env.LOCAL_CLOUD_ENTITIES) return process.env.LOCAL_CLOUD_ENTITIES;
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'examples', 'entities.yaml');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new LocalCloudError(
        `no examples/entities.yaml in ${from} or above it: run from the repository or pass --entities FILE`,
      );
    }
  }
}

export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/** @public */
export interface SeedResult {
  service: string;
  namespace: string;
  clusters: string[];
  replicas: number;
}

interface ServiceEntity {
  name: string;
  kubernetesId: string;
  namespace: string;
  type: string;
}

async function readServices(file: string): Promise<ServiceEntity[]> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new LocalCloudError(`cannot read the example catalog ${file}`);
  }
  return loadAllYaml(text)
    .filter(
      (e: any) =>
        e?.kind === 'Component' &&
        e.metadata?.annotations?.[KUBERNETES_ID_LABEL],
    )
    .map((e: any) => ({
      name: e.metadata.name,
      kubernetesId: e.metadata.annotations[KUBERNETES_ID_LABEL],
      namespace: String(e.spec?.system ?? 'default'),
      type: String(e.spec?.type ?? 'service'),
    }));
}

/**
 * Which clusters run a service: every other service runs in all clusters (a multi-cluster
 * service); the rest alternate, so each cluster holds services the other lacks.
 */
export function placeServices<T>(
  services: T[],
  clusters: string[],
): Array<[T, string[]]> {
  let next = 0;
  return services.map((service, index) => {
    if (index % 2 === 0) return [service, clusters];
    const cluster = clusters[next++ % clusters.length];
    return [service, [cluster]];
  });
}

function deployment(entity: ServiceEntity, replicas: number) {
  const labels = {
    app: entity.kubernetesId,
    [KUBERNETES_ID_LABEL]: entity.kubernetesId,
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: entity.kubernetesId,
      namespace: entity.namespace,
      labels,
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: entity.kubernetesId } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: entity.kubernetesId,
              image: `${EXAMPLE_REGISTRY_HOST}/${entity.namespace}/${entity.kubernetesId}:${EXAMPLE_TAGS[0]}`,
              ports: [{ containerPort: 8080, name: 'http' }],
              resources: {
                requests: { cpu: '100m', memory: '128Mi' },
                limits: { cpu: '500m', memory: '256Mi' },
              },
            },
          ],
        },
      },
    },
  };
}

function serviceObject(entity: ServiceEntity) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: entity.kubernetesId,
      namespace: entity.namespace,
      labels: { [KUBERNETES_ID_LABEL]: entity.kubernetesId },
    },
    spec: {
      selector: { app: entity.kubernetesId },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  };
}

async function waitAvailable(
  api: KubeRest,
  entity: ServiceEntity,
  replicas: number,
) {
  const deadline = Date.now() + 90_000;
  const url = `/apis/apps/v1/namespaces/${entity.namespace}/deployments/${entity.kubernetesId}`;
  for (;;) {
    const res = await api.expect('GET', url);
    if ((res.body.status?.readyReplicas ?? 0) >= replicas) return;
    if (Date.now() > deadline) {
      throw new LocalCloudError(
        `deployment ${entity.namespace}/${entity.kubernetesId} did not become ready within 90 s`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}

/** Applies (idempotently) namespaces, Deployments and Services, then waits for them to be ready. */
export async function seedExampleServices(
  clusters: Array<{ name: string; api: KubeRest }>,
  entitiesFile = findExampleCatalog(),
  progress: (line: string) => void = () => {},
): Promise<SeedResult[]> {
  const services = await readServices(entitiesFile);
  if (services.length === 0) {
    throw new LocalCloudError(
      `no Component with a ${KUBERNETES_ID_LABEL} annotation in ${entitiesFile}`,
    );
  }
  const replicas = 2;
  const placed = placeServices(
    services,
    clusters.map(c => c.name),
  );
  try {
    const results: SeedResult[] = [];
    for (const [entity, names] of placed) {
      for (const name of names) {
        const { api } = clusters.find(c => c.name === name)!;
        await api.apply(`/api/v1/namespaces/${entity.namespace}`, {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: entity.namespace },
        });
        await api.apply(
          `/apis/apps/v1/namespaces/${entity.namespace}/deployments/${entity.kubernetesId}`,
          deployment(entity, replicas),
        );
        await api.apply(
          `/api/v1/namespaces/${entity.namespace}/services/${entity.kubernetesId}`,
          serviceObject(entity),
        );
      }
      results.push({
        service: entity.kubernetesId,
        namespace: entity.namespace,
        clusters: names,
        replicas,
      });
    }
    for (const [entity, names] of placed) {
      for (const name of names) {
        await waitAvailable(
          clusters.find(c => c.name === name)!.api,
          entity,
          replicas,
        );
      }
      progress(
        `  ${entity.namespace}/${
          entity.kubernetesId
        }: ${replicas} pods running on ${names.join(', ')}`,
      );
    }
    return results;
  } finally {
    for (const c of clusters) c.api.close();
  }
}
