import {
  AuthService,
  coreServices,
  createServiceFactory,
  createServiceRef,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  KUBERNETES_ID_LABEL,
  Placement,
  PLACEMENTS_ANNOTATION,
  ServiceBindingStatus,
} from '@internal/plugin-container-cloud-common';
import {
  BindingConfig,
  isTrustedOrigin,
  parsePlacements,
  placementsWithin,
  readBindingConfig,
} from './bindingConfig';
import { describePlacements, ServiceBinding } from './ServiceBinding';

/** The kubernetes id an entity claims: its annotation, else its name. @public */
export function claimedKubernetesId(entity: Entity): string {
  return (
    entity.metadata.annotations?.[KUBERNETES_ID_LABEL] ?? entity.metadata.name
  );
}

const refKey = (ref: string) => ref.toLocaleLowerCase('en-US');

/** The group that owns an entity (`spec.owner`, a short name meaning a group), lower-case. */
function ownerGroupOf(entity: Entity): string | undefined {
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || owner.length === 0) return undefined;
  try {
    const ref = parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    });
    return ref.kind.toLocaleLowerCase('en-US') === 'group'
      ? refKey(stringifyEntityRef(ref))
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long the trusted claimants of a kubernetes id are remembered. Every service route resolves
 * a binding (a shell's keystrokes too), and asking the catalog each time tripled the cost of a
 * page view; only a second *trusted* claimant changes the answer, and trusted origins are what
 * ops configure, so a few seconds' delay in noticing one is harmless.
 *
 * @public
 */
export const CLAIMANTS_TTL_MS = 5_000;

/**
 * Decides, from the catalog, which workloads entities control (see ServiceBinding): trusted
 * origins, one trusted claimant per kubernetes id, placements. The catalog is read with the
 * plugin's own credentials, so an entity the caller may not see still counts as a claimant.
 * @public
 */
export class ServiceBindings {
  static fromConfig(
    config: Config,
    deps: { catalog: CatalogService; auth: AuthService },
  ): ServiceBindings {
    return new ServiceBindings(
      readBindingConfig(config),
      deps.catalog,
      deps.auth,
    );
  }

  /** kubernetes id → its trusted claimants, as the catalog answered at `at` */
  private readonly claimantsCache = new Map<
    string,
    { at: number; refs: string[] }
  >();

  constructor(
    private readonly config: BindingConfig,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
    private readonly cache: { ttlMs: number; now: () => number } = {
      ttlMs: CLAIMANTS_TTL_MS,
      now: Date.now,
    },
  ) {}

  async resolve(entity: Entity): Promise<ServiceBinding> {
    return (await this.resolveMany([entity]))[0];
  }

  /** One catalog query for all of them (a page of the Services list). */
  async resolveMany(entities: Entity[]): Promise<ServiceBinding[]> {
    const trusted = entities.filter(e => this.isTrusted(e));
    const claimants = await this.trustedClaimants([
      ...new Set(trusted.map(claimedKubernetesId)),
    ]);
    return entities.map(entity => {
      const entityRef = stringifyEntityRef(entity);
      return new ServiceBinding(
        entityRef,
        this.statusOf(entity, entityRef, claimants),
      );
    });
  }

  private isTrusted(entity: Entity): boolean {
    return isTrustedOrigin(
      entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION],
      this.config.trustedOrigins,
    );
  }

  private statusOf(
    entity: Entity,
    entityRef: string,
    claimants: Map<string, string[]>,
  ): ServiceBindingStatus {
    const kubernetesId = claimedKubernetesId(entity);
    if (!this.isTrusted(entity)) {
      const origin =
        entity.metadata.annotations?.[ANNOTATION_ORIGIN_LOCATION] ??
        'no origin';
      return {
        state: 'untrusted',
        kubernetesId,
        message: `${entityRef} controls no workloads: it was registered from ${origin}, which is not a trusted origin, so it may not claim kubernetes id '${kubernetesId}'. Ask ops to add it to a trusted catalog location or the CMDB (containerCloud.binding.trustedOrigins).`,
      };
    }
    const others = (claimants.get(kubernetesId) ?? []).filter(
      ref => refKey(ref) !== refKey(entityRef),
    );
    if (others.length > 0) {
      return {
        state: 'conflict',
        kubernetesId,
        conflictsWith: others,
        message: `${entityRef} controls no workloads: ${others.join(
          ', ',
        )} also claim${
          others.length === 1 ? 's' : ''
        } kubernetes id '${kubernetesId}' from a trusted origin. A kubernetes id belongs to one service: ops must remove or rename one of the claims.`,
      };
    }
    let found: { placements?: Placement[]; fromAnnotation: boolean };
    try {
      found = this.placementsOf(entity, entityRef);
    } catch (error) {
      return {
        state: 'unplaced',
        kubernetesId,
        message: `${entityRef} controls no workloads: its ${PLACEMENTS_ANNOTATION} annotation does not parse: ${
          (error as Error).message
        }`,
      };
    }
    const { placements } = found;
    if (!placements && this.config.requirePlacements) {
      return {
        state: 'unplaced',
        kubernetesId,
        placements: [],
        message: `${entityRef} controls no workloads: it names no cluster and namespace, and this portal requires them (containerCloud.binding.requirePlacements). Add the annotation ${PLACEMENTS_ANNOTATION}, e.g. "*/${
          entity.spec?.system ?? 'my-namespace'
        }".`,
      };
    }
    if (!placements && this.config.requireTeamPlacements) {
      return this.teamGrantOnly(entity, entityRef, kubernetesId);
    }
    if (placements && found.fromAnnotation) {
      return this.withinTeamPlacements(
        entity,
        entityRef,
        kubernetesId,
        placements,
      );
    }
    return {
      state: 'bound',
      kubernetesId,
      ...(placements ? { placements } : {}),
    };
  }

  /**
   * An annotation is written by whoever writes the entity's file (a template, a team): it covers
   * only what ops granted the owner group (containerCloud.binding.teamPlacements).
   */
  private withinTeamPlacements(
    entity: Entity,
    entityRef: string,
    kubernetesId: string,
    annotated: Placement[],
  ): ServiceBindingStatus {
    const owner = ownerGroupOf(entity);
    const granted = owner ? this.teamPlacementsOf(owner) : undefined;
    if (!granted) {
      if (!this.config.requireTeamPlacements) {
        return { state: 'bound', kubernetesId, placements: annotated };
      }
      return {
        state: 'unplaced',
        kubernetesId,
        placements: [],
        message: `${entityRef} controls no workloads: its owner ${
          owner ?? '(none)'
        } has been granted no clusters and namespaces, and this portal takes a ${PLACEMENTS_ANNOTATION} annotation only inside its owner's grant (containerCloud.binding.requireTeamPlacements). Ask ops to grant ${
          owner ?? 'the owner group'
        } placements (containerCloud.binding.teamPlacements).`,
      };
    }
    const { kept, dropped, narrowed } = placementsWithin(annotated, granted);
    if (dropped.length === 0 && narrowed.length === 0) {
      return { state: 'bound', kubernetesId, placements: kept };
    }
    const reasons = [
      ...(dropped.length > 0
        ? [
            `${describePlacements(dropped)} ${
              dropped.length === 1 ? 'is' : 'are'
            } outside what ops granted ${owner}`,
          ]
        : []),
      ...narrowed.map(
        n =>
          `${describePlacements([n.from])} counts only in ${describePlacements(
            n.to,
          )}, where ops granted ${owner} that namespace`,
      ),
    ];
    const why = `${reasons.join('; ')} (${owner}: ${describePlacements(
      granted,
    )}, containerCloud.binding.teamPlacements)`;
    if (kept.length === 0) {
      return {
        state: 'unplaced',
        kubernetesId,
        placements: [],
        message: `${entityRef} controls no workloads: its ${PLACEMENTS_ANNOTATION} annotation names only placements its owner may not use: ${why}.`,
      };
    }
    return {
      state: 'bound',
      kubernetesId,
      placements: kept,
      message: `${entityRef} controls its workloads in ${describePlacements(
        kept,
      )} only: ${why}.`,
    };
  }

  /**
   * An entity that names no placements, where team placements are required: without them it
   * would control its workloads in every namespace of every cluster, so it controls them where
   * ops granted its owner group, and nowhere when the group has no grant.
   */
  private teamGrantOnly(
    entity: Entity,
    entityRef: string,
    kubernetesId: string,
  ): ServiceBindingStatus {
    const owner = ownerGroupOf(entity);
    const granted = owner ? this.teamPlacementsOf(owner) : undefined;
    if (!granted || granted.length === 0) {
      return {
        state: 'unplaced',
        kubernetesId,
        placements: [],
        message: `${entityRef} controls no workloads: it names no cluster and namespace, and its owner ${
          owner ?? '(none)'
        } has been granted none (containerCloud.binding.requireTeamPlacements). Ask ops to grant ${
          owner ?? 'the owner group'
        } placements (containerCloud.binding.teamPlacements).`,
      };
    }
    return {
      state: 'bound',
      kubernetesId,
      placements: granted,
      message: `${entityRef} names no cluster and namespace (${PLACEMENTS_ANNOTATION}): it controls its workloads where ops granted ${owner}: ${describePlacements(
        granted,
      )} (containerCloud.binding.teamPlacements).`,
    };
  }

  /** What ops granted a group (containerCloud.binding.teamPlacements); undefined: nothing set. */
  teamPlacementsOf(groupRef: string): Placement[] | undefined {
    return this.config.teamPlacements?.get(refKey(groupRef));
  }

  /** Whether a Component's annotation counts only inside its owner's team placements. */
  get requireTeamPlacements(): boolean {
    return this.config.requireTeamPlacements ?? false;
  }

  private placementsOf(
    entity: Entity,
    entityRef: string,
  ): { placements?: Placement[]; fromAnnotation: boolean } {
    const configured = this.config.placements.get(refKey(entityRef));
    if (configured) return { placements: configured, fromAnnotation: false };
    const annotation = entity.metadata.annotations?.[PLACEMENTS_ANNOTATION];
    return annotation === undefined
      ? { fromAnnotation: false }
      : { placements: parsePlacements(annotation), fromAnnotation: true };
  }

  /**
   * The trusted Components claiming a kubernetes id (by annotation, or by name without one), e.g.
   * to tell whether a new service's id is free; remembered for a few seconds as for `resolve`.
   */
  async claimantsOf(kubernetesId: string): Promise<string[]> {
    return (
      (await this.trustedClaimants([kubernetesId])).get(kubernetesId) ?? []
    );
  }

  /**
   * kubernetes id → the trusted Components claiming it (by annotation, or by name without one);
   * remembered for `cache.ttlMs`.
   */
  private async trustedClaimants(ids: string[]) {
    const now = this.cache.now();
    const result = new Map<string, string[]>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.claimantsCache.get(id);
      if (cached && now - cached.at < this.cache.ttlMs) {
        result.set(id, cached.refs);
      } else {
        missing.push(id);
      }
    }
    if (missing.length === 0) return result;
    const asked = await this.askCatalog(missing);
    for (const [id, at] of this.claimantsCache) {
      if (now - at.at >= this.cache.ttlMs) this.claimantsCache.delete(id);
    }
    for (const id of missing) {
      const refs = asked.get(id) ?? [];
      this.claimantsCache.set(id, { at: now, refs });
      result.set(id, refs);
    }
    return result;
  }

  private async askCatalog(ids: string[]) {
    const result = new Map<string, string[]>();
    const { items } = await this.catalog.getEntities(
      {
        filter: ids.flatMap((id): Record<string, string>[] => [
          {
            kind: 'component',
            [`metadata.annotations.${KUBERNETES_ID_LABEL}`]: id,
          },
          { kind: 'component', 'metadata.name': id },
        ]),
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
        ],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    for (const entity of items) {
      const id = claimedKubernetesId(entity);
      // the catalog matches case-insensitively; labels do not
      if (!ids.includes(id) || !this.isTrusted(entity)) continue;
      result.set(id, [...(result.get(id) ?? []), stringifyEntityRef(entity)]);
    }
    return result;
  }
}

/**
 * The bindings of one plugin, reading the catalog as that plugin.
 * @public
 */
export const serviceBindingsServiceRef = createServiceRef<ServiceBindings>({
  id: 'container-cloud.bindings',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: {
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      factory: ({ config, auth, catalog }) =>
        ServiceBindings.fromConfig(config, { catalog, auth }),
    }),
});
