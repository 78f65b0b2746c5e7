import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { PrometheusClient } from '@internal/plugin-container-cloud-node';
import type { ClustersDeps } from '../deps';
import { readStorageTypes } from '../failover/carriedObjects';
import { FailoverPlanner } from '../failover/FailoverPlanner';
import {
  FailoverRunner,
  FailoverRunnerSettings,
} from '../failover/FailoverRunner';
import { FailoverService } from '../failover/FailoverService';
import { FailoverStore } from '../failover/FailoverStore';
import {
  allAlerts,
  AlertmanagerAlerts,
  LogAlerts,
} from '../health/ClusterAlerts';
import { HealthController } from '../health/HealthController';
import { readHealthSettings } from '../health/healthSettings';
import { HealthStore } from '../health/HealthStore';
import { ClusterInventory } from './ClusterInventory';
import { ServiceClaims } from './ServiceClaims';
import { UsageReader } from './UsageReader';

export const HEALTH_TASK_ID = 'clusters-health-controller';
export const FAILOVER_TASK_ID = 'clusters-failover-runner';

/** `containerCloud.clusters.failover`, parsed once (see config.d.ts). */
export function readFailoverSettings(config: Config): FailoverRunnerSettings {
  const failover = config.getOptionalConfig('containerCloud.clusters.failover');
  const readiness =
    failover?.getOptionalNumber('readinessTimeoutSeconds') ?? 300;
  const concurrency = failover?.getOptionalNumber('concurrency') ?? 5;
  if (!(readiness > 0)) {
    throw new InputError(
      'containerCloud.clusters.failover.readinessTimeoutSeconds must be more than 0',
    );
  }
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InputError(
      'containerCloud.clusters.failover.concurrency must be a whole number, 1 or more',
    );
  }
  return { readinessTimeoutMs: readiness * 1000, concurrency };
}

/** What the clusters routes are built from. */
export interface ClusterParts {
  inventory: ClusterInventory;
  failover: FailoverService;
  health: HealthController;
  runner: FailoverRunner;
}

/**
 * Builds the clusters page's parts and schedules the health controller and the failover runner
 * (the scheduler runs each on one replica at a time).
 */
export async function clusterParts(deps: ClustersDeps): Promise<ClusterParts> {
  const { config, clusters, logger, scheduler } = deps;
  const healthSettings = readHealthSettings(config);
  const failoverSettings = readFailoverSettings(config);
  const claims = new ServiceClaims(deps.catalog, deps.auth, deps.bindings);
  const healthStore = new HealthStore(deps.knex);
  const inventory = new ClusterInventory({
    clusters,
    usage: new UsageReader(PrometheusClient.fromConfig(config)),
    claims,
    health: healthStore,
    logger,
  });
  const health = new HealthController({
    clusters,
    store: healthStore,
    alerts: allAlerts(
      new LogAlerts(logger),
      ...(healthSettings.alertmanagerUrl
        ? [
            new AlertmanagerAlerts(
              healthSettings.alertmanagerUrl,
              logger,
              healthSettings.receivers,
            ),
          ]
        : []),
    ),
    auditor: deps.auditor,
    logger,
    settings: healthSettings,
  });
  const store = new FailoverStore(deps.knex);
  const runner = new FailoverRunner({
    store,
    clusters,
    claims,
    auditor: deps.auditor,
    logger,
    settings: failoverSettings,
  });
  const failover = new FailoverService({
    planner: new FailoverPlanner({
      clusters,
      inventory,
      claims,
      storageTypes: readStorageTypes(config),
    }),
    store,
    clusters,
    logger,
    wake: () => scheduler.triggerTask(FAILOVER_TASK_ID),
  });

  deps.lifecycle.addStartupHook(() => {
    // in the background: a cluster that is down must not hold up the backend
    clusters
      .start()
      .then(() => inventory.watchAll())
      .catch(error =>
        logger.error(`clusters: the cluster layer failed to start: ${error}`),
      );
  });
  await scheduler.scheduleTask({
    id: HEALTH_TASK_ID,
    frequency: { seconds: healthSettings.checkIntervalSeconds },
    timeout: { minutes: 5 },
    initialDelay: { seconds: healthSettings.checkIntervalSeconds },
    fn: async () => {
      await health.check();
    },
  });
  await scheduler.scheduleTask({
    id: FAILOVER_TASK_ID,
    frequency: { seconds: 5 },
    // a pass waits at most the readiness timeout for its services (all at once)
    timeout: { milliseconds: failoverSettings.readinessTimeoutMs + 5 * 60_000 },
    initialDelay: { seconds: 5 },
    fn: signal => runner.tick(signal),
  });
  return { inventory, failover, health, runner };
}
