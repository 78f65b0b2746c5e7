import { ServiceUnavailableError } from '@backstage/errors';
import {
  BatchV1Api,
  V1Deployment,
  V1OwnerReference,
  V1PodSpec,
  V1Volume,
} from '@kubernetes/client-node';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';

/** The kinds whose pods can mount a claim or a config file set. @public */
export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'Job'
  | 'CronJob'
  | 'Pod';

/** A workload of one cluster and the pod spec its pods run with. @public */
export interface PodSpecWorkload {
  cluster: string;
  kind: WorkloadKind;
  namespace: string;
  name: string;
  podSpec?: V1PodSpec;
}

/** A page of a Kubernetes list, as the typed clients answer it. */
interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string };
}

/** Items per list call, and how many pages one kind of one namespace (or cluster) may take. */
const PAGE = 500;
const MAX_PAGES = 20;

/** Every item of a list, page by page: bounded, so a huge namespace is an error, not a stall. */
async function listAll<T>(
  what: string,
  page: (options: {
    limit: number;
    _continue?: string;
  }) => Promise<ListPage<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let next: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const answer = await page({
      limit: PAGE,
      ...(next ? { _continue: next } : {}),
    });
    items.push(...answer.items);
    next = answer.metadata?._continue;
    if (!next) return items;
  }
  throw new ServiceUnavailableError(
    `${what}: more than ${
      PAGE * MAX_PAGES
    } objects; the storage backend does not read that many to check what mounts a volume`,
  );
}

/** Whether a controller (a Deployment's ReplicaSet, a CronJob's Job, any pod's owner) runs it. */
const controlled = (owners?: V1OwnerReference[]) =>
  (owners ?? []).some(o => o.controller);

/**
 * The workloads of one cluster that run pods from a spec of their own, in one namespace or in
 * every namespace: Deployments (given, when the caller has listed them already), StatefulSets,
 * DaemonSets, CronJobs, and the ReplicaSets, Jobs and Pods no controller owns (what a controller
 * owns mounts what its owner's spec says). The cluster layer watches only the labelled
 * Deployments, ReplicaSets and Pods of services, so these are list calls, page by page.
 * @public
 */
export async function podSpecWorkloads(
  clusters: ContainerCloudClustersService,
  cluster: string,
  options: { namespace?: string; deployments?: V1Deployment[] } = {},
): Promise<PodSpecWorkload[]> {
  const { apps, core, kubeConfig } = clusters.connection(cluster);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const ns = options.namespace;
  const where = `${
    ns ? `namespace ${ns}` : 'every namespace'
  } of cluster ${cluster}`;
  const each = <T>(
    kind: WorkloadKind,
    inNamespace: (o: {
      namespace: string;
      limit: number;
      _continue?: string;
    }) => Promise<ListPage<T>>,
    inCluster: (o: {
      limit: number;
      _continue?: string;
    }) => Promise<ListPage<T>>,
  ) =>
    listAll(`${kind}s in ${where}`, page =>
      ns ? inNamespace({ namespace: ns, ...page }) : inCluster(page),
    );
  const [
    deployments,
    statefulSets,
    daemonSets,
    replicaSets,
    jobs,
    cronJobs,
    pods,
  ] = await Promise.all([
    options.deployments
      ? Promise.resolve(options.deployments)
      : each(
          'Deployment',
          o => apps.listNamespacedDeployment(o),
          o => apps.listDeploymentForAllNamespaces(o),
        ),
    each(
      'StatefulSet',
      o => apps.listNamespacedStatefulSet(o),
      o => apps.listStatefulSetForAllNamespaces(o),
    ),
    each(
      'DaemonSet',
      o => apps.listNamespacedDaemonSet(o),
      o => apps.listDaemonSetForAllNamespaces(o),
    ),
    each(
      'ReplicaSet',
      o => apps.listNamespacedReplicaSet(o),
      o => apps.listReplicaSetForAllNamespaces(o),
    ),
    each(
      'Job',
      o => batch.listNamespacedJob(o),
      o => batch.listJobForAllNamespaces(o),
    ),
    each(
      'CronJob',
      o => batch.listNamespacedCronJob(o),
      o => batch.listCronJobForAllNamespaces(o),
    ),
    each(
      'Pod',
      o => core.listNamespacedPod(o),
      o => core.listPodForAllNamespaces(o),
    ),
  ]);
  const of = (
    kind: WorkloadKind,
    metadata: { namespace?: string; name?: string } | undefined,
    podSpec: V1PodSpec | undefined,
  ): PodSpecWorkload => ({
    cluster,
    kind,
    namespace: metadata?.namespace ?? ns ?? '',
    name: metadata?.name ?? '',
    podSpec,
  });
  return [
    ...deployments.map(d =>
      of('Deployment', d.metadata, d.spec?.template?.spec),
    ),
    ...statefulSets.map(s =>
      of('StatefulSet', s.metadata, s.spec?.template?.spec),
    ),
    ...daemonSets.map(d => of('DaemonSet', d.metadata, d.spec?.template?.spec)),
    ...replicaSets
      .filter(r => !controlled(r.metadata?.ownerReferences))
      .map(r => of('ReplicaSet', r.metadata, r.spec?.template?.spec)),
    ...jobs
      .filter(j => !controlled(j.metadata?.ownerReferences))
      .map(j => of('Job', j.metadata, j.spec?.template?.spec)),
    ...cronJobs.map(c =>
      of('CronJob', c.metadata, c.spec?.jobTemplate?.spec?.template?.spec),
    ),
    ...pods
      .filter(p => !controlled(p.metadata?.ownerReferences))
      .map(p => of('Pod', p.metadata, p.spec)),
  ];
}

/** The workloads whose pod spec has a volume the test accepts. @public */
export function workloadsWithVolume(
  workloads: PodSpecWorkload[],
  accepts: (volume: V1Volume) => boolean,
): PodSpecWorkload[] {
  return workloads.filter(w => (w.podSpec?.volumes ?? []).some(accepts));
}

/** A pod volume from the claim. @public */
export const claimVolume = (claim: string) => (v: V1Volume) =>
  v.persistentVolumeClaim?.claimName === claim;

/** A pod volume from the ConfigMap or Secret, directly or projected. @public */
export const objectVolume =
  (objectName: string, secret: boolean) => (v: V1Volume) =>
    secret
      ? v.secret?.secretName === objectName ||
        Boolean(v.projected?.sources?.some(s => s.secret?.name === objectName))
      : v.configMap?.name === objectName ||
        Boolean(
          v.projected?.sources?.some(s => s.configMap?.name === objectName),
        );

/** `StatefulSet local-a/payments/db`: a workload named for a person, with its cluster. @public */
export const workloadLabel = (w: PodSpecWorkload) =>
  `${w.kind} ${w.cluster}/${w.namespace}/${w.name}`;
