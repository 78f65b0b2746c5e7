import { InputError, NotFoundError } from '@backstage/errors';
import {
  ApiException,
  PatchStrategy,
  setHeaderOptions,
  V1Deployment,
} from '@kubernetes/client-node';
import type {
  ExpectedDeployment,
  VolumeClusterOutcome,
} from '@internal/plugin-container-cloud-common';
import {
  changedSinceLoaded,
  ClusterWriteError,
  ContainerCloudClustersService,
  DeploymentConflictError,
  deploymentView,
  describeKubeError,
  FIELD_MANAGER,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import {
  MountSpec,
  mountPatch,
  PodVolume,
  restorePatch,
  templatePatch,
  unmountPatch,
} from './podSpecPatch';

/** One Deployment of a service in one cluster. @public */
export interface DeploymentTarget {
  cluster: string;
  namespace: string;
  deployment: string;
}

/** What a mount or unmount did, Deployment by Deployment. @public */
export interface MountResult {
  /** true when every Deployment holds the change (or had it already) */
  ok: boolean;
  outcomes: VolumeClusterOutcome[];
  /** the error that stopped it, when not ok */
  error?: Error;
}

/**
 * The Deployments of the service the binding covers, in every cluster, from the watch caches:
 * where a mount goes. Every pair is checked with `binding.idIn` (a 403 outside the binding).
 * @public
 */
export function serviceDeployments(
  clusters: ContainerCloudClustersService,
  binding: ServiceBinding,
): DeploymentTarget[] {
  const targets: DeploymentTarget[] = [];
  for (const view of clusters.serviceView(
    binding.kubernetesId,
    binding.visiblePlacements(),
  )) {
    for (const d of view.deployments) {
      binding.idIn(view.cluster, d.namespace);
      targets.push({
        cluster: view.cluster,
        namespace: d.namespace,
        deployment: d.name,
      });
    }
  }
  return targets;
}

const statusOf = (error: unknown) =>
  error instanceof ApiException ? error.code : undefined;

/** The Deployments of the service, each read from its apiserver (with the label check). */
async function readTargets(
  clusters: ContainerCloudClustersService,
  binding: ServiceBinding,
  targets: DeploymentTarget[],
) {
  return Promise.all(
    targets.map(async target => {
      const id = binding.idIn(target.cluster, target.namespace);
      const deployment = await clusters
        .operations(target.cluster)
        .get(target.namespace, target.deployment, id);
      return { target, deployment };
    }),
  );
}

/**
 * The caller's expectation must be what the apiserver has now: else a 409 before anything changes.
 * A Deployment still at the spec generation the caller loaded changed only in its status or
 * labels: the write then goes out on the version read now.
 */
function checkExpected(
  cluster: string,
  deployment: V1Deployment,
  expected: ExpectedDeployment[] | undefined,
): string | undefined {
  const entry = expected?.find(
    e =>
      e.cluster === cluster &&
      e.namespace === deployment.metadata?.namespace &&
      e.deployment === deployment.metadata?.name,
  );
  if (!entry) return undefined;
  if (changedSinceLoaded(deployment, entry)) {
    throw new DeploymentConflictError(
      `deployment ${deployment.metadata?.namespace}/${deployment.metadata?.name} in cluster ${cluster} changed since you loaded it (now at resourceVersion ${deployment.metadata?.resourceVersion}); nothing was changed, reload and try again`,
      deploymentView(deployment),
    );
  }
  return deployment.metadata?.resourceVersion;
}

/** One JSON patch of one Deployment under our field manager; a lost race is a 409 with its state. */
async function patchDeployment(
  clusters: ContainerCloudClustersService,
  binding: ServiceBinding,
  target: DeploymentTarget,
  ops: object[],
): Promise<V1Deployment> {
  const connection = clusters.connection(target.cluster);
  try {
    return await connection.apps.patchNamespacedDeployment(
      {
        namespace: target.namespace,
        name: target.deployment,
        body: ops,
        fieldManager: FIELD_MANAGER,
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) {
      throw new NotFoundError(
        `cluster ${target.cluster} has no deployment ${target.namespace}/${target.deployment} any more`,
      );
    }
    if (status === 409 || status === 422) {
      // a failed `test` of the resourceVersion is a 422 too: a newer version says which it was
      const current = await clusters
        .operations(target.cluster)
        .get(
          target.namespace,
          target.deployment,
          binding.idIn(target.cluster, target.namespace),
        );
      const test = ops[0] as { path: string; value?: string | number };
      const now =
        test.path === '/metadata/generation'
          ? current.metadata?.generation
          : current.metadata?.resourceVersion;
      if (status === 409 || now !== test.value) {
        throw new DeploymentConflictError(
          `deployment ${target.namespace}/${target.deployment} in cluster ${target.cluster} changed since it was loaded (now at resourceVersion ${current.metadata?.resourceVersion}); reload and try again`,
          deploymentView(current),
        );
      }
    }
    throw new ClusterWriteError(
      target.cluster,
      describeKubeError(error),
      error,
    );
  }
}

const errorBody = (error: unknown) => ({
  name: (error as Error).name ?? 'Error',
  message: (error as Error).message ?? String(error),
});

/**
 * Applies one patch per Deployment, one after another. Every patch is computed (and refused,
 * as a 400 or 409 naming the Deployment) before any Deployment is written. When a write fails,
 * the Deployments already written are put back as they were (each guarded by the version our
 * write left); the outcomes say exactly which Deployment holds what.
 */
async function applyEverywhere(
  clusters: ContainerCloudClustersService,
  binding: ServiceBinding,
  targets: DeploymentTarget[],
  expected: ExpectedDeployment[] | undefined,
  patchFor: (d: V1Deployment, rv?: string) => object[] | 'unchanged',
  done: 'mounted' | 'unmounted',
  attempts = 1,
): Promise<MountResult> {
  const read = await readTargets(clusters, binding, targets);
  const plans = read.map(({ target, deployment }) => {
    const rv = checkExpected(target.cluster, deployment, expected);
    try {
      return { target, deployment, pinned: rv, ops: patchFor(deployment, rv) };
    } catch (error) {
      if (error instanceof InputError) {
        throw new InputError(
          `cluster ${target.cluster}: ${error.message}; nothing was changed`,
        );
      }
      throw error;
    }
  });
  const outcomes: VolumeClusterOutcome[] = [];
  const applied: {
    index: number;
    original: V1Deployment;
    now: V1Deployment;
  }[] = [];
  const outcomeOf = (t: DeploymentTarget) => ({
    cluster: t.cluster,
    namespace: t.namespace,
    deployment: t.deployment,
  });
  let failure: Error | undefined;
  for (const plan of plans) {
    if (failure) {
      outcomes.push({ ...outcomeOf(plan.target), state: 'not-attempted' });
      continue;
    }
    if (plan.ops === 'unchanged') {
      outcomes.push({ ...outcomeOf(plan.target), state: 'unchanged' });
      continue;
    }
    try {
      let now: V1Deployment | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          now = await patchDeployment(clusters, binding, plan.target, plan.ops);
          break;
        } catch (error) {
          // a race lost to the controller's status writes (the version nobody pinned moved):
          // the change is derived again from the Deployment as it is now
          if (
            !(error instanceof DeploymentConflictError) ||
            plan.pinned !== undefined ||
            attempt >= attempts
          ) {
            throw error;
          }
          const [fresh] = await readTargets(clusters, binding, [plan.target]);
          plan.deployment = fresh.deployment;
          plan.ops = patchFor(fresh.deployment);
          if (plan.ops === 'unchanged') break;
        }
      }
      if (!now) {
        outcomes.push({ ...outcomeOf(plan.target), state: 'unchanged' });
        continue;
      }
      applied.push({
        index: outcomes.length,
        original: plan.deployment,
        now,
      });
      outcomes.push({ ...outcomeOf(plan.target), state: done });
    } catch (error) {
      failure = error as Error;
      outcomes.push({
        ...outcomeOf(plan.target),
        state: 'failed',
        error: errorBody(error),
        ...(error instanceof DeploymentConflictError
          ? { current: error.current }
          : {}),
      });
    }
  }
  if (!failure) return { ok: true, outcomes };
  // put back what was written, newest first
  for (const { index, original, now } of applied.reverse()) {
    const target = plans.find(p => p.deployment === original)!.target;
    try {
      await patchDeployment(
        clusters,
        binding,
        target,
        restorePatch(original, now),
      );
      outcomes[index] = { ...outcomes[index], state: 'rolled-back' };
    } catch (error) {
      outcomes[index] = {
        ...outcomes[index],
        state: 'left-applied',
        error: errorBody(error),
      };
    }
  }
  return { ok: false, outcomes, error: failure };
}

/** What `changeInEveryCluster` does. @public */
export interface ChangeRequest {
  /** the Deployments to change */
  targets: DeploymentTarget[];
  /**
   * the Deployment as it should be (a copy); only its pod volumes, containers' mounts and
   * pod-template annotations are written (`templatePatch`); 'unchanged' to leave it. A thrown
   * InputError is a 400 before anything is written.
   */
  change: (deployment: V1Deployment) => V1Deployment | 'unchanged';
  expected?: ExpectedDeployment[];
  /**
   * how often a write that lost a race is derived again from the Deployment as it is now, for the
   * Deployments whose version the caller did not pin (default 1: the loss is a 409)
   */
  attempts?: number;
  /** what the outcome of a changed Deployment says (default 'mounted') */
  done?: 'mounted' | 'unmounted';
}

/**
 * Changes the pod volumes, mounts and pod-template annotations of some Deployments of the service,
 * in every cluster, as `mountInEveryCluster` writes: every change computed before the first
 * write, each a JSON patch guarded by the resourceVersion, the ones written put back when one
 * fails. Config file sets mount, unmount and restart with it.
 * @public
 */
export async function changeInEveryCluster(
  clusters: ContainerCloudClustersService,
  binding: ServiceBinding,
  request: ChangeRequest,
): Promise<MountResult> {
  return applyEverywhere(
    clusters,
    binding,
    request.targets,
    request.expected,
    (d, rv) => {
      const after = request.change(d);
      return after === 'unchanged' ? 'unchanged' : templatePatch(d, after, rv);
    },
    request.done ?? 'mounted',
    request.attempts,
  );
}

/** What `mountInEveryCluster` does. @public */
export interface MountRequest {
  volume: PodVolume;
  mount: MountSpec;
  /** the Deployments as the caller loaded them; a newer one is a 409 before anything changes */
  expected?: ExpectedDeployment[];
  /** default: every Deployment of the service (`serviceDeployments`) */
  targets?: DeploymentTarget[];
}

/**
 * Mounts a pod volume (a claim, a ConfigMap, a Secret) into every Deployment of the service in
 * every cluster it runs in, each write a JSON patch guarded by the Deployment's resourceVersion.
 * A mount that is refused (path, shadowing, container) is a 400 before any cluster changes; a
 * write that fails rolls the others back (see `MountResult`, and `throwUnlessApplied`).
 * @public
 */
export async function mountInEveryCluster(
  clusters: ContainerCloudClustersService,
  binding: ServiceBinding,
  request: MountRequest,
): Promise<MountResult> {
  const targets = request.targets ?? serviceDeployments(clusters, binding);
  if (targets.length === 0) {
    throw new InputError(
      `${binding.entityRef} runs in no cluster yet: there is no Deployment to mount into`,
    );
  }
  return applyEverywhere(
    clusters,
    binding,
    targets,
    request.expected,
    (d, rv) => mountPatch(d, request.volume, request.mount, rv),
    'mounted',
  );
}

/** What `unmountInEveryCluster` does. @public */
export interface UnmountRequest {
  /**
   * the pod volume's name, or how to find it in each Deployment (e.g. by its claim, when
   * someone else mounted it under another name); undefined: that Deployment has none
   */
  volumeName: string | ((deployment: V1Deployment) => string | undefined);
  expected?: ExpectedDeployment[];
  targets?: DeploymentTarget[];
}

/**
 * Removes a pod volume and every container's mounts of it from every Deployment of the service,
 * as `mountInEveryCluster` writes (preconditions, roll back on failure).
 * @public
 */
export async function unmountInEveryCluster(
  clusters: ContainerCloudClustersService,
  binding: ServiceBinding,
  request: UnmountRequest,
): Promise<MountResult> {
  const targets = request.targets ?? serviceDeployments(clusters, binding);
  return applyEverywhere(
    clusters,
    binding,
    targets,
    request.expected,
    (d, rv) => {
      const name =
        typeof request.volumeName === 'string'
          ? request.volumeName
          : request.volumeName(d);
      return name === undefined ? 'unchanged' : unmountPatch(d, name, rv);
    },
    'unmounted',
  );
}

/**
 * The route's answer to a result that is not ok: when every Deployment was put back, the error
 * that stopped it (a 409 with the current Deployment, a 400, a 503...) with "nothing was
 * changed"; when some could not be put back, undefined, and the caller answers 207 with the
 * outcomes, which say exactly where it holds.
 * @public
 */
export function throwUnlessApplied(result: MountResult): void {
  if (result.ok || !result.error) return;
  if (result.outcomes.some(o => o.state === 'left-applied')) return;
  const error = result.error;
  const rolledBack = result.outcomes
    .filter(o => o.state === 'rolled-back')
    .map(o => `${o.cluster}/${o.namespace}/${o.deployment}`);
  const note = rolledBack.length
    ? `; nothing was changed (put back: ${rolledBack.join(', ')})`
    : '; nothing was changed';
  if (error instanceof DeploymentConflictError) {
    throw new DeploymentConflictError(`${error.message}${note}`, error.current);
  }
  error.message = `${error.message}${note}`;
  throw error;
}
