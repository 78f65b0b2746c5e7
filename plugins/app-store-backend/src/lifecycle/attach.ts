import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { parseEntityRef } from '@backstage/catalog-model';
import type {
  InstanceAttachResult,
  InstanceDetail,
} from '@internal/plugin-container-cloud-common';
import type { InstanceRecord } from '../instances/InstanceStore';

type InstanceConnection = NonNullable<InstanceDetail['connection']>;

/** A 409 from the services backend, carrying its current state to the user. */
export class AttachConflictError extends ConflictError {
  constructor(message: string, readonly current: unknown) {
    super(message);
  }
}

interface DeploymentOfService {
  namespace: string;
  name: string;
  resourceVersion: string;
  /** the spec's generation: the config call is then no conflict when only the status moved */
  generation?: number;
  config: {
    containers: Array<{
      container: string;
      env: Array<{ name: string; value: string }>;
    }>;
  };
}

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
};

interface ServiceViewAnswer {
  clusters: Array<{ cluster: string; deployments: DeploymentOfService[] }>;
}

/**
 * Puts an instance's connection details into a service's environment through the services
 * backend's configuration operation, called with a token issued on behalf of the user (so that
 * backend's own permission check, binding check and audit event apply, as if the person edited
 * the configuration on the service's page).
 *
 * The password is never sent as a value (it would sit in the Deployment, readable by everyone who
 * reads the Deployment): `<PREFIX>PASSWORD` references the instance's Secret
 * (`valueFrom.secretKeyRef`). The services backend accepts that reference only for a Secret the
 * app store marked for the service or its owner group, so the Secret is marked (again) first.
 */
export class Attacher {
  constructor(
    private readonly deps: {
      auth: AuthService;
      discovery?: DiscoveryService;
      /** marks the release's Secrets with the owner; the names of those marked */
      markSecrets(record: InstanceRecord): Promise<string[]>;
    },
  ) {}

  private async call<T>(
    credentials: BackstageCredentials,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const { discovery, auth } = this.deps;
    if (!discovery) {
      throw new ServiceUnavailableError(
        'attaching needs the discovery service, which the app store backend was not given',
      );
    }
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'services',
    });
    const response = await fetch(
      `${await discovery.getBaseUrl('services')}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      },
    );
    const text = await response.text();
    let answer: any;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      answer = { error: { message: text.slice(0, 300) } };
    }
    if (response.ok) return answer as T;
    const message = `the services backend: ${
      answer?.error?.message ?? `answered ${response.status}`
    }`;
    switch (response.status) {
      case 400:
        throw new InputError(message);
      case 401:
      case 403:
        throw new NotAllowedError(message);
      case 404:
        throw new NotFoundError(message);
      case 409:
        throw new AttachConflictError(message, answer?.current ?? answer);
      default:
        throw new Error(`${method} services${path}: ${message}`);
    }
  }

  async attach(
    credentials: BackstageCredentials,
    record: InstanceRecord,
    connection: InstanceConnection | undefined,
    request: { service: string; prefix: string },
  ): Promise<InstanceAttachResult> {
    const service = parseEntityRef(request.service);
    if (service.kind.toLocaleLowerCase('en-US') !== 'component') {
      throw new InputError(
        `invalid service: ${request.service} is no Component; attach the instance to a service (component:namespace/name)`,
      );
    }
    if (!connection) {
      throw new ConflictError(
        `instance '${record.name}' has no connection details yet (its client Service is not there): wait until it is ready`,
      );
    }
    const servicePath = `/services/${encodeURIComponent(
      service.namespace,
    )}/${encodeURIComponent(service.name)}`;
    const view = await this.call<ServiceViewAnswer>(
      credentials,
      'GET',
      `${servicePath}?cluster=${encodeURIComponent(record.cluster)}`,
    );
    const deployments = (
      view.clusters.find(c => c.cluster === record.cluster)?.deployments ?? []
    ).filter(d => d.namespace === record.namespace);
    if (deployments.length !== 1) {
      throw new InputError(
        deployments.length === 0
          ? `invalid service: ${request.service} runs no Deployment in namespace '${record.namespace}' of cluster '${record.cluster}', where the instance runs. Attach works within one cluster and namespace, so that the password stays in the instance's Secret; connect from elsewhere with the details on the instance's page.`
          : `invalid service: ${request.service} has ${deployments.length} Deployments in ${record.cluster}/${record.namespace}; attach needs exactly one`,
      );
    }
    const [deployment] = deployments;
    const first = deployment.config.containers[0];
    const container = first?.container;
    if (!container) {
      throw new InputError(
        `invalid service: its Deployment ${deployment.name} has no container`,
      );
    }
    const { prefix } = request;
    const secret = connection.passwordSecret;
    const marked = secret ? await this.deps.markSecrets(record) : [];
    const password: EnvVar | undefined =
      secret && marked.includes(secret.name)
        ? {
            name: `${prefix}PASSWORD`,
            valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } },
          }
        : undefined;
    const env: EnvVar[] = [
      { name: `${prefix}HOST`, value: connection.host },
      { name: `${prefix}PORT`, value: String(connection.port) },
      ...(connection.user
        ? [{ name: `${prefix}USER`, value: connection.user }]
        : []),
      ...(password ? [password] : []),
    ];
    // the operation replaces the container's plain variables: send its own with ours over them
    // (its variables from Secrets are kept by the operation unless we name them)
    const ours = new Map(env.map(e => [e.name, e]));
    const merged: EnvVar[] = [
      ...first.env.map(e => ours.get(e.name) ?? e),
      ...env.filter(e => !first.env.some(o => o.name === e.name)),
    ];
    await this.call(credentials, 'POST', `${servicePath}/config`, {
      cluster: record.cluster,
      namespace: record.namespace,
      deployment: deployment.name,
      resourceVersion: deployment.resourceVersion,
      generation: deployment.generation,
      container,
      env: merged,
    });
    const notes: string[] = [];
    if (!connection.user) {
      notes.push(`the chart names no user: ${prefix}USER was not set`);
    }
    if (password && secret) {
      notes.push(
        `${prefix}PASSWORD reads the key ${secret.key} of the Secret ${secret.name} (valueFrom.secretKeyRef); the password itself was not copied`,
      );
    } else if (secret) {
      notes.push(
        `${prefix}PASSWORD was not set: the Secret ${secret.name} named by the instance is not the release's own (the chart's labels and Helm's annotation), so it was not marked for the owner`,
      );
    } else {
      notes.push(
        `the instance names no password Secret: ${prefix}PASSWORD was not set`,
      );
    }
    return {
      service: request.service,
      cluster: record.cluster,
      namespace: record.namespace,
      deployment: deployment.name,
      container,
      variables: env.map(e => e.name),
      ...(connection.passwordSecret
        ? { passwordSecret: connection.passwordSecret }
        : {}),
      notes,
    };
  }
}
