import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ContainerCloudApiError } from './ContainerCloudApiError';

/** What every client needs to reach its backend as the signed-in user. @public */
export interface BackendApis {
  discoveryApi: DiscoveryApi;
  fetchApi: FetchApi;
}

/** A request to a plugin's backend. @public */
export interface BackendRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** query parameters; undefined and empty values are left out */
  query?: Record<string, string | number | boolean | undefined>;
  /** sent as JSON */
  body?: unknown;
  signal?: AbortSignal;
}

/** `path` under the plugin's base URL, with the query's non-empty values. */
async function backendUrl(
  apis: BackendApis,
  pluginId: string,
  path: string,
  query: BackendRequest['query'],
): Promise<string> {
  const base = await apis.discoveryApi.getBaseUrl(pluginId);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return `${base}${path}${search ? `?${search}` : ''}`;
}

/**
 * Sends a request to a plugin's backend through `fetchApi` (so the user's Backstage token goes
 * along) and returns the response; a non-2xx answer is thrown as a {@link ContainerCloudApiError}.
 * For answers that are not JSON: text, files, event streams.
 * @public
 */
export async function fetchBackend(
  apis: BackendApis,
  pluginId: string,
  path: string,
  request: BackendRequest = {},
): Promise<Response> {
  const hasBody = request.body !== undefined;
  const response = await apis.fetchApi.fetch(
    await backendUrl(apis, pluginId, path, request.query),
    {
      method: request.method ?? 'GET',
      signal: request.signal,
      headers: hasBody ? { 'Content-Type': 'application/json' } : undefined,
      body: hasBody ? JSON.stringify(request.body) : undefined,
    },
  );
  if (!response.ok) throw await ContainerCloudApiError.fromResponse(response);
  return response;
}

/**
 * {@link fetchBackend} for a JSON answer: resolves with the parsed body.
 * @public
 */
export async function fetchJson<T>(
  apis: BackendApis,
  pluginId: string,
  path: string,
  request: BackendRequest = {},
): Promise<T> {
  const response = await fetchBackend(apis, pluginId, path, request);
  return (await response.json()) as T;
}
