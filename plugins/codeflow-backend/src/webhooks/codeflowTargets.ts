import type { AuthService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { CodeflowStore } from '../definitions/CodeflowStore';
import type { WebhookTarget, WebhookTargets } from './WebhookTargets';

/**
 * The webhook targets of the codeflows the definitions part stores: a live codeflow's
 * repository and webhook rules (`definition.triggers.webhook`), and its service's owner from the
 * catalog, read with the plugin's own credentials (a delivery has no caller). Undefined for a
 * deleted codeflow, or one whose service left the catalog.
 */
export function storedCodeflowTargets(deps: {
  codeflows: CodeflowStore;
  catalog: CatalogService;
  auth: AuthService;
}): WebhookTargets {
  return {
    async find(codeflowId: string): Promise<WebhookTarget | undefined> {
      const codeflow = await deps.codeflows.get(codeflowId);
      if (!codeflow) return undefined;
      const entity = await deps.catalog.getEntityByRef(codeflow.service, {
        credentials: await deps.auth.getOwnServiceCredentials(),
      });
      const owner = (entity?.spec as { owner?: unknown } | undefined)?.owner;
      if (!entity || typeof owner !== 'string') return undefined;
      const { repositoryUrl, triggers } = codeflow.definition;
      return {
        codeflowId: codeflow.id,
        entityRef: codeflow.service,
        ownerRef: owner.includes(':') ? owner : `group:default/${owner}`,
        repositoryUrl,
        enabled: triggers.webhook.enabled,
        rules: triggers.webhook.rules,
      };
    },
  };
}
