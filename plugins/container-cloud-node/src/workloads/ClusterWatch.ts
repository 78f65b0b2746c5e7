import {
  Informer,
  KubernetesObject,
  makeInformer,
  ObjectCache,
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/** What one cluster holds for one service, straight from the watch cache. @public */
export interface ClusterWorkloads {
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  pods: V1Pod[];
}

/** Called with the `backstage.io/kubernetes-id` of whatever changed. @public */
export type WorkloadListener = (
  cluster: string,
  kubernetesId: string,
  kind: 'Deployment' | 'ReplicaSet' | 'Pod',
  verb: 'add' | 'update' | 'delete',
  object: KubernetesObject,
) => void;

const MAX_BACKOFF_MS = 30_000;

/**
 * List+watch of the Deployments, ReplicaSets and Pods labelled with `backstage.io/kubernetes-id`
 * in one cluster. Page views read this cache; they never LIST the apiserver. A watch that fails is
 * restarted with exponential backoff, and the cluster is reported unsynced until it recovers.
 * @public
 */
export class ClusterWatch {
  private readonly deployments: Watched<V1Deployment>;
  private readonly replicaSets: Watched<V1ReplicaSet>;
  private readonly pods: Watched<V1Pod>;
  private readonly synced = new Set<string>();
  private readonly listeners = new Set<WorkloadListener>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private lastError?: string;

  constructor(
    private readonly connection: ClusterConnection,
    private readonly logger: LoggerService,
  ) {
    const kc = connection.kubeConfig;
    const labelSelector = KUBERNETES_ID_LABEL;
    this.deployments = makeInformer(
      kc,
      '/apis/apps/v1/deployments',
      () => connection.apps.listDeploymentForAllNamespaces({ labelSelector }),
      labelSelector,
    );
    this.replicaSets = makeInformer(
      kc,
      '/apis/apps/v1/replicasets',
      () => connection.apps.listReplicaSetForAllNamespaces({ labelSelector }),
      labelSelector,
    );
    this.pods = makeInformer(
      kc,
      '/api/v1/pods',
      () => connection.core.listPodForAllNamespaces({ labelSelector }),
      labelSelector,
    );
  }

  get cluster() {
    return this.connection.name;
  }

  /** true once every watch has listed and none has failed since */
  get isSynced() {
    return this.synced.size === 3;
  }

  get error() {
    return this.lastError;
  }

  onChange(listener: WorkloadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the watches; resolves when each has listed once or failed once (then retries). */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all([
      this.run('Deployment', this.deployments),
      this.run('ReplicaSet', this.replicaSets),
      this.run('Pod', this.pods),
    ]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.synced.clear();
    await Promise.allSettled([
      this.deployments.stop(),
      this.replicaSets.stop(),
      this.pods.stop(),
    ]);
  }

  workloadsOf(kubernetesId: string): ClusterWorkloads {
    const mine = <T extends KubernetesObject>(items: readonly T[]) =>
      items.filter(
        o => o.metadata?.labels?.[KUBERNETES_ID_LABEL] === kubernetesId,
      );
    return {
      deployments: mine(this.deployments.list()),
      replicaSets: mine(this.replicaSets.list()),
      pods: mine(this.pods.list()),
    };
  }

  /** Every watched pod's uid, or undefined while the pod watch is not synced. */
  livePodUids(): Set<string> | undefined {
    if (!this.synced.has('Pod')) return undefined;
    return new Set(
      this.pods
        .list()
        .map(p => p.metadata?.uid)
        .filter((uid): uid is string => Boolean(uid)),
    );
  }

  private run<T extends KubernetesObject>(
    kind: 'Deployment' | 'ReplicaSet' | 'Pod',
    informer: Watched<T>,
  ): Promise<void> {
    let backoff = 1000;
    const emit = (verb: 'add' | 'update' | 'delete') => (obj: T) => {
      backoff = 1000;
      const id = obj.metadata?.labels?.[KUBERNETES_ID_LABEL];
      if (!id) return;
      for (const listener of this.listeners) {
        try {
          listener(this.cluster, id, kind, verb, obj);
        } catch (error) {
          this.logger.warn(`workload listener failed: ${error}`);
        }
      }
    };
    informer.on('add', emit('add'));
    informer.on('update', emit('update'));
    informer.on('delete', emit('delete'));
    let failed = false;
    let retry: NodeJS.Timeout | undefined;
    const restart = {
      attempt: (): Promise<void> => {
        failed = false;
        return informer.start().then(() => {
          if (!failed) {
            this.synced.add(kind);
            this.lastError = undefined;
          }
        }, restart.onError);
      },
      onError: (error: unknown) => {
        failed = true;
        this.synced.delete(kind);
        if (this.stopped || retry) return;
        this.lastError = describeKubeError(error);
        this.logger.warn(
          `cluster ${this.cluster}: ${kind} watch failed (${
            this.lastError
          }); retrying in ${backoff / 1000} s`,
        );
        retry = setTimeout(() => {
          this.timers.delete(retry!);
          retry = undefined;
          if (!this.stopped) restart.attempt();
        }, backoff);
        this.timers.add(retry);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      },
    };
    informer.on('error', restart.onError);
    return restart.attempt();
  }
}
