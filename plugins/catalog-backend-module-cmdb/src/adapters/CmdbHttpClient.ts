import { LoggerService } from '@backstage/backend-plugin-api';
import { NotAllowedError, ResponseError } from '@backstage/errors';

/** @public */
export type CmdbAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

/** @public */
export interface CmdbHttpOptions {
  /** Abort one request after this long and count it as a failure. */
  requestTimeoutMs: number;
  /** Tries per request (the first one included) before the sync fails. */
  attempts: number;
  /** Wait before the second try; doubled before each further try. */
  retryDelayMs: number;
}

const RETRIED_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

function authorizationHeader(auth: CmdbAuth): string | undefined {
  switch (auth.type) {
    case 'bearer':
      return `Bearer ${auth.token}`;
    case 'basic':
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString(
        'base64',
      )}`;
    default:
      return undefined;
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * GETs JSON from the CMDB: adds authentication, gives up on slow answers, and retries network
 * errors, timeouts and 5xx/429 answers with exponential backoff. Authentication failures (401/403)
 * fail at once: retrying would not help and might lock the account.
 */
export class CmdbHttpClient {
  constructor(
    private readonly auth: CmdbAuth,
    private readonly options: CmdbHttpOptions,
    private readonly logger: LoggerService,
  ) {}

  async getJson(url: URL, signal?: AbortSignal): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const authorization = authorizationHeader(this.auth);
    if (authorization) headers.Authorization = authorization;

    for (let attempt = 1; ; attempt++) {
      let failure: Error;
      try {
        const timeout = AbortSignal.timeout(this.options.requestTimeoutMs);
        const response = await fetch(url, {
          headers,
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        if (response.ok) {
          return await response.json();
        }
        if (response.status === 401 || response.status === 403) {
          await response.body?.cancel();
          throw new NotAllowedError(
            `CMDB refused the credentials (HTTP ${response.status}) for ${url.origin}${url.pathname}`,
          );
        }
        failure = await ResponseError.fromResponse(response);
        if (!RETRIED_STATUSES.has(response.status)) throw failure;
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (
          error instanceof NotAllowedError ||
          (error instanceof ResponseError &&
            !RETRIED_STATUSES.has(error.response.status))
        ) {
          throw error;
        }
        failure = error as Error;
      }
      if (attempt >= this.options.attempts) {
        throw new Error(
          `CMDB request ${url.pathname} failed after ${attempt} tries: ${failure.message}`,
        );
      }
      const wait = this.options.retryDelayMs * 2 ** (attempt - 1);
      this.logger.warn(
        `CMDB request ${url.pathname} failed (${failure.message}); try ${
          attempt + 1
        } of ${this.options.attempts} in ${wait} ms`,
      );
      await delay(wait, signal);
    }
  }
}
