import type { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';

/** One series of a range query: its labels and `[unix seconds, value]` samples. @public */
export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, number]>;
}

/** Where Prometheus is and how it names clusters. @public */
export interface PrometheusSettings {
  url: string;
  /** the label that tells clusters apart in the series (default `cluster`) */
  clusterLabel: string;
  /** how long one query may take; default 10 s */
  timeoutMs?: number;
}

/** Label values inside a PromQL string literal. @public */
export function promString(value: string): string {
  return `"${value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')}"`;
}

/**
 * Prometheus' HTTP API, as far as the suite reads it (range queries). Errors say in words whether
 * Prometheus could not be reached or refused the query.
 * @public
 */
export class PrometheusClient {
  /** The client for `containerCloud.prometheus`, or undefined when no URL is configured. */
  static fromConfig(config: Config): PrometheusClient | undefined {
    const url = config.getOptionalString('containerCloud.prometheus.url');
    if (!url) return undefined;
    return new PrometheusClient({
      url,
      clusterLabel:
        config.getOptionalString('containerCloud.prometheus.clusterLabel') ??
        'cluster',
    });
  }

  constructor(readonly settings: PrometheusSettings) {}

  async queryRange(
    query: string,
    range: { start: number; end: number; step: number },
  ): Promise<RangeSeries[]> {
    const body = new URLSearchParams({
      query,
      start: String(range.start),
      end: String(range.end),
      step: String(range.step),
    });
    const url = `${this.settings.url.replace(/\/$/, '')}/api/v1/query_range`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } })
        .cause;
      throw new ServiceUnavailableError(
        `Prometheus at ${this.settings.url} could not be reached (${
          cause?.code ?? cause?.message ?? (error as Error).message
        })`,
      );
    }
    const payload = (await response.json().catch(() => undefined)) as
      | {
          status: string;
          error?: string;
          data?: {
            result: Array<{
              metric: Record<string, string>;
              values: Array<[number, string]>;
            }>;
          };
        }
      | undefined;
    if (!response.ok || payload?.status !== 'success') {
      throw new ServiceUnavailableError(
        `Prometheus at ${this.settings.url} answered ${response.status}${
          payload?.error ? `: ${payload.error}` : ''
        }`,
      );
    }
    return (payload.data?.result ?? []).map(series => ({
      metric: series.metric,
      values: series.values.map(([t, v]) => [t, Number(v)]),
    }));
  }
}
