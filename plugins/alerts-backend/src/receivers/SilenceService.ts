import { NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import type {
  SilenceCreate,
  SilenceList,
  SilenceView,
} from '@internal/plugin-container-cloud-common';
import { ALERT_LABELS } from '@internal/plugin-container-cloud-common';
import {
  AlertmanagerClient,
  AmSilence,
  equalityFilter,
} from './AlertmanagerClient';

/** Whether a silence holds `cc_entity="<entityRef>"` exactly: only then is it this service's. */
export function silencesOnly(silence: AmSilence, entityRef: string): boolean {
  return silence.matchers.some(
    m =>
      m.name === ALERT_LABELS.entity &&
      m.value === entityRef &&
      !m.isRegex &&
      m.isEqual !== false,
  );
}

function silenceView(s: AmSilence): SilenceView {
  return {
    id: s.id,
    state: s.status.state,
    matchers: s.matchers.map(m => ({
      name: m.name,
      value: m.value,
      isRegex: m.isRegex,
      isEqual: m.isEqual !== false,
    })),
    reason: s.comment,
    createdBy: s.createdBy,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
  };
}

/**
 * Silences of one service's alerts in Alertmanager: every silence made here matches the service's
 * own `cc_entity` exactly, whatever else it matches, so it can never hide another team's alerts;
 * only such silences are listed and may be expired here.
 */
export class SilenceService {
  constructor(private readonly alertmanager: AlertmanagerClient | undefined) {}

  private client(): AlertmanagerClient {
    if (!this.alertmanager) {
      throw new ServiceUnavailableError(
        'Alertmanager is not configured (containerCloud.alerts.alertmanager.url)',
      );
    }
    return this.alertmanager;
  }

  async list(entityRef: string): Promise<SilenceList> {
    try {
      const all = await this.client().silences([
        equalityFilter(ALERT_LABELS.entity, entityRef),
      ]);
      const order = { active: 0, pending: 1, expired: 2 };
      return {
        items: all
          .filter(s => silencesOnly(s, entityRef))
          .map(silenceView)
          .sort(
            (a, b) =>
              order[a.state] - order[b.state] ||
              b.startsAt.localeCompare(a.startsAt),
          ),
        source: { source: 'alertmanager', status: 'ok' },
      };
    } catch (error) {
      return {
        items: [],
        source: {
          source: 'alertmanager',
          status: 'unreachable',
          message: (error as Error).message,
        },
      };
    }
  }

  async create(
    entityRef: string,
    input: SilenceCreate,
    by: string,
    now = new Date(),
  ): Promise<SilenceView> {
    const client = this.client();
    const matchers = [
      {
        name: ALERT_LABELS.entity,
        value: entityRef,
        isRegex: false,
        isEqual: true,
      },
      ...(input.matchers ?? []).map(m => ({
        name: m.name,
        value: m.value,
        isRegex: false,
        isEqual: true,
      })),
    ];
    const id = await client.createSilence({
      matchers,
      startsAt: now.toISOString(),
      endsAt: new Date(
        now.getTime() + input.durationMinutes * 60_000,
      ).toISOString(),
      createdBy: by,
      comment: input.reason,
    });
    const created = await client.silence(id);
    if (!created) throw new Error(`Alertmanager lost silence ${id}`);
    return silenceView(created);
  }

  /** Expires one of the service's silences; another service's (or none) is a 404. */
  async expire(entityRef: string, id: string): Promise<SilenceView> {
    const client = this.client();
    const silence = await client.silence(id);
    if (!silence || !silencesOnly(silence, entityRef)) {
      throw new NotFoundError(`no silence ${id} of ${entityRef}`);
    }
    if (silence.status.state !== 'expired') await client.expireSilence(id);
    return silenceView((await client.silence(id)) ?? silence);
  }
}
