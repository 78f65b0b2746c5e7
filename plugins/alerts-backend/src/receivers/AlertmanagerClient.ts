import { ServiceUnavailableError } from '@backstage/errors';

/** An alert as Alertmanager's API v2 answers it (the fields read here). */
export interface AmAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  status: {
    state: 'active' | 'suppressed' | 'unprocessed';
    silencedBy: string[];
    inhibitedBy: string[];
  };
}

export interface AmMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface AmSilence {
  id: string;
  matchers: AmMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

/** The matcher syntax of Alertmanager's `filter` parameter, for one label's exact value. */
export function equalityFilter(name: string, value: string): string {
  return `${name}=${JSON.stringify(value)}`;
}

/** Alertmanager's API v2 and its reload endpoint. */
export class AlertmanagerClient {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        ...init,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ServiceUnavailableError(
        `Alertmanager at ${this.url} did not answer: ${
          (error as Error).message
        }`,
      );
    }
    if (!response.ok) {
      const text = (await response.text()).slice(0, 500);
      const error = new ServiceUnavailableError(
        `Alertmanager answered ${response.status} to ${
          init.method ?? 'GET'
        } ${path}: ${text}`,
      );
      (error as { upstreamStatus?: number }).upstreamStatus = response.status;
      throw error;
    }
    return response;
  }

  /** The configuration Alertmanager runs, as its status shows it (re-serialised YAML). */
  async loadedConfig(): Promise<string> {
    const status = await (await this.call('/api/v2/status')).json();
    return String(status?.config?.original ?? '');
  }

  async reload(): Promise<void> {
    await this.call('/-/reload', { method: 'POST' });
  }

  /** Active alerts (silenced and inhibited ones too) matching every filter. */
  async alerts(filters: string[] = []): Promise<AmAlert[]> {
    const query = new URLSearchParams({
      active: 'true',
      silenced: 'true',
      inhibited: 'true',
      unprocessed: 'true',
    });
    for (const filter of filters) query.append('filter', filter);
    return (await this.call(`/api/v2/alerts?${query}`)).json();
  }

  async silences(filters: string[] = []): Promise<AmSilence[]> {
    const query = new URLSearchParams();
    for (const filter of filters) query.append('filter', filter);
    return (await this.call(`/api/v2/silences?${query}`)).json();
  }

  async silence(id: string): Promise<AmSilence | undefined> {
    try {
      return await (
        await this.call(`/api/v2/silence/${encodeURIComponent(id)}`)
      ).json();
    } catch (error) {
      if ((error as { upstreamStatus?: number }).upstreamStatus === 404) {
        return undefined;
      }
      throw error;
    }
  }

  async createSilence(silence: {
    matchers: AmMatcher[];
    startsAt: string;
    endsAt: string;
    createdBy: string;
    comment: string;
  }): Promise<string> {
    const response = await this.call('/api/v2/silences', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(silence),
    });
    return (await response.json()).silenceID;
  }

  async expireSilence(id: string): Promise<void> {
    await this.call(`/api/v2/silence/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }
}
