import {
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  V1Job,
  V1Pod,
} from '@kubernetes/client-node';
import type {
  ExecutorLogChunk,
  ExecutorResult,
  ExecutorRun,
  RunExecutor,
} from '../types';
import { buildJob, BuildJobSettings } from './jobSpec';

/** A run as a Kubernetes Job (plain JSON, kept with the run). */
export interface KubernetesJobHandle {
  executor: 'kubernetes';
  namespace: string;
  job: string;
}

function statusOf(error: unknown): number | undefined {
  const e = error as {
    code?: number;
    statusCode?: number;
    body?: { code?: number };
  };
  return e?.code ?? e?.statusCode ?? e?.body?.code;
}

/** Where a build Job stands, from its spec and status. */
export function jobResult(job: V1Job): ExecutorResult {
  const conditions = job.status?.conditions ?? [];
  const holds = (type: string) =>
    conditions.find(c => c.type === type && c.status === 'True');
  if (holds('Complete')) return { state: 'succeeded' };
  const failed = holds('Failed');
  if (failed) {
    return {
      state: 'failed',
      reason:
        failed.reason === 'DeadlineExceeded'
          ? `the run took longer than ${job.spec?.activeDeadlineSeconds} s: Kubernetes stopped the Job`
          : `a stage failed (${failed.reason ?? 'Failed'}${
              failed.message ? `: ${failed.message}` : ''
            })`,
    };
  }
  if (job.spec?.suspend)
    return { state: 'cancelled', reason: 'the run was cancelled' };
  if ((job.status?.active ?? 0) > 0) return { state: 'running' };
  return { state: 'queued' };
}

/**
 * The Kubernetes Job executor: each run is a Job (see `buildJob`) in the build namespace of one
 * cluster; its result from the Job's conditions, its log from its pod's containers (one per
 * stage, in order) through the apiserver; cancelling suspends the Job (Kubernetes stops its pod
 * and keeps the record).
 */
export class KubernetesJobExecutor implements RunExecutor<KubernetesJobHandle> {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly settings: BuildJobSettings,
  ) {
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
  }

  async start(run: ExecutorRun): Promise<KubernetesJobHandle> {
    const job = buildJob(run, this.settings);
    const handle = {
      executor: 'kubernetes' as const,
      namespace: job.metadata!.namespace!,
      job: job.metadata!.name!,
    };
    try {
      await this.batch.createNamespacedJob({
        namespace: handle.namespace,
        body: job,
      });
    } catch (error) {
      // the same run started before (a retried start): its Job is the run
      if (statusOf(error) !== 409) throw error;
    }
    return handle;
  }

  async result(handle: KubernetesJobHandle): Promise<ExecutorResult> {
    const job = await this.batch.readNamespacedJob({
      namespace: handle.namespace,
      name: handle.job,
    });
    return jobResult(job);
  }

  async cancel(handle: KubernetesJobHandle): Promise<void> {
    await this.batch.patchNamespacedJob(
      {
        namespace: handle.namespace,
        name: handle.job,
        body: { spec: { suspend: true } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /** The run's pod (a Job that never retries has one), undefined before it exists. */
  async pod(handle: KubernetesJobHandle): Promise<V1Pod | undefined> {
    const pods = await this.core.listNamespacedPod({
      namespace: handle.namespace,
      labelSelector: `job-name=${handle.job}`,
    });
    return pods.items[0];
  }

  /**
   * The log of every stage that started, in order, each under a `== <stage> ==` line; `more`
   * until the Job finished.
   */
  async logs(
    handle: KubernetesJobHandle,
    offset: number,
  ): Promise<ExecutorLogChunk> {
    const [pod, result] = await Promise.all([
      this.pod(handle),
      this.result(handle),
    ]);
    const finished = !['queued', 'running'].includes(result.state);
    if (!pod) return { text: '', nextOffset: offset, more: !finished };
    const statuses = [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ];
    const containers = [
      ...(pod.spec?.initContainers ?? []),
      ...(pod.spec?.containers ?? []),
    ];
    let log = '';
    for (const container of containers) {
      const status = statuses.find(s => s.name === container.name);
      if (!status?.state?.running && !status?.state?.terminated) break;
      const text = await this.core.readNamespacedPodLog({
        namespace: handle.namespace,
        name: pod.metadata!.name!,
        container: container.name,
      });
      log += `== ${container.name} ==\n${text}`;
      if (!log.endsWith('\n')) log += '\n';
    }
    const bytes = Buffer.from(log);
    const start = Math.min(offset, bytes.length);
    return {
      text: bytes.subarray(start).toString('utf8'),
      nextOffset: bytes.length,
      more: !finished,
    };
  }
}
