import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import type { DomainView } from '../api/NginxClient';

/**
 * A save that lost to someone else's change (409): the domain as it is now (null when it was
 * deleted). Undefined for any other error.
 */
export function conflictOf(
  error: unknown,
): { message: string; current: DomainView | null } | undefined {
  if (!(error instanceof ContainerCloudApiError) || error.status !== 409) {
    return undefined;
  }
  return {
    message: error.message,
    current: (error.current as DomainView | undefined) ?? null,
  };
}
