import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { NginxService } from './NginxService';

/**
 * Delivers, in every nginx cluster, the newest version whose delivery is still pending (the
 * replica that recorded it died before delivering it). Returns the versions it delivered.
 */
export async function resumeDeliveries(
  nginx: NginxService,
  logger: LoggerService,
): Promise<number[]> {
  const delivered: number[] = [];
  for (const cluster of nginx.clusterNames) {
    try {
      const result = await nginx.resumeDelivery(cluster);
      if (result) {
        delivered.push(result.version);
        logger.info(
          `nginx cluster ${cluster}: delivered version ${
            result.version
          }, left undelivered by a replica that stopped (${
            result.ok ? 'every node took it' : 'some nodes failed'
          })`,
        );
      }
    } catch (error) {
      logger.warn(
        `nginx cluster ${cluster}: resuming its delivery failed: ${error}`,
      );
    }
  }
  return delivered;
}

/** The task that resumes cut-off deliveries: one replica per run (`coreServices.scheduler`). */
export async function scheduleDeliveryResume(
  scheduler: SchedulerService,
  nginx: NginxService,
  logger: LoggerService,
): Promise<void> {
  await scheduler.scheduleTask({
    id: 'nginx-delivery-resume',
    frequency: { seconds: 30 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 15 },
    fn: async () => {
      await resumeDeliveries(nginx, logger);
    },
  });
}
