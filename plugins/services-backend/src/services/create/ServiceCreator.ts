import { createHash } from 'node:crypto';
import {
  ApiException,
  V1Container,
  V1Deployment,
  V1Probe,
  V1Service,
} from '@kubernetes/client-node';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  KUBERNETES_ID_LABEL,
  parseQuantity,
  ServiceCreateRequest,
  ServiceCreateResult,
} from '@internal/plugin-container-cloud-common';
import {
  ClusterConnection,
  ClusterWriteError,
  DeploymentConflictError,
  deploymentView,
  describeKubeError,
  FIELD_MANAGER,
} from '@internal/plugin-container-cloud-node';

/** The container's name when the request names none. */
export const DEFAULT_CONTAINER = 'app';

/** Selects the pods of one Deployment of a service (the id alone may cover several Deployments). */
const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * On the Deployment and Service a create made: the hash of what that create request asked for
 * (`createRequestHash`). The same request again finds it and is `unchanged`, whatever happened
 * to the workload since (a codeflow rolled its built image, the app store attached env, someone
 * scaled it).
 */
export const CREATE_REQUEST_ANNOTATION = 'container-cloud.io/create-request';

/** The same JSON text for the same value, whatever the order of its keys; no undefined. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => {
        if (a === b) return 0;
        return a < b ? -1 : 1;
      });
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A stable hash of a create request's workload fields: container (default `app`), image, port,
 * replicas, resources, probes and env — not where it goes (cluster, namespace, name) nor
 * `dryRun`. No env and an empty env are the same request.
 */
export function createRequestHash(request: ServiceCreateRequest): string {
  const workload = {
    container: request.container ?? DEFAULT_CONTAINER,
    image: request.image,
    port: request.port,
    replicas: request.replicas,
    resources: request.resources,
    livenessProbe: request.livenessProbe,
    readinessProbe: request.readinessProbe,
    env: request.env?.length ? request.env : undefined,
  };
  return `sha256:${createHash('sha256')
    .update(canonicalJson(workload))
    .digest('hex')}`;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function probe(settings: ServiceCreateRequest['livenessProbe']) {
  if (!settings) return undefined;
  const { path, port, ...timing } = settings;
  return { httpGet: { path, port }, ...timing } as V1Probe;
}

/** The Deployment and Service a request asks for, labelled with the service's kubernetes id. */
export function desiredWorkload(
  request: ServiceCreateRequest,
  kubernetesId: string,
): { deployment: V1Deployment; service: V1Service } {
  const { namespace, deployment: name } = request;
  const labels = { [KUBERNETES_ID_LABEL]: kubernetesId, [NAME_LABEL]: name };
  const annotations = {
    [CREATE_REQUEST_ANNOTATION]: createRequestHash(request),
  };
  const container: V1Container = {
    name: request.container ?? DEFAULT_CONTAINER,
    image: request.image,
    ports: [{ name: 'http', containerPort: request.port, protocol: 'TCP' }],
    ...(request.env?.length ? { env: request.env } : {}),
    ...(request.resources ? { resources: request.resources } : {}),
    ...(request.livenessProbe
      ? { livenessProbe: probe(request.livenessProbe) }
      : {}),
    ...(request.readinessProbe
      ? { readinessProbe: probe(request.readinessProbe) }
      : {}),
  };
  return {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels, annotations },
      spec: {
        replicas: request.replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [container] } },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels, annotations },
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [
          {
            name: 'http',
            port: request.port,
            targetPort: request.port,
            protocol: 'TCP',
          },
        ],
      },
    },
  };
}

function sameQuantity(a: string | undefined, b: string | undefined) {
  return parseQuantity(a) === parseQuantity(b);
}

function probeDifference(
  what: string,
  wanted: ServiceCreateRequest['livenessProbe'],
  found: V1Probe | undefined,
): string[] {
  if (!wanted) return found ? [`${what}: present, none asked for`] : [];
  if (!found?.httpGet) return [`${what}: none, one asked for`];
  const problems: string[] = [];
  if (found.httpGet.path !== wanted.path)
    problems.push(`${what}.path: ${found.httpGet.path} ≠ ${wanted.path}`);
  if (Number(found.httpGet.port) !== wanted.port)
    problems.push(`${what}.port: ${found.httpGet.port} ≠ ${wanted.port}`);
  for (const key of [
    'initialDelaySeconds',
    'periodSeconds',
    'timeoutSeconds',
    'failureThreshold',
  ] as const) {
    if (wanted[key] !== undefined && found[key] !== wanted[key])
      problems.push(`${what}.${key}: ${found[key]} ≠ ${wanted[key]}`);
  }
  return problems;
}

/**
 * How an existing Deployment differs from what the request asks for, in words (none: the same).
 * Quantities compare as quantities (`0.5` is `500m`); the apiserver's defaults for what the request
 * leaves out do not count as differences.
 */
export function specDifferences(
  request: ServiceCreateRequest,
  found: V1Deployment,
): string[] {
  const problems: string[] = [];
  const name = request.container ?? DEFAULT_CONTAINER;
  if ((found.spec?.replicas ?? 1) !== request.replicas)
    problems.push(`replicas: ${found.spec?.replicas} ≠ ${request.replicas}`);
  const containers = found.spec?.template?.spec?.containers ?? [];
  const container = containers.find(c => c.name === name);
  if (!container) {
    return [
      ...problems,
      `no container '${name}' (it has: ${containers
        .map(c => c.name)
        .join(', ')})`,
    ];
  }
  if (container.image !== request.image)
    problems.push(`image: ${container.image} ≠ ${request.image}`);
  if (!(container.ports ?? []).some(p => p.containerPort === request.port))
    problems.push(
      `port: ${(container.ports ?? [])
        .map(p => p.containerPort)
        .join(', ')} ≠ ${request.port}`,
    );
  const env = (container.env ?? []).map(e => `${e.name}=${e.value ?? ''}`);
  const wantedEnv = (request.env ?? []).map(e => `${e.name}=${e.value}`);
  if (env.join('\n') !== wantedEnv.join('\n'))
    problems.push(
      `env: ${(container.env ?? []).map(e => e.name).join(', ') || 'none'} ≠ ${
        (request.env ?? []).map(e => e.name).join(', ') || 'none'
      } (or other values)`,
    );
  for (const kind of ['requests', 'limits'] as const) {
    for (const key of ['cpu', 'memory'] as const) {
      const has = container.resources?.[kind]?.[key];
      const wants = request.resources?.[kind]?.[key];
      if (!sameQuantity(has, wants))
        problems.push(
          `resources.${kind}.${key}: ${has ?? 'none'} ≠ ${wants ?? 'none'}`,
        );
    }
  }
  problems.push(
    ...probeDifference(
      'livenessProbe',
      request.livenessProbe,
      container.livenessProbe,
    ),
    ...probeDifference(
      'readinessProbe',
      request.readinessProbe,
      container.readinessProbe,
    ),
  );
  return problems;
}

/**
 * Creates a service's Deployment and ClusterIP Service in one cluster, idempotently: what the
 * same request made earlier (the hash in `CREATE_REQUEST_ANNOTATION`) is left as it is now
 * (`unchanged`), even after a codeflow rolled another image or env was attached; what has no
 * such hash (made before it was recorded) or another one is compared with the request as it is
 * now: the same spec is `unchanged`, another spec (or another service's object) is a 409 carrying
 * the Deployment as it is, never an overwrite. A dry run asks the apiserver (`dryRun=All`) and
 * stores nothing.
 */
export class ServiceCreator {
  constructor(private readonly connection: ClusterConnection) {}

  async create(
    request: ServiceCreateRequest,
    kubernetesId: string,
  ): Promise<ServiceCreateResult> {
    const desired = desiredWorkload(request, kubernetesId);
    const dryRun = request.dryRun ?? false;
    const deployment = await this.ensureDeployment(
      request,
      kubernetesId,
      desired.deployment,
      dryRun,
    );
    const service = await this.ensureService(
      request,
      kubernetesId,
      desired.service,
      dryRun,
    );
    return {
      cluster: this.connection.name,
      namespace: request.namespace,
      outcome: deployment.outcome,
      dryRun,
      deployment: deploymentView(deployment.object),
      service: {
        name: request.deployment,
        port: request.port,
        outcome: service,
      },
    };
  }

  private where(request: ServiceCreateRequest) {
    return `${request.namespace}/${request.deployment} in cluster ${this.connection.name}`;
  }

  private async ensureDeployment(
    request: ServiceCreateRequest,
    kubernetesId: string,
    desired: V1Deployment,
    dryRun: boolean,
    attempt = 0,
  ): Promise<{
    outcome: ServiceCreateResult['outcome'];
    object: V1Deployment;
  }> {
    const { namespace, deployment: name } = request;
    const found = await this.read(() =>
      this.connection.apps.readNamespacedDeployment({ namespace, name }),
    );
    if (found) {
      if (found.metadata?.labels?.[KUBERNETES_ID_LABEL] !== kubernetesId) {
        throw new ConflictError(
          `deployment ${this.where(
            request,
          )} exists and is not this service's (it is not labelled ${KUBERNETES_ID_LABEL}=${kubernetesId}); choose another name`,
        );
      }
      // made by the same request (an earlier run): unchanged, whatever changed since
      const recorded = found.metadata?.annotations?.[CREATE_REQUEST_ANNOTATION];
      if (recorded && recorded === createRequestHash(request)) {
        return { outcome: 'unchanged', object: found };
      }
      // made before the hash was recorded, or by another request: compared as it is now
      const differences = specDifferences(request, found);
      if (differences.length > 0) {
        throw new DeploymentConflictError(
          `deployment ${this.where(
            request,
          )} exists with another spec (${differences.join('; ')})${
            recorded ? ', made by a create request with other values' : ''
          }; nothing was changed: edit it on the service page, or choose another name`,
          deploymentView(found),
        );
      }
      return { outcome: 'unchanged', object: found };
    }
    try {
      const created = await this.connection.apps.createNamespacedDeployment({
        namespace,
        body: desired,
        fieldManager: FIELD_MANAGER,
        ...(dryRun ? { dryRun: 'All' } : {}),
      });
      return { outcome: dryRun ? 'would-create' : 'created', object: created };
    } catch (error) {
      // created by someone else (an earlier run, another replica) between the read and the write
      if (statusOf(error) === 409 && attempt === 0)
        return this.ensureDeployment(request, kubernetesId, desired, dryRun, 1);
      throw this.writeError(request, error);
    }
  }

  private async ensureService(
    request: ServiceCreateRequest,
    kubernetesId: string,
    desired: V1Service,
    dryRun: boolean,
    attempt = 0,
  ): Promise<ServiceCreateResult['outcome']> {
    const { namespace, deployment: name } = request;
    const found = await this.read(() =>
      this.connection.core.readNamespacedService({ namespace, name }),
    );
    if (found) {
      const ports = (found.spec?.ports ?? []).map(p => p.port);
      const sameRequest =
        found.metadata?.annotations?.[CREATE_REQUEST_ANNOTATION] ===
        createRequestHash(request);
      if (
        found.metadata?.labels?.[KUBERNETES_ID_LABEL] !== kubernetesId ||
        (!sameRequest && !ports.includes(request.port))
      ) {
        throw new ConflictError(
          `service ${this.where(request)} exists ${
            ports.includes(request.port)
              ? `and is not this service's (not labelled ${KUBERNETES_ID_LABEL}=${kubernetesId})`
              : `with other ports (${ports.join(', ')}, not ${request.port})`
          }; nothing was changed`,
        );
      }
      return 'unchanged';
    }
    try {
      await this.connection.core.createNamespacedService({
        namespace,
        body: desired,
        fieldManager: FIELD_MANAGER,
        ...(dryRun ? { dryRun: 'All' } : {}),
      });
      return dryRun ? 'would-create' : 'created';
    } catch (error) {
      if (statusOf(error) === 409 && attempt === 0)
        return this.ensureService(request, kubernetesId, desired, dryRun, 1);
      throw this.writeError(request, error);
    }
  }

  /** The object, or undefined when there is none. */
  private async read<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new ClusterWriteError(
        this.connection.name,
        describeKubeError(error),
        error,
      );
    }
  }

  private writeError(request: ServiceCreateRequest, error: unknown) {
    if (statusOf(error) === 404) {
      return new NotFoundError(
        `cluster ${this.connection.name} has no namespace '${request.namespace}'; ask ops to create it`,
      );
    }
    return new ClusterWriteError(
      this.connection.name,
      describeKubeError(error),
      error,
    );
  }
}
