import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  ApiException,
  V1ConfigMap,
  V1Deployment,
  V1Secret,
} from '@kubernetes/client-node';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import type { FailoverStepState } from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClustersService,
  describeKubeError,
  FIELD_MANAGER,
} from '@internal/plugin-container-cloud-node';
import type { ServiceClaims } from '../clusters/ServiceClaims';
import { serviceDeploymentsKind } from '../clusters/watchedKinds';
import { claimForTarget, secretForTarget } from './carriedObjects';
import type { Carried } from './FailoverPlanner';
import type { FailoverStore, StoredRun, StoredStep } from './FailoverStore';

/** The annotations a moved Deployment carries in its new cluster. */
export const FAILOVER_FROM_ANNOTATION = 'container-cloud.io/failover-from';
export const FAILOVER_RUN_ANNOTATION = 'container-cloud.io/failover-run';

const STEP_DONE: FailoverStepState[] = ['scaled-down', 'failed', 'skipped'];

export interface FailoverRunnerSettings {
  /** how long a service may take to be ready in the target */
  readinessTimeoutMs: number;
  /** services scaled up at once */
  concurrency: number;
  /** how often the watch cache is looked at while waiting */
  pollMs?: number;
}

/** The Deployment to create in the target from the source's, without what the source cluster owns. */
export function deploymentForTarget(
  source: V1Deployment,
  replicas: number,
  from: { cluster: string; runId: string },
): V1Deployment {
  const meta = source.metadata ?? {};
  const annotations = { ...meta.annotations };
  delete annotations['deployment.kubernetes.io/revision'];
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations: {
        ...annotations,
        [FAILOVER_FROM_ANNOTATION]: from.cluster,
        [FAILOVER_RUN_ANNOTATION]: from.runId,
      },
    },
    spec: { ...structuredClone(source.spec!), replicas },
  };
}

const statusOf = (error: unknown) =>
  error instanceof ApiException
    ? error.code
    : (error as { statusCode?: number })?.statusCode;

/**
 * Drives failover runs from their record in the database, phase by phase for every service of
 * a run: scale up in the target (creating the Deployment there from the source's spec), wait for
 * readiness in the target's watch cache, scale down in the source. Each step is written before
 * the next begins and every write is absolute (replica counts, not increments), so a runner that
 * starts on a run another one left (a crash, another replica) continues it without doing anything
 * twice. It runs under the scheduler, so one replica drives at a time.
 */
export class FailoverRunner {
  private stopped = false;
  private signal?: AbortSignal;

  /** true once this runner must write nothing more (abandoned, or its task aborted) */
  private get abandoned() {
    return this.stopped || Boolean(this.signal?.aborted);
  }

  constructor(
    private readonly deps: {
      store: FailoverStore;
      clusters: ContainerCloudClustersService;
      claims: ServiceClaims;
      auditor: AuditorService;
      logger: LoggerService;
      settings: FailoverRunnerSettings;
    },
  ) {}

  /**
   * Stops this runner where it is, writing nothing more, as a crash would (tests); the record
   * stays as it was for the next runner.
   */
  abandon() {
    this.stopped = true;
  }

  /**
   * Drives every active run once through its phases (the scheduled task). An aborted signal (the
   * backend shutting down) leaves each run where its record says, for the next runner.
   */
  async tick(signal?: AbortSignal): Promise<void> {
    this.signal = signal;
    for (const id of await this.deps.store.active()) {
      if (this.abandoned) return;
      try {
        await this.drive(id);
      } catch (error) {
        this.deps.logger.error(`failover run ${id} failed a pass: ${error}`);
      }
    }
  }

  /** One pass over a run; returns its state after it. */
  async drive(id: string): Promise<StoredRun['state'] | undefined> {
    const { store } = this.deps;
    let run = await store.get(id);
    if (!run) return undefined;
    if (await this.stopIfAsked(run)) return 'stopped';
    if (run.state !== 'running') return run.state;

    // 1. scale up (or create) in the target
    await this.inParallel(
      id,
      run.steps.filter(s => s.state === 'pending'),
      step => this.scaleUp(run!, step),
    );
    if (await this.stopIfAsked(run)) return 'stopped';

    // 2. wait for readiness in the target
    run = (await store.get(id))!;
    await this.awaitReady(
      run,
      run.steps.filter(s => s.state === 'scaling-up'),
    );
    if (await this.stopIfAsked(run)) return 'stopped';

    // 3. scale down in the source
    run = (await store.get(id))!;
    await this.inParallel(
      id,
      run.steps.filter(s => s.state === 'ready'),
      step => this.scaleDown(run!, step),
    );
    if (this.abandoned) return undefined;
    run = (await store.get(id))!;
    if (run.steps.every(s => STEP_DONE.includes(s.state))) {
      await store.transition(id, ['running'], 'done');
      this.deps.logger.info(
        `failover run ${id} from ${run.source} to ${run.target} is done`,
      );
      return 'done';
    }
    return run.state;
  }

  private async stopIfAsked(run: StoredRun): Promise<boolean> {
    if (this.abandoned) return true;
    if ((await this.deps.store.state(run.id)) !== 'stopping') return false;
    await this.deps.store.transition(run.id, ['stopping'], 'stopped');
    return true;
  }

  private async inParallel(
    runId: string,
    steps: StoredStep[],
    work: (s: StoredStep) => Promise<void>,
  ) {
    const queue = [...steps];
    const workers = Array.from(
      { length: Math.min(this.deps.settings.concurrency, queue.length) },
      async () => {
        for (let step = queue.shift(); step; step = queue.shift()) {
          if (this.abandoned) return;
          if ((await this.deps.store.state(runId)) === 'stopping') return;
          await work(step);
        }
      },
    );
    await Promise.all(workers);
  }

  private async scaleUp(run: StoredRun, step: StoredStep) {
    const { clusters, claims } = this.deps;
    // the binding is checked again now: placements may have changed since the plan
    const claim = (await claims.lookup([step.kubernetesId])).get(
      step.kubernetesId,
    );
    if (!claim || !claim.binding.covers(run.target, step.namespace)) {
      await this.record(
        run,
        step,
        'skipped',
        `the binding of ${
          claim?.entityRef ?? step.kubernetesId
        } does not include ${run.target}/${step.namespace}`,
      );
      return;
    }
    const target = {
      namespace: step.namespace,
      name: step.deployment,
      kubernetesId: step.kubernetesId,
    };
    try {
      const maps = await this.copyConfigMaps(run, step);
      const carried: Carried = step.carried
        ? JSON.parse(step.carried)
        : { secrets: [], claims: [] };
      const secrets = await this.copySecrets(run, step, carried);
      const claimsMade = await this.makeClaims(run, step, carried);
      let created = false;
      try {
        await clusters
          .operations(run.target)
          .get(target.namespace, target.name, target.kubernetesId);
      } catch (error) {
        if ((error as Error).name !== 'NotFoundError') throw error;
        created = await this.create(run, step);
      }
      if (!created) {
        await clusters
          .operations(run.target)
          .scale(target, step.targetReplicas);
      }
      await this.record(
        run,
        step,
        'scaling-up',
        `${created ? 'created' : 'scaled'} in ${run.target} to ${
          step.targetReplicas
        } replica(s)${
          maps.length ? `, with ConfigMap(s) ${maps.join(', ')}` : ''
        }${secrets.length ? `, Secret(s) ${secrets.join(', ')}` : ''}${
          claimsMade.length ? `, claim(s) ${claimsMade.join(', ')}` : ''
        }`,
      );
    } catch (error) {
      await this.record(
        run,
        step,
        'failed',
        `scaling up in ${run.target}: ${messageOf(error)}`,
      );
    }
  }

  /**
   * Creates the ConfigMaps read from the source that the target lacks; one the target has is left
   * as it is (it may be the target's own configuration).
   */
  private async copyConfigMaps(
    run: StoredRun,
    step: StoredStep,
  ): Promise<string[]> {
    const maps = step.configMaps
      ? (JSON.parse(step.configMaps) as V1ConfigMap[])
      : [];
    const created: string[] = [];
    for (const map of maps) {
      try {
        await this.deps.clusters
          .connection(run.target)
          .core.createNamespacedConfigMap({
            namespace: step.namespace,
            body: map,
            fieldManager: FIELD_MANAGER,
          });
        created.push(map.metadata!.name!);
      } catch (error) {
        if (statusOf(error) !== 409) {
          throw new Error(
            `ConfigMap ${map.metadata?.name}: ${describeKubeError(error)}`,
          );
        }
      }
    }
    return created;
  }

  /**
   * Copies the Secrets the Deployment reads that the target lacks, read from the source now (their
   * content is never stored, logged or audited: only their names are); one the target has is left
   * as it is. A required Secret that can be neither found nor copied fails the step before the
   * Deployment is made, so the source keeps its replicas.
   */
  private async copySecrets(
    run: StoredRun,
    step: StoredStep,
    carried: Carried,
  ): Promise<string[]> {
    const target = this.deps.clusters.connection(run.target).core;
    const copied: string[] = [];
    for (const ref of carried.secrets) {
      const { name } = ref;
      try {
        await target.readNamespacedSecret({ namespace: step.namespace, name });
        continue; // the target's own, or copied by an earlier attempt
      } catch (error) {
        if (statusOf(error) !== 404) {
          throw new Error(`Secret ${name}: ${describeKubeError(error)}`);
        }
      }
      let secret: V1Secret;
      try {
        secret = await this.deps.clusters
          .connection(run.source)
          .core.readNamespacedSecret({ namespace: step.namespace, name });
      } catch (error) {
        if (ref.optional) continue;
        throw new Error(
          statusOf(error) === 404
            ? `Secret ${name} is in neither ${run.source} nor ${run.target}`
            : `Secret ${name} is not in ${
                run.target
              } and could not be read from ${run.source}: ${describeKubeError(
                error,
              )}`,
        );
      }
      if (secret.type === 'kubernetes.io/service-account-token') {
        throw new Error(
          `Secret ${name} is a service account token of ${run.source}: it cannot serve in ${run.target}`,
        );
      }
      try {
        await target.createNamespacedSecret({
          namespace: step.namespace,
          body: secretForTarget(secret, {
            [FAILOVER_FROM_ANNOTATION]: run.source,
            [FAILOVER_RUN_ANNOTATION]: run.id,
          }),
          fieldManager: FIELD_MANAGER,
        });
        copied.push(name);
      } catch (error) {
        if (statusOf(error) !== 409) {
          throw new Error(`Secret ${name}: ${describeKubeError(error)}`);
        }
      }
    }
    return copied;
  }

  /**
   * Makes the claims planned for the target (the storage module's objects, of the target's storage
   * type of the same name); a claim the target has already is used when it is the service's.
   */
  private async makeClaims(
    run: StoredRun,
    step: StoredStep,
    carried: Carried,
  ): Promise<string[]> {
    const core = this.deps.clusters.connection(run.target).core;
    const made: string[] = [];
    for (const planned of carried.claims) {
      const { claim, volume } = claimForTarget(planned.source, planned.type, {
        cluster: run.source,
        runId: run.id,
        annotations: {
          [FAILOVER_FROM_ANNOTATION]: run.source,
          [FAILOVER_RUN_ANNOTATION]: run.id,
        },
      });
      const name = claim.metadata!.name!;
      if (volume) {
        try {
          await core.createPersistentVolume({
            body: volume,
            fieldManager: FIELD_MANAGER,
          });
        } catch (error) {
          if (statusOf(error) !== 409) {
            throw new Error(
              `PersistentVolume ${volume.metadata?.name}: ${describeKubeError(
                error,
              )}`,
            );
          }
        }
      }
      try {
        await core.createNamespacedPersistentVolumeClaim({
          namespace: step.namespace,
          body: claim,
          fieldManager: FIELD_MANAGER,
        });
        made.push(`${name} (${planned.type.name})`);
      } catch (error) {
        if (statusOf(error) !== 409) {
          throw new Error(`claim ${name}: ${describeKubeError(error)}`);
        }
        const there = await core.readNamespacedPersistentVolumeClaim({
          namespace: step.namespace,
          name,
        });
        const owner = there.metadata?.labels?.[KUBERNETES_ID_LABEL];
        if (owner !== step.kubernetesId) {
          throw new Error(
            `${run.target} has a claim ${step.namespace}/${name} that is not ${
              step.kubernetesId
            }'s (${owner ?? 'unlabelled'})`,
          );
        }
      }
    }
    return made;
  }

  /** Creates the Deployment in the target; false when it exists already (an earlier attempt). */
  private async create(run: StoredRun, step: StoredStep): Promise<boolean> {
    const body = deploymentForTarget(
      JSON.parse(step.sourceSpec),
      step.targetReplicas,
      {
        cluster: run.source,
        runId: run.id,
      },
    );
    try {
      await this.deps.clusters
        .connection(run.target)
        .apps.createNamespacedDeployment({
          namespace: step.namespace,
          body,
          fieldManager: FIELD_MANAGER,
        });
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) return false;
      if (status === 404) {
        throw new Error(
          `namespace ${step.namespace} does not exist in ${run.target}`,
        );
      }
      throw new Error(describeKubeError(error));
    }
  }

  /**
   * Waits for every scaling-up service to be ready in the target's watch cache; each has the
   * readiness timeout from when it started scaling up (its record), so a resumed run keeps it.
   */
  private async awaitReady(run: StoredRun, steps: StoredStep[]) {
    const watch = this.deps.clusters.watchKind(
      run.target,
      serviceDeploymentsKind,
    );
    const { readinessTimeoutMs, pollMs = 500 } = this.deps.settings;
    let waiting = [...steps];
    while (waiting.length > 0) {
      if (this.abandoned) return;
      const still: StoredStep[] = [];
      for (const step of waiting) {
        const d = watch
          .list(step.namespace)
          .find(x => x.metadata?.name === step.deployment);
        const ready = d?.status?.readyReplicas ?? 0;
        const current =
          (d?.status?.observedGeneration ?? 0) >=
            (d?.metadata?.generation ?? 0) &&
          (d?.spec?.replicas ?? 0) >= step.targetReplicas;
        if (d && current && ready >= step.targetReplicas) {
          await this.record(
            run,
            step,
            'ready',
            `${ready} replica(s) ready in ${run.target}`,
          );
        } else if (
          Date.now() - Date.parse(step.updatedAt) >
          readinessTimeoutMs
        ) {
          await this.record(
            run,
            step,
            'failed',
            `not ready in ${run.target} after ${Math.round(
              readinessTimeoutMs / 1000,
            )} s (${ready} of ${
              step.targetReplicas
            } ready); the source keeps its replicas`,
          );
        } else {
          still.push(step);
        }
      }
      waiting = still;
      if (waiting.length === 0) return;
      if ((await this.deps.store.state(run.id)) === 'stopping') return;
      await new Promise(resolve => setTimeout(resolve, pollMs));
    }
  }

  private async scaleDown(run: StoredRun, step: StoredStep) {
    try {
      await this.deps.clusters.operations(run.source).scale(
        {
          namespace: step.namespace,
          name: step.deployment,
          kubernetesId: step.kubernetesId,
        },
        0,
      );
      await this.record(
        run,
        step,
        'scaled-down',
        `scaled to 0 in ${run.source}`,
      );
    } catch (error) {
      if ((error as Error).name === 'NotFoundError') {
        await this.record(
          run,
          step,
          'scaled-down',
          `the Deployment is gone from ${run.source}`,
        );
        return;
      }
      const reason = `waiting to scale down in ${run.source}: ${messageOf(
        error,
      )}`;
      // a source that does not answer is retried on the next pass; recorded once, not audited again
      if (step.reason !== reason) {
        await this.deps.store.updateStep(run.id, step.seq, 'ready', reason);
      }
    }
  }

  private async record(
    run: StoredRun,
    step: StoredStep,
    state: FailoverStepState,
    reason: string,
  ) {
    if (this.abandoned) return;
    await this.deps.store.updateStep(run.id, step.seq, state, reason);
    const event = await this.deps.auditor.createEvent({
      eventId: 'cluster-failover-step',
      severityLevel: 'medium',
      meta: {
        runId: run.id,
        source: run.source,
        target: run.target,
        startedBy: run.createdBy,
        kubernetesId: step.kubernetesId,
        ...(step.entityRef ? { entityRef: step.entityRef } : {}),
        namespace: step.namespace,
        deployment: step.deployment,
        from: step.state,
        to: state,
        reason,
      },
    });
    if (state === 'failed') await event.fail({ error: new Error(reason) });
    else await event.success();
    step.state = state;
    step.reason = reason;
  }
}

function messageOf(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}
