import {
  ApiException,
  PatchStrategy,
  setHeaderOptions,
  V1Deployment,
} from '@kubernetes/client-node';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { DeploymentView } from '@internal/plugin-container-cloud-common';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';
import { deploymentView } from './views';

/** Our field manager on every write, so `managedFields` shows who changed what. @public */
export const FIELD_MANAGER = 'container-cloud';

/**
 * A write lost a race: the Deployment changed since the caller read it. Carries the current state
 * so the user sees what they would overwrite.
 * @public
 */
export class DeploymentConflictError extends ConflictError {
  constructor(message: string, readonly current: DeploymentView) {
    super(message);
  }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * A cluster could not be reached, or its apiserver refused or failed a call; the message names the
 * cluster. Its `statusCode` (which Backstage's error handler answers with) says which: 503 when
 * the cluster did not answer, 400 when the apiserver found the request invalid, 502 when it
 * answered with any other error.
 * @public
 */
export class ClusterWriteError extends Error {
  name = 'ClusterWriteError';
  readonly statusCode: number;
  constructor(readonly cluster: string, message: string, cause?: unknown) {
    super(`cluster ${cluster}: ${message}`);
    const upstream = statusOf(cause);
    if (upstream === undefined) this.statusCode = 503;
    else if (upstream === 400 || upstream === 422) this.statusCode = 400;
    else this.statusCode = 502;
  }
}

/**
 * Writes to one Deployment of one service, always under our field manager and always conditional:
 * the Deployment is read and must carry the service's `backstage.io/kubernetes-id` and be at the
 * `resourceVersion` the caller loaded (when the caller names one; the routes always do), and the
 * write goes out with the version read as its precondition. So the label check and the write cannot be separated: a
 * Deployment relabelled (or changed at all) between them makes the write a conflict, never a
 * write to someone else's object. A Deployment without the label is treated as absent: a caller
 * can only touch its own. A stale version is a `DeploymentConflictError` carrying the current
 * state.
 * @public
 */
export class DeploymentOperations {
  constructor(private readonly connection: ClusterConnection) {}

  async get(
    namespace: string,
    name: string,
    kubernetesId: string,
  ): Promise<V1Deployment> {
    let deployment: V1Deployment;
    try {
      deployment = await this.connection.apps.readNamespacedDeployment({
        namespace,
        name,
      });
    } catch (error) {
      if (statusOf(error) === 404) throw this.notFound(namespace, name);
      throw new ClusterWriteError(
        this.connection.name,
        describeKubeError(error),
        error,
      );
    }
    if (deployment.metadata?.labels?.[KUBERNETES_ID_LABEL] !== kubernetesId) {
      throw this.notFound(namespace, name);
    }
    return deployment;
  }

  async scale(target: Target, replicas: number) {
    const current = await this.loaded(target);
    return this.patch(target, current, PatchStrategy.MergePatch, {
      spec: { replicas },
    });
  }

  /** Sets one container's image; the Deployment rolls out a new revision. */
  async upgrade(target: Target, container: string, image: string) {
    const current = await this.loaded(target);
    const names =
      current.spec?.template?.spec?.containers?.map(c => c.name) ?? [];
    if (!names.includes(container)) {
      throw new NotFoundError(
        `deployment ${target.namespace}/${
          target.name
        } has no container '${container}' (it has: ${names.join(', ')})`,
      );
    }
    return this.patch(target, current, PatchStrategy.StrategicMergePatch, {
      spec: {
        template: { spec: { containers: [{ name: container, image }] } },
      },
    });
  }

  /** Restarts every pod by stamping the pod template, as `kubectl rollout restart` does. */
  async restart(target: Target, at = new Date()) {
    const current = await this.loaded(target);
    return this.patch(target, current, PatchStrategy.StrategicMergePatch, {
      spec: {
        template: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/restartedAt': at.toISOString(),
            },
          },
        },
      },
    });
  }

  /** Puts the pod template of an earlier revision (one of its ReplicaSets) back. */
  async rollback(target: Target, revision: number) {
    const current = await this.loaded(target);
    const uid = current.metadata?.uid;
    const replicaSets = await this.connection.apps.listNamespacedReplicaSet({
      namespace: target.namespace,
      labelSelector: `${KUBERNETES_ID_LABEL}=${target.kubernetesId}`,
    });
    const match = replicaSets.items.find(
      rs =>
        rs.metadata?.ownerReferences?.some(o => o.uid === uid) &&
        rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ===
          String(revision),
    );
    if (!match?.spec?.template) {
      throw new NotFoundError(
        `deployment ${target.namespace}/${target.name} has no revision ${revision}`,
      );
    }
    const template = structuredClone(match.spec.template);
    delete template.metadata?.labels?.['pod-template-hash'];
    // a JSON patch replaces the template whole, as `kubectl rollout undo` does
    return this.jsonPatch(target, current, [
      { op: 'replace', path: '/spec/template', value: template },
    ]);
  }

  /**
   * Replaces the parts of a container's and the Deployment's configuration that `change` names;
   * what it leaves out stays as it is. One JSON patch, guarded by the resourceVersion the caller
   * loaded, so a concurrent edit is a conflict, never a silent merge.
   */
  async configure(target: Target, change: ConfigChange) {
    const current = await this.loaded(target);
    const containers = current.spec?.template?.spec?.containers ?? [];
    const index = containers.findIndex(c => c.name === change.container);
    if (index < 0) {
      throw new NotFoundError(
        `deployment ${target.namespace}/${target.name} has no container '${
          change.container
        }' (it has: ${containers.map(c => c.name).join(', ')})`,
      );
    }
    const ops: object[] = [];
    const containerPath = `/spec/template/spec/containers/${index}`;
    const set = (path: string, value: unknown) =>
      ops.push(
        value === null ? { op: 'remove', path } : { op: 'add', path, value }, // JSON-patch `add` replaces an existing member
      );
    const has = (obj: object | undefined, key: string) =>
      obj !== undefined && Object.prototype.hasOwnProperty.call(obj, key);
    const c = containers[index];
    if (change.env !== undefined) {
      // variables from secrets and config maps are not the editor's to drop
      const named = new Set(change.env.map(e => e.name));
      const kept = (c.env ?? []).filter(
        e => e.valueFrom !== undefined && !named.has(e.name),
      );
      set(`${containerPath}/env`, [...change.env, ...kept]);
    }
    if (change.resources !== undefined)
      set(`${containerPath}/resources`, change.resources);
    for (const probe of ['livenessProbe', 'readinessProbe'] as const) {
      const value = change[probe];
      if (value === undefined) continue;
      if (value === null && !has(c, probe)) continue; // removing what is not there
      set(
        `${containerPath}/${probe}`,
        value && {
          httpGet: { path: value.path, port: value.port },
          initialDelaySeconds: value.initialDelaySeconds,
          periodSeconds: value.periodSeconds,
          timeoutSeconds: value.timeoutSeconds,
          failureThreshold: value.failureThreshold,
        },
      );
    }
    if (change.terminationGracePeriodSeconds !== undefined) {
      set(
        '/spec/template/spec/terminationGracePeriodSeconds',
        change.terminationGracePeriodSeconds,
      );
    }
    if (change.rollingUpdate !== undefined) {
      set('/spec/strategy', {
        type: 'RollingUpdate',
        rollingUpdate: change.rollingUpdate,
      });
    }
    return this.jsonPatch(target, current, ops);
  }

  /**
   * The parts of a Deployment `configure` and `syncFrom` carry between clusters, read on the
   * precondition that it is still at the `resourceVersion` the caller loaded: a sync copies what
   * the person saw, or nothing (a `DeploymentConflictError` with the source as it is now).
   */
  async portableConfig(source: Target) {
    const d = await this.loaded(source, 'the source deployment');
    return {
      containers: (d.spec?.template?.spec?.containers ?? []).map(c => ({
        name: c.name,
        image: c.image,
        env: c.env,
        resources: c.resources,
        livenessProbe: c.livenessProbe,
        readinessProbe: c.readinessProbe,
      })),
      terminationGracePeriodSeconds:
        d.spec?.template?.spec?.terminationGracePeriodSeconds,
      strategy: d.spec?.strategy,
    };
  }

  /**
   * "Sync to production": gives this Deployment the images and configuration of another one
   * (usually the same service in another cluster). Containers are matched by name; one missing
   * here is an error, not a guess.
   */
  async syncFrom(
    target: Target,
    source: Awaited<ReturnType<DeploymentOperations['portableConfig']>>,
  ) {
    const current = await this.loaded(target);
    const containers = current.spec?.template?.spec?.containers ?? [];
    const ops: object[] = [];
    for (const from of source.containers) {
      const index = containers.findIndex(c => c.name === from.name);
      if (index < 0) {
        throw new NotFoundError(
          `deployment ${target.namespace}/${target.name} in ${this.connection.name} has no container '${from.name}' to sync into`,
        );
      }
      const path = `/spec/template/spec/containers/${index}`;
      ops.push({ op: 'add', path: `${path}/image`, value: from.image });
      for (const key of [
        'env',
        'resources',
        'livenessProbe',
        'readinessProbe',
      ] as const) {
        if (from[key] !== undefined) {
          ops.push({ op: 'add', path: `${path}/${key}`, value: from[key] });
        } else if (containers[index][key] !== undefined) {
          ops.push({ op: 'remove', path: `${path}/${key}` });
        }
      }
    }
    if (source.terminationGracePeriodSeconds !== undefined) {
      ops.push({
        op: 'add',
        path: '/spec/template/spec/terminationGracePeriodSeconds',
        value: source.terminationGracePeriodSeconds,
      });
    }
    if (source.strategy)
      ops.push({ op: 'add', path: '/spec/strategy', value: source.strategy });
    return this.jsonPatch(target, current, ops);
  }

  /**
   * The Deployment the caller names, as they loaded it: the service's own (else 404) and at the
   * `resourceVersion` they give, or still at the spec `generation` they give with it (else a
   * conflict carrying it as it is now).
   */
  private async loaded(
    target: Target,
    what = 'deployment',
  ): Promise<V1Deployment> {
    const current = await this.get(
      target.namespace,
      target.name,
      target.kubernetesId,
    );
    if (changedSinceLoaded(current, target)) {
      throw this.conflict(target, current, what);
    }
    return current;
  }

  /** A merge patch, with the version read as its precondition (the apiserver answers 409). */
  private patch(
    target: Target,
    read: V1Deployment,
    strategy: PatchStrategy,
    body: object,
  ) {
    return this.write(target, strategy, {
      ...body,
      metadata: {
        ...(body as { metadata?: object }).metadata,
        resourceVersion: read.metadata?.resourceVersion,
      },
    });
  }

  /** A JSON patch whose first operation tests the version read (the apiserver answers 422). */
  private jsonPatch(target: Target, read: V1Deployment, ops: object[]) {
    return this.write(target, PatchStrategy.JsonPatch, [
      {
        op: 'test',
        path: '/metadata/resourceVersion',
        value: read.metadata?.resourceVersion,
      },
      ...ops,
    ]);
  }

  private async write(target: Target, strategy: PatchStrategy, body: object) {
    try {
      const updated = await this.connection.apps.patchNamespacedDeployment(
        {
          namespace: target.namespace,
          name: target.name,
          body,
          fieldManager: FIELD_MANAGER,
        },
        setHeaderOptions('Content-Type', strategy),
      );
      return deploymentView(updated);
    } catch (error) {
      const status = statusOf(error);
      // 409 from a stale resourceVersion; 422 from a failed JSON-patch `test`
      if (
        status === 409 ||
        (status === 422 && strategy === PatchStrategy.JsonPatch)
      ) {
        throw this.conflict(
          target,
          await this.get(target.namespace, target.name, target.kubernetesId),
        );
      }
      if (status === 404) throw this.notFound(target.namespace, target.name);
      throw new ClusterWriteError(
        this.connection.name,
        describeKubeError(error),
        error,
      );
    }
  }

  private conflict(target: Target, current: V1Deployment, what = 'deployment') {
    return new DeploymentConflictError(
      `${what} ${target.namespace}/${target.name} in cluster ${this.connection.name} changed since you loaded it (resourceVersion ${target.resourceVersion}, now ${current.metadata?.resourceVersion}); reload and try again`,
      deploymentView(current),
    );
  }

  private notFound(namespace: string, name: string) {
    return new NotFoundError(
      `cluster ${this.connection.name} has no deployment ${namespace}/${name} for this service`,
    );
  }
}

/** @public */
export interface Target {
  namespace: string;
  name: string;
  kubernetesId: string;
  /**
   * The version the caller loaded; a Deployment at another one is a conflict. The routes a person
   * calls always give it. Without it (the backend's own automation) the write is still
   * conditional, on the version read just before it.
   */
  resourceVersion?: string;
  /**
   * The spec's generation the caller loaded, with `resourceVersion`: a Deployment at another
   * version but still at this generation changed only in its status (the controller reporting
   * pods) or labels (its annotations move the generation too), neither of which a write here
   * touches, so it is no conflict; the write is then conditional on the version read just before.
   */
  generation?: number;
}

/**
 * Whether a Deployment changed since a caller loaded it at `resourceVersion` (none given: it did
 * not, the write is conditional on the version read anyway): it did unless it is still at that
 * version, or still at the spec `generation` the caller gives with it (only its status or labels
 * moved). @public
 */
export function changedSinceLoaded(
  current: V1Deployment,
  loaded: { resourceVersion?: string; generation?: number },
): boolean {
  if (
    loaded.resourceVersion === undefined ||
    current.metadata?.resourceVersion === loaded.resourceVersion
  ) {
    return false;
  }
  return (
    loaded.generation === undefined ||
    current.metadata?.generation !== loaded.generation
  );
}

/** An HTTP probe as the config editor offers it. @public */
export interface ProbeSettings {
  path: string;
  port: number;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

/**
 * What `configure` changes; a field left out stays as it is, `null` removes a probe.
 * @public
 */
export interface ConfigChange {
  container: string;
  /** plain values, or a Secret's key (the caller checked the Secret may be referenced) */
  env?: Array<{
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef: { name: string; key: string } };
  }>;
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  livenessProbe?: ProbeSettings | null;
  readinessProbe?: ProbeSettings | null;
  terminationGracePeriodSeconds?: number;
  rollingUpdate?: {
    maxSurge: string | number;
    maxUnavailable: string | number;
  };
}
