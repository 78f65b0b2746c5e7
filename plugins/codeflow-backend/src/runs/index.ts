import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { CodeflowDeps } from '../deps';
import { readCodeflowConfig } from '../definitions/codeflowConfig';
import { CodeflowStore } from '../definitions/CodeflowStore';
import type { BuildExecutor } from '../executors/types';
import type { Rollout } from '../rollout/types';
import { LogFollowers } from './LogFollowers';
import { RunEngine, type RunEngineTimings } from './RunEngine';
import { runRouteTable } from './routes';
import { readRunsConfig } from './runsConfig';
import { RunStore } from './RunStore';

export { RunEngine } from './RunEngine';
export { RunStore } from './RunStore';
export type { StoredRun, NewRun } from './RunStore';
export { readRunsConfig } from './runsConfig';
export type { RunsConfig } from './runsConfig';

/** The runs part of the codeflow backend: its routes and the engine behind them. */
export interface RunsPart {
  engine: RunEngine;
  followers: LogFollowers;
  /** the routes' group: the lookup and refusal words are the definitions group's */
  routes: RouteGroup['routes'];
}

/**
 * The runs part, from the plugin's parts: the run engine (polled by a local scheduler task,
 * stopped on shutdown) with the executor and roll-out given, and its route table.
 */
export function runsPart(
  deps: CodeflowDeps,
  options: {
    executor: BuildExecutor;
    rollout: Rollout;
    replicaId?: string;
    timings?: Partial<RunEngineTimings>;
    /** the live logs' read interval (default 250 ms) */
    followMs?: number;
  },
): RunsPart {
  const config = readRunsConfig(deps.config);
  const codeflowConfig = readCodeflowConfig(deps.config);
  const store = new RunStore(deps.knex);
  const codeflows = new CodeflowStore(deps.knex);
  const logger = deps.logger.child({ part: 'runs' });
  const engine = new RunEngine({
    store,
    codeflows,
    config,
    codeflowConfig,
    executor: options.executor,
    rollout: options.rollout,
    logger,
    signals: deps.signals,
    replicaId: options.replicaId,
    timings: options.timings,
  });
  const followers = new LogFollowers(store, logger, options.followMs);
  return {
    engine,
    followers,
    routes: runRouteTable({
      codeflows,
      runs: store,
      engine,
      rollout: options.rollout,
      followers,
      config,
    }),
  };
}

/** Starts the engine's polling under the plugin's scheduler, and its shutdown with the plugin. */
export async function startRunEngine(
  deps: Pick<CodeflowDeps, 'scheduler' | 'lifecycle'>,
  engine: RunEngine,
  frequencySeconds = 2,
): Promise<void> {
  // every replica looks for work; the database decides who takes what
  await deps.scheduler.scheduleTask({
    id: 'codeflow-runs',
    scope: 'local',
    frequency: { seconds: frequencySeconds },
    timeout: { minutes: 5 },
    fn: () => engine.tick(),
  });
  deps.lifecycle.addShutdownHook(() => engine.shutdown());
  engine.nudge();
}

/** The words of a 403 on a run's route. */
export function runRefusal(
  permission: { name: string },
  entityRef?: string,
): string {
  const what: Record<string, string> = {
    'container-cloud.codeflow.run': 'run the codeflows of',
    'container-cloud.codeflow.cancel': 'cancel the codeflow runs of',
    'container-cloud.codeflow.logs.read': 'read the codeflow logs of',
  };
  return `you may not ${
    what[permission.name] ?? permission.name
  } ${entityRef}: only its owners and ops admins may`;
}
