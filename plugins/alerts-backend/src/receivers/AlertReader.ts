import { createHash } from 'node:crypto';
import type {
  AlertSourceStatus,
  AlertView,
} from '@internal/plugin-container-cloud-common';
import { ALERT_LABELS } from '@internal/plugin-container-cloud-common';
import {
  AlertmanagerClient,
  AmAlert,
  equalityFilter,
} from './AlertmanagerClient';
import type { PrometheusSource } from './settings';

/** An alert as Prometheus' /api/v1/alerts answers it. */
interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value?: string;
}

/** What every source said: the alerts, and which sources did not answer. */
export interface AlertReading {
  alerts: AlertView[];
  sources: AlertSourceStatus[];
}

async function prometheusAlerts(
  source: PrometheusSource,
  timeoutMs: number,
): Promise<PromAlert[]> {
  let response: Response;
  try {
    response = await fetch(`${source.url.replace(/\/+$/, '')}/api/v1/alerts`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(
      `Prometheus '${source.name}' did not answer: ${(error as Error).message}`,
    );
  }
  if (!response.ok) {
    throw new Error(
      `Prometheus '${source.name}' answered ${response.status} to /api/v1/alerts`,
    );
  }
  const body = await response.json();
  return body?.data?.alerts ?? [];
}

/** A stable id for an alert from its labels (what Alertmanager's fingerprint is to a firing one). */
function labelsId(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map(k => `${k}=${labels[k]}`)
    .join('\n');
  return createHash('sha256').update(sorted).digest('hex').slice(0, 16);
}

/** Whether every label of `subset` has the same value in `labels`. */
function within(
  subset: Record<string, string>,
  labels: Record<string, string>,
): boolean {
  return Object.entries(subset).every(([k, v]) => labels[k] === v);
}

/** Prometheus' value text ("9.1e-01") as a person reads it ("0.91"). */
function readableValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? String(number) : value;
}

function view(
  labels: Record<string, string>,
  annotations: Record<string, string>,
  rest: Pick<AlertView, 'id' | 'state' | 'startsAt' | 'value' | 'silencedBy'>,
): AlertView {
  const cluster = labels[ALERT_LABELS.cluster] ?? labels.cluster;
  const namespace = labels[ALERT_LABELS.namespace];
  const pod = labels[ALERT_LABELS.pod];
  const container = labels[ALERT_LABELS.container];
  return {
    ...rest,
    value: readableValue(rest.value),
    name: labels.alertname ?? '(unnamed)',
    severity: labels[ALERT_LABELS.severity],
    entityRef: labels[ALERT_LABELS.entity],
    rule: labels[ALERT_LABELS.rule],
    cluster,
    namespace,
    pod,
    container,
    summary: annotations.summary ?? annotations.description,
    labels,
    metricsLink:
      cluster && namespace && pod
        ? { cluster, namespace, pod, container }
        : undefined,
  };
}

/**
 * Firing alerts from Alertmanager and pending ones (and each one's value) from every configured
 * Prometheus, merged. A source that does not answer is reported as unreachable: its alerts are
 * unknown, never zero.
 */
export class AlertReader {
  constructor(
    private readonly alertmanager: AlertmanagerClient | undefined,
    private readonly prometheus: PrometheusSource[],
    private readonly timeoutMs: number,
  ) {}

  /** The alerts of one entity (`entityRef`), or of every entity when undefined. */
  async read(entityRef?: string): Promise<AlertReading> {
    const sources: AlertSourceStatus[] = [];
    const matches = (labels: Record<string, string>) =>
      entityRef === undefined || labels[ALERT_LABELS.entity] === entityRef;

    let amAlerts: AmAlert[] = [];
    if (this.alertmanager) {
      try {
        amAlerts = await this.alertmanager.alerts(
          entityRef ? [equalityFilter(ALERT_LABELS.entity, entityRef)] : [],
        );
        sources.push({ source: 'alertmanager', status: 'ok' });
      } catch (error) {
        sources.push({
          source: 'alertmanager',
          status: 'unreachable',
          message: (error as Error).message,
        });
      }
    } else {
      sources.push({
        source: 'alertmanager',
        status: 'unreachable',
        message: 'containerCloud.alerts.alertmanager.url is not configured',
      });
    }

    const promResults = await Promise.all(
      this.prometheus.map(async source => {
        try {
          const alerts = await prometheusAlerts(source, this.timeoutMs);
          sources.push({
            source: `prometheus:${source.name}`,
            status: 'ok',
            clusters: source.clusters,
          });
          return alerts.filter(
            a => a.state !== 'inactive' && matches(a.labels),
          );
        } catch (error) {
          sources.push({
            source: `prometheus:${source.name}`,
            status: 'unreachable',
            clusters: source.clusters,
            message: (error as Error).message,
          });
          return [];
        }
      }),
    );
    const promAlerts = promResults.flat();

    const alerts: AlertView[] = [];
    const used = new Set<PromAlert>();
    for (const am of amAlerts) {
      if (!matches(am.labels)) continue;
      // the Prometheus alert behind it, for its value (Alertmanager adds external labels only)
      const prom = promAlerts.find(
        p =>
          p.state === 'firing' && !used.has(p) && within(p.labels, am.labels),
      );
      if (prom) used.add(prom);
      const silenced = am.status.silencedBy?.length ?? 0;
      alerts.push(
        view(am.labels, am.annotations ?? {}, {
          id: am.fingerprint,
          state:
            am.status.state === 'suppressed' && silenced > 0
              ? 'silenced'
              : 'firing',
          startsAt: am.startsAt,
          value: prom?.value,
          silencedBy: am.status.silencedBy ?? [],
        }),
      );
    }
    for (const prom of promAlerts) {
      if (used.has(prom)) continue;
      // firing in Prometheus but not (yet) in Alertmanager: shown as firing all the same
      alerts.push(
        view(prom.labels, prom.annotations ?? {}, {
          id: labelsId(prom.labels),
          state: prom.state === 'firing' ? 'firing' : 'pending',
          startsAt: prom.activeAt,
          value: prom.value,
          silencedBy: [],
        }),
      );
    }
    const order = { firing: 0, pending: 1, silenced: 2 };
    alerts.sort(
      (a, b) =>
        order[a.state] - order[b.state] ||
        (a.startsAt ?? '').localeCompare(b.startsAt ?? ''),
    );
    sources.sort((a, b) => a.source.localeCompare(b.source));
    return { alerts, sources };
  }
}
