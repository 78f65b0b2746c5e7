import type {
  V1Deployment,
  V1Pod,
  V1Probe,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import type {
  ContainerConfig,
  DeploymentConfig,
  ProbeView,
  ContainerImage,
  ContainerStatusView,
  DeploymentView,
  PodView,
  RevisionView,
} from '@internal/plugin-container-cloud-common';

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

function toIso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : String(value);
}

function imagesOf(
  containers: { name: string; image?: string }[] | undefined,
): ContainerImage[] {
  return (containers ?? []).map(c => ({
    container: c.name,
    image: c.image ?? '',
  }));
}

function revisionOf(annotations: Record<string, string> | undefined) {
  const raw = annotations?.[REVISION_ANNOTATION];
  const revision = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(revision) ? revision : undefined;
}

function probeView(probe: V1Probe | undefined): ProbeView | undefined {
  if (!probe?.httpGet) return undefined;
  return {
    path: probe.httpGet.path ?? '/',
    port: probe.httpGet.port,
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
  };
}

function configOf(d: V1Deployment): DeploymentConfig {
  const spec = d.spec?.template?.spec;
  return {
    containers: (spec?.containers ?? []).map(c => ({
      container: c.name,
      env: (c.env ?? [])
        .filter(e => e.valueFrom === undefined)
        .map(e => ({ name: e.name, value: e.value ?? '' })),
      envFrom: (c.env ?? [])
        .filter(e => e.valueFrom !== undefined)
        .map(e => e.name),
      secretEnv: (c.env ?? []).flatMap(e =>
        e.valueFrom?.secretKeyRef
          ? [
              {
                name: e.name,
                secret: e.valueFrom.secretKeyRef.name ?? '',
                key: e.valueFrom.secretKeyRef.key,
              },
            ]
          : [],
      ),
      resources: {
        requests: c.resources
          ?.requests as ContainerConfig['resources']['requests'],
        limits: c.resources?.limits as ContainerConfig['resources']['limits'],
      },
      livenessProbe: probeView(c.livenessProbe),
      readinessProbe: probeView(c.readinessProbe),
    })),
    terminationGracePeriodSeconds: spec?.terminationGracePeriodSeconds,
    rollingUpdate: d.spec?.strategy
      ?.rollingUpdate as DeploymentConfig['rollingUpdate'],
  };
}

/** Pure: a Deployment as the service page shows it. @public */
export function deploymentView(d: V1Deployment): DeploymentView {
  const conditions = d.status?.conditions ?? [];
  const times = [
    toIso(d.metadata?.creationTimestamp),
    ...conditions.map(c => toIso(c.lastUpdateTime ?? c.lastTransitionTime)),
  ].filter((t): t is string => Boolean(t));
  return {
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    resourceVersion: d.metadata?.resourceVersion ?? '',
    generation: d.metadata?.generation,
    replicas: {
      desired: d.spec?.replicas ?? 1,
      ready: d.status?.readyReplicas ?? 0,
      updated: d.status?.updatedReplicas ?? 0,
      available: d.status?.availableReplicas ?? 0,
    },
    images: imagesOf(d.spec?.template?.spec?.containers),
    revision: revisionOf(d.metadata?.annotations),
    lastUpdate: times.sort().at(-1),
    problems: conditions
      .filter(c =>
        c.type === 'ReplicaFailure' ? c.status === 'True' : c.status !== 'True',
      )
      .map(c => `${c.type}: ${c.message ?? c.reason ?? c.status}`),
    config: configOf(d),
  };
}

function containerView(
  name: string,
  image: string,
  status: NonNullable<V1Pod['status']>['containerStatuses'] extends
    | (infer S)[]
    | undefined
    ? S | undefined
    : never,
): ContainerStatusView {
  if (!status) {
    return { name, image, ready: false, restarts: 0, state: 'unknown' };
  }
  const { running, waiting, terminated } = status.state ?? {};
  let state: ContainerStatusView['state'] = 'unknown';
  if (running) state = 'running';
  else if (waiting) state = 'waiting';
  else if (terminated) state = 'terminated';
  const lastTerminated = status.lastState?.terminated;
  return {
    name,
    image: status.image || image,
    ready: status.ready,
    restarts: status.restartCount,
    state,
    reason: waiting?.reason ?? terminated?.reason ?? lastTerminated?.reason,
    exitCode: terminated?.exitCode ?? lastTerminated?.exitCode,
  };
}

/**
 * Pure: a Pod as the containers table shows it; `owners` maps ReplicaSet → Deployment names.
 *
 * @public
 */
export function podView(pod: V1Pod, owners: Map<string, string>): PodView {
  const statuses = pod.status?.containerStatuses ?? [];
  const containers = (pod.spec?.containers ?? []).map(c =>
    containerView(
      c.name,
      c.image ?? '',
      statuses.find(s => s.name === c.name),
    ),
  );
  const rsOwner = pod.metadata?.ownerReferences?.find(
    o => o.kind === 'ReplicaSet',
  );
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    ip: pod.status?.podIP,
    node: pod.spec?.nodeName,
    phase: pod.status?.phase ?? 'Unknown',
    ready:
      pod.status?.conditions?.some(
        c => c.type === 'Ready' && c.status === 'True',
      ) ?? false,
    restarts: containers.reduce((sum, c) => sum + c.restarts, 0),
    startedAt: toIso(pod.status?.startTime ?? pod.metadata?.creationTimestamp),
    deployment: rsOwner
      ? owners.get(`${pod.metadata?.namespace}/${rsOwner.name}`)
      : undefined,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    removedFromLoadBalancing: Boolean(
      pod.metadata?.labels?.['container-cloud.io/removed-from-lb'],
    ),
    containers,
  };
}

/** Pure: the ReplicaSets of a Deployment as its revision list, newest first. @public */
export function revisionViews(
  replicaSets: V1ReplicaSet[],
  owners: Map<string, string>,
): RevisionView[] {
  const views: RevisionView[] = [];
  for (const rs of replicaSets) {
    const deployment = owners.get(
      `${rs.metadata?.namespace}/${rs.metadata?.name}`,
    );
    const revision = revisionOf(rs.metadata?.annotations);
    if (!deployment || revision === undefined) continue;
    views.push({
      deployment,
      namespace: rs.metadata?.namespace ?? '',
      revision,
      images: imagesOf(rs.spec?.template?.spec?.containers),
      createdAt: toIso(rs.metadata?.creationTimestamp),
    });
  }
  return views.sort((a, b) => b.revision - a.revision);
}

/** ReplicaSet `namespace/name` → the Deployment that owns it. @public */
export function replicaSetOwners(replicaSets: V1ReplicaSet[]) {
  const owners = new Map<string, string>();
  for (const rs of replicaSets) {
    const owner = rs.metadata?.ownerReferences?.find(
      o => o.kind === 'Deployment',
    );
    if (owner) {
      owners.set(`${rs.metadata?.namespace}/${rs.metadata?.name}`, owner.name);
    }
  }
  return owners;
}
