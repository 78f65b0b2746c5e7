import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';

/** The URL of a route under a service in the services backend: `…/services/:namespace/:name<suffix>`. */
export async function serviceUrl(
  discoveryApi: DiscoveryApi,
  entity: CompoundEntityRef,
  suffix: string,
): Promise<string> {
  const base = await discoveryApi.getBaseUrl('services');
  return `${base}/services/${encodeURIComponent(
    entity.namespace,
  )}/${encodeURIComponent(entity.name)}${suffix}`;
}

/**
 * The backend's error, with the backend's own words as its message (a ResponseError otherwise
 * says only "Request failed with 404 Not Found"); status and body stay on it for error panels.
 */
export async function backendError(response: Response): Promise<ResponseError> {
  const error = await ResponseError.fromResponse(response);
  const said = (error.body?.error as { message?: string } | undefined)?.message;
  if (said) error.message = said;
  return error;
}
