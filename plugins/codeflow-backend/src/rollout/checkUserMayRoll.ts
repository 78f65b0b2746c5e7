import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  CodeflowTarget,
  serviceUpgradePermission,
} from '@internal/plugin-container-cloud-common';
import type { RolloutDeps } from './RolloutRun';

/**
 * Before a person's run is queued: each target service is one they can read, may upgrade (the
 * services' upgrade permission, as the Services page's Upgrade asks) and whose binding covers
 * each placement, in a configured cluster. The first that fails is a 400 or 403 naming the target.
 */
export async function checkUserMayRoll(
  deps: Pick<RolloutDeps, 'catalog' | 'bindings' | 'clusters'> & {
    permissions: Pick<PermissionsService, 'authorize'>;
  },
  targets: CodeflowTarget[],
  credentials: BackstageCredentials,
): Promise<void> {
  const clusterNames = new Set(deps.clusters.names);
  for (const [i, target] of targets.entries()) {
    const field = `targets.${i}`;
    const entity = await deps.catalog.getEntityByRef(target.service, {
      credentials,
    });
    if (!entity) {
      throw new InputError(
        `${field}.service: there is no service ${target.service} in the catalog (or you may not see it)`,
      );
    }
    const resourceRef = stringifyEntityRef(entity);
    const [decision] = await deps.permissions.authorize(
      [{ permission: serviceUpgradePermission, resourceRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `${field}: you may not roll ${target.service} to a new image: upgrading it (${serviceUpgradePermission.name}) is for its owners and ops admins`,
      );
    }
    const binding = await deps.bindings.resolve(entity);
    for (const [j, p] of target.placements.entries()) {
      if (!clusterNames.has(p.cluster)) {
        throw new InputError(
          `${field}.placements.${j}.cluster: there is no cluster ${
            p.cluster
          } (there are ${[...clusterNames].join(', ') || 'none'})`,
        );
      }
      try {
        binding.idIn(p.cluster, p.namespace);
      } catch (error) {
        throw new InputError(
          `${field}.placements.${j}: ${(error as Error).message}`,
        );
      }
    }
  }
}
