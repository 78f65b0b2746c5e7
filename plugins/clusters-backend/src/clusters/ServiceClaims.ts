import type { AuthService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import {
  claimedKubernetesId,
  ServiceBinding,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';

/** The catalog's answer for one kubernetes id. */
export interface ServiceClaim {
  /** the Component that controls the id (bound), else the first claimant */
  entityRef: string;
  binding: ServiceBinding;
}

const TTL_MS = 10_000;

/**
 * Which catalog Component claims each kubernetes id, and its binding (trusted origin, one
 * claimant, placements), read with the plugin's own credentials: ops see every service, and a
 * failover moves a service only where its binding allows.
 */
export class ServiceClaims {
  private cache?: {
    at: number;
    ids: string;
    claims: Map<string, ServiceClaim>;
  };

  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly bindings: ServiceBindings,
    private readonly now: () => number = Date.now,
  ) {}

  /** kubernetes id → its claim; ids no Component claims are left out. */
  async lookup(ids: string[]): Promise<Map<string, ServiceClaim>> {
    const wanted = [...new Set(ids)].sort();
    const key = wanted.join(',');
    if (
      this.cache &&
      this.cache.ids === key &&
      this.now() - this.cache.at < TTL_MS
    ) {
      return this.cache.claims;
    }
    const claims = new Map<string, ServiceClaim>();
    if (wanted.length > 0) {
      const { items } = await this.catalog.getEntities(
        {
          filter: wanted.flatMap((id): Record<string, string>[] => [
            {
              kind: 'component',
              [`metadata.annotations.${KUBERNETES_ID_LABEL}`]: id,
            },
            { kind: 'component', 'metadata.name': id },
          ]),
        },
        { credentials: await this.auth.getOwnServiceCredentials() },
      );
      const entities = items.filter((e: Entity) =>
        wanted.includes(claimedKubernetesId(e)),
      );
      const bindings = await this.bindings.resolveMany(entities);
      entities.forEach((entity, i) => {
        const id = claimedKubernetesId(entity);
        const binding = bindings[i];
        const known = claims.get(id);
        if (
          !known ||
          (binding.status.state === 'bound' &&
            known.binding.status.state !== 'bound')
        ) {
          claims.set(id, { entityRef: stringifyEntityRef(entity), binding });
        }
      });
    }
    this.cache = { at: this.now(), ids: key, claims };
    return claims;
  }
}
