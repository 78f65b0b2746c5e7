import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type {
  FailoverPreview,
  FailoverRun,
} from '@internal/plugin-container-cloud-common';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import type { V1Deployment } from '@kubernetes/client-node';
import {
  FailoverPlanner,
  PlannedMove,
  PlanRequest,
  previewOf,
} from './FailoverPlanner';
import {
  FailoverStore,
  RunState,
  runView,
  SourceBusyError,
} from './FailoverStore';

/** A 409 that carries the run as it is now. */
export class RunConflictError extends ConflictError {
  constructor(message: string, readonly current: FailoverRun) {
    super(message);
  }
}

/**
 * What the failover routes do: preview, start, stop and resume runs, list them. Runs are only
 * written here; a runner (under the scheduler) drives them.
 */
export class FailoverService {
  constructor(
    private readonly deps: {
      planner: FailoverPlanner;
      store: FailoverStore;
      clusters: ContainerCloudClustersService;
      logger: LoggerService;
      /** wakes the runner now instead of at its next tick */
      wake(): Promise<void>;
    },
  ) {}

  async preview(request: PlanRequest): Promise<FailoverPreview> {
    return previewOf(await this.deps.planner.plan(request));
  }

  async start(request: PlanRequest, createdBy: string): Promise<FailoverRun> {
    const { planner, clusters } = this.deps;
    const plan = await planner.plan(request);
    if (!clusters.health()[plan.target]?.reachable) {
      throw new ServiceUnavailableError(
        `cluster ${plan.target} is unreachable: nothing can move there now`,
      );
    }
    const moving = plan.services.filter(s => s.action === 'move');
    if (moving.length === 0) {
      const reasons = plan.services.map(s => `${s.kubernetesId}: ${s.reason}`);
      throw new InputError(
        `services: nothing in ${plan.source} can move to ${plan.target}${
          reasons.length
            ? ` (${reasons.slice(0, 5).join('; ')})`
            : ' (it runs no services)'
        }`,
      );
    }
    await this.refuseIfBusy(plan.source);
    const configMaps = await this.configMapsOf(plan.source, moving);
    const run = await this.createOrConflict(plan.source, {
      id: randomUUID(),
      source: plan.source,
      target: plan.target,
      createdBy,
      steps: plan.services.map(s => ({
        kubernetesId: s.kubernetesId,
        entityRef: s.entityRef,
        namespace: s.namespace,
        deployment: s.deployment,
        replicas: s.replicas,
        targetReplicas: s.targetReplicas + s.replicas,
        sourceSpec: JSON.stringify(s.source),
        configMaps: configMaps.get(s) ?? null,
        carried:
          s.action === 'move' &&
          s.carried &&
          (s.carried.secrets.length > 0 || s.carried.claims.length > 0)
            ? JSON.stringify(s.carried)
            : null,
        state: s.action === 'move' ? 'pending' : 'skipped',
        reason: s.reason,
      })),
    });
    this.deps.logger.info(
      `failover run ${run.id}: ${moving.length} service(s) from ${run.source} to ${run.target}, started by ${createdBy}`,
    );
    this.wake();
    return runView(run);
  }

  /** A 409 with the active run off `source`, if there is one. */
  private async refuseIfBusy(source: string, except?: string) {
    const run = await this.deps.store.activeOff(source);
    if (run && run.id !== except) {
      throw new RunConflictError(
        `run ${run.id} is already moving the services of ${source}: stop it first`,
        runView(run),
      );
    }
  }

  /**
   * Creates the run; when another replica's run off the same source got in first (the check
   * above passed on both, the database's unique index refused the second), the 409 carries it.
   */
  private async createOrConflict(
    source: string,
    run: Parameters<FailoverStore['create']>[0],
  ) {
    try {
      return await this.deps.store.create(run);
    } catch (error) {
      if (!(error instanceof SourceBusyError)) throw error;
      await this.refuseIfBusy(source);
      // the other run ended in between: the index no longer stands in the way
      return this.deps.store.create(run);
    }
  }

  /**
   * The ConfigMaps each moving Deployment refers to, read from the source now (JSON per move), so
   * the runner can create them in the target; none for a source that does not answer (the step's
   * reason then says so if its pods cannot start).
   */
  private async configMapsOf(source: string, moving: PlannedMove[]) {
    const result = new Map<PlannedMove, string>();
    if (!this.deps.clusters.health()[source]?.reachable) return result;
    const core = this.deps.clusters.connection(source).core;
    for (const move of moving) {
      const names = referencedConfigMaps(move.source);
      try {
        const maps = await Promise.all(
          names.map(async name => {
            const map = await core.readNamespacedConfigMap({
              namespace: move.namespace,
              name,
            });
            return {
              metadata: {
                name,
                namespace: move.namespace,
                labels: map.metadata?.labels,
                annotations: map.metadata?.annotations,
              },
              data: map.data,
              binaryData: map.binaryData,
            };
          }),
        );
        result.set(move, JSON.stringify(maps));
      } catch (error) {
        this.deps.logger.warn(
          `failover: could not read the ConfigMaps of ${move.namespace}/${move.deployment} in ${source}: ${error}`,
        );
      }
    }
    return result;
  }

  async get(id: string): Promise<FailoverRun> {
    const run = await this.deps.store.get(id);
    if (!run) throw new NotFoundError(`no failover run ${id}`);
    return runView(run);
  }

  async list(): Promise<FailoverRun[]> {
    return (await this.deps.store.list()).map(runView);
  }

  /** Asks the runner to stop between steps; a stopped run can be resumed. */
  stop(id: string) {
    return this.move(
      id,
      ['running'],
      'stopping',
      'only a running run can be stopped',
    );
  }

  /** Continues a stopped (or stopping) run from its record. */
  async resume(id: string) {
    const run = await this.move(
      id,
      ['stopped', 'stopping'],
      'running',
      'only a stopped run can be resumed',
    );
    this.wake();
    return run;
  }

  private async move(id: string, from: RunState[], to: RunState, why: string) {
    const run = await this.get(id);
    let moved: boolean;
    try {
      moved = await this.deps.store.transition(id, from, to);
    } catch (error) {
      if (!(error instanceof SourceBusyError)) throw error;
      await this.refuseIfBusy(run.source, id);
      throw error;
    }
    if (!moved) {
      const current = await this.get(id);
      throw new RunConflictError(
        `run ${id} is ${current.state}: ${why}`,
        current,
      );
    }
    return this.get(id);
  }

  /** Not awaited: a scheduler may run the task before it answers. */
  private wake() {
    this.deps.wake().catch(error => {
      // already running: it picks the run up in its pass
      this.deps.logger.debug(`failover runner not woken: ${error}`);
    });
  }
}

/** The ConfigMaps a Deployment's pods refer to (volumes, env and envFrom), each named once. */
export function referencedConfigMaps(deployment: V1Deployment): string[] {
  const pod = deployment.spec?.template?.spec;
  const names = new Set<string>();
  for (const volume of pod?.volumes ?? []) {
    if (volume.configMap?.name) names.add(volume.configMap.name);
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap?.name) names.add(source.configMap.name);
    }
  }
  for (const c of [
    ...(pod?.containers ?? []),
    ...(pod?.initContainers ?? []),
  ]) {
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef?.name) names.add(from.configMapRef.name);
    }
    for (const env of c.env ?? []) {
      const name = env.valueFrom?.configMapKeyRef?.name;
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}
