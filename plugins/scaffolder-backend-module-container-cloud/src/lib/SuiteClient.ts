import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';

/** The suite's backends an action calls, by plugin id. */
export type SuitePlugin =
  | 'services'
  | 'nginx'
  | 'storage'
  | 'app-store'
  | 'codeflow'
  | 'catalog';

/** A backend's answer that the caller asked to see instead of an error (`accept`). */
export interface SuiteResponse<T> {
  status: number;
  body: T;
}

/** What went wrong in a backend's words, or the status when it said nothing. */
function messageOf(plugin: string, status: number, body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | undefined)?.error
    ?.message;
  return typeof message === 'string' && message
    ? message
    : `the ${plugin} backend answered ${status}`;
}

/**
 * Calls the suite's own backend routes AS the user who runs the template (or calls the MCP
 * action): a token issued on behalf of their credentials, so the route's permission check and
 * audit event are the ones a person clicking on the page gets. The action never writes to a
 * cluster itself and never acts with its own service identity.
 */
export class SuiteClient {
  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      /** the HTTP client (default: the global fetch) */
      fetch?: typeof fetch;
    },
  ) {}

  async request<T>(
    credentials: BackstageCredentials,
    plugin: SuitePlugin,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { body?: unknown; accept?: number[] } = {},
  ): Promise<SuiteResponse<T>> {
    const { discovery, auth } = this.deps;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: plugin,
    });
    const baseUrl = await discovery.getBaseUrl(plugin);
    const response = await (this.deps.fetch ?? fetch)(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(options.body !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
      },
      body:
        options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = { error: { message: text.slice(0, 500) } };
    }
    const { status } = response;
    if (status < 300 || options.accept?.includes(status)) {
      return { status, body: body as T };
    }
    const message = messageOf(plugin, status, body);
    switch (status) {
      case 400:
        throw new InputError(message);
      case 401:
      case 403:
        // the backend's own words: which permission, whose service
        throw new NotAllowedError(message);
      case 404:
        throw new NotFoundError(message);
      case 409:
        throw new ConflictError(message);
      default:
        throw new Error(`${method} ${plugin}${path}: ${message}`);
    }
  }
}
