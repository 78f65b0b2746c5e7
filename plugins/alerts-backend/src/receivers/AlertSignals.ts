import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import { alertsSignalChannel } from '@internal/plugin-container-cloud-common';
import type { AlertReader } from './AlertReader';

/**
 * Compares the alerts with the last reading and signals each entity whose alerts changed (one
 * appeared, changed state or went), so its open page refetches without a reload. Run by the
 * scheduler, so one replica polls at a time; a replica that takes over starts from an empty
 * reading and signals every entity with alerts once, which only costs a refetch.
 */
export class AlertSignals {
  private last = new Map<string, string>();

  constructor(
    private readonly reader: AlertReader,
    private readonly signals: SignalsService,
    private readonly logger: LoggerService,
  ) {}

  /** One poll: returns the entities signalled. */
  async poll(): Promise<string[]> {
    const { alerts, sources } = await this.reader.read();
    const now = new Map<string, string[]>();
    for (const alert of alerts) {
      if (!alert.entityRef) continue;
      const list = now.get(alert.entityRef) ?? [];
      list.push(`${alert.id}:${alert.state}`);
      now.set(alert.entityRef, list);
    }
    // a source that did not answer changes what the pages show ("unknown")
    const unknown = sources
      .filter(s => s.status !== 'ok')
      .map(s => s.source)
      .join(',');
    const next = new Map<string, string>();
    for (const [entityRef, list] of now) {
      next.set(entityRef, `${list.sort().join(' ')}|${unknown}`);
    }
    const changed = new Set<string>();
    for (const [entityRef, signature] of next) {
      if (this.last.get(entityRef) !== signature) changed.add(entityRef);
    }
    for (const entityRef of this.last.keys()) {
      if (!next.has(entityRef)) changed.add(entityRef);
    }
    this.last = next;
    for (const entityRef of changed) {
      await this.signals
        .publish({
          recipients: { type: 'broadcast' },
          channel: alertsSignalChannel(entityRef),
          message: { entityRef },
        })
        .catch(error =>
          this.logger.warn(
            `could not signal alerts of ${entityRef}: ${error.message}`,
          ),
        );
    }
    return [...changed];
  }
}
