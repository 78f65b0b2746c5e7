import type {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { HelmRunner } from '../helm/HelmRunner';
import type { InstanceStore } from '../instances/InstanceStore';
import type { ExpiringInstance, ExpiryStore } from './ExpiryStore';

/** Who uninstalls an expired instance, as the record and the audit event name it. */
export const EXPIRY_ACTOR = 'app-store-expiry';

/** What one run did. */
export interface ExpiryRunResult {
  /** instances whose owner was warned in this run (`cluster/namespace/name`) */
  notified: string[];
  /** instances uninstalled in this run */
  expired: string[];
  /** instances whose uninstall failed, with why */
  failed: Array<{ instance: string; error: string }>;
}

export interface ExpiryTaskDeps {
  expiry: ExpiryStore;
  store: InstanceStore;
  helm: HelmRunner;
  notifications?: NotificationService;
  catalog: CatalogService;
  auth: AuthService;
  auditor: AuditorService;
  logger: LoggerService;
  /** how long before expiry the owner is told */
  noticeMs: number;
  /** the clock (tests move it) */
  now?: () => Date;
}

const keyOf = (i: { cluster: string; namespace: string; name: string }) =>
  `${i.cluster}/${i.namespace}/${i.name}`;

function inWords(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  if (hours >= 48) return `${Math.round(hours / 24)} days`;
  if (hours >= 1) return `${hours} hour${hours === 1 ? '' : 's'}`;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * One pass of expiry: warns the owners of test instances that expire within the notice (once:
 * `notified_at` is claimed by a conditional UPDATE only one replica wins), and uninstalls, with
 * Helm, the ones whose time has passed and whose owner was warned (again claimed by one replica),
 * keeping their record (`deleted_reason` 'expired'), with an audit event and a notification each.
 * Production instances have no expiry and are never looked at.
 */
export class ExpiryTask {
  private readonly now: () => Date;

  constructor(private readonly deps: ExpiryTaskDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async run(): Promise<ExpiryRunResult> {
    const result: ExpiryRunResult = { notified: [], expired: [], failed: [] };
    const now = this.now();
    const due = await this.deps.expiry.expiringBefore(
      new Date(now.getTime() + this.deps.noticeMs),
    );
    for (const instance of due) {
      if (!instance.notifiedAt) {
        if (await this.warn(instance, now)) {
          result.notified.push(keyOf(instance));
        }
      } else if (instance.expiresAt.getTime() <= now.getTime()) {
        await this.expire(instance, now, result);
      }
    }
    return result;
  }

  private async warn(instance: ExpiringInstance, now: Date): Promise<boolean> {
    if (!(await this.deps.expiry.claimNotice(instance, now))) return false;
    const left = instance.expiresAt.getTime() - now.getTime();
    try {
      await this.notify(instance, {
        title: `${instance.name} (${instance.chart}) expires ${
          left > 0 ? `in ${inWords(left)}` : 'now'
        }`,
        description: `The app store instance ${keyOf(
          instance,
        )} expires at ${instance.expiresAt.toISOString()} and will then be uninstalled. Extend it on its page if it is still needed.`,
        severity: 'high',
      });
      return true;
    } catch (error) {
      // told no one: give the claim back so the next run tries again
      await this.deps.expiry.releaseNotice(instance, now);
      this.deps.logger.warn(
        `could not warn the owner of ${keyOf(
          instance,
        )} about its expiry: ${error}`,
      );
      return false;
    }
  }

  private async expire(
    instance: ExpiringInstance,
    now: Date,
    result: ExpiryRunResult,
  ): Promise<void> {
    if (!(await this.deps.expiry.claimExpiry(instance, now))) return;
    const key = keyOf(instance);
    const event = await this.deps.auditor.createEvent({
      eventId: 'app-store-instance-expire',
      severityLevel: 'medium',
      meta: {
        instance: key,
        owner: instance.owner,
        chart: instance.chart,
        expiresAt: instance.expiresAt.toISOString(),
        actor: EXPIRY_ACTOR,
      },
    });
    try {
      await this.deps.helm.uninstall(
        { cluster: instance.cluster, namespace: instance.namespace },
        instance.name,
      );
      await this.deps.store.markDeleted(instance, 'expired', EXPIRY_ACTOR);
      await event.success();
    } catch (error) {
      await this.deps.expiry.releaseExpiry(
        instance,
        instance.phase === 'deleting' ? 'unknown' : instance.phase,
        this.now(),
      );
      await event.fail({ error: error as Error });
      result.failed.push({ instance: key, error: String(error) });
      this.deps.logger.error(`could not uninstall expired ${key}: ${error}`);
      return;
    }
    result.expired.push(key);
    try {
      await this.notify(instance, {
        title: `${instance.name} (${instance.chart}) expired and was uninstalled`,
        description: `The app store instance ${key} expired at ${instance.expiresAt.toISOString()} and was uninstalled; its record is kept.`,
        severity: 'normal',
      });
    } catch (error) {
      this.deps.logger.warn(
        `could not tell the owner of ${key} it expired: ${error}`,
      );
    }
  }

  /** Sends to the owning entity: a Group itself, a Component's owner. */
  private async notify(
    instance: ExpiringInstance,
    message: {
      title: string;
      description: string;
      severity: 'high' | 'normal';
    },
  ): Promise<void> {
    const { notifications } = this.deps;
    if (!notifications) {
      throw new Error('the notifications service is not installed');
    }
    await notifications.send({
      recipients: {
        type: 'entity',
        entityRef: await this.recipientOf(instance.owner),
      },
      payload: {
        title: message.title,
        description: message.description,
        link: `/app-store/instances/${instance.cluster}/${instance.namespace}/${instance.name}`,
        severity: message.severity,
        topic: 'app-store-expiry',
        scope: `app-store-expiry:${keyOf(instance)}`,
      },
    });
  }

  private async recipientOf(owner: string): Promise<string> {
    if (parseEntityRef(owner).kind.toLocaleLowerCase('en-US') !== 'component') {
      return owner;
    }
    const entity = await this.deps.catalog.getEntityByRef(owner, {
      credentials: await this.deps.auth.getOwnServiceCredentials(),
    });
    const ownedBy = entity?.relations?.find(r => r.type === 'ownedBy');
    if (!ownedBy) {
      throw new Error(`${owner} has no owner in the catalog to notify`);
    }
    return ownedBy.targetRef;
  }
}
