import type { Config } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import { redactUrl } from '../redact';

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
 * Prometheus could not be reached or refused the query; they show its URL without credentials or
 * query (`redactUrl`), since they reach every reader of a service's page.
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

  /**
   * The URL of an API path under the configured URL (its path and query kept), with a user name
   * and password in the URL sent as basic auth instead (fetch refuses URLs that carry them).
   */
  private endpoint(path: string): {
    url: string;
    headers: Record<string, string>;
  } {
    const url = new URL(this.settings.url);
    const headers: Record<string, string> = {};
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      headers.Authorization = `Basic ${Buffer.from(
        `${user}:${password}`,
      ).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    url.pathname = `${url.pathname.replace(/\/$/, '')}/${path}`;
    return { url: url.toString(), headers };
  }

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
    const { url, headers } = this.endpoint('api/v1/query_range');
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        headers,
        signal: AbortSignal.timeout(this.settings.timeoutMs ?? 10_000),
      });
    } catch (error) {
      // the error's own message may quote the URL, credentials and all: only its kind is shown
      const cause = (error as { cause?: { code?: string } }).cause;
      const why =
        cause?.code ??
        ((error as Error).name === 'TimeoutError'
          ? 'no answer in time'
          : 'the request failed');
      throw new ServiceUnavailableError(
        `Prometheus at ${redactUrl(
          this.settings.url,
        )} could not be reached (${why})`,
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
        `Prometheus at ${redactUrl(this.settings.url)} answered ${
          response.status
        }${payload?.error ? `: ${payload.error}` : ''}`,
      );
    }
    return (payload.data?.result ?? []).map(series => ({
      metric: series.metric,
      values: series.values.map(([t, v]) => [t, Number(v)]),
    }));
  }
}
