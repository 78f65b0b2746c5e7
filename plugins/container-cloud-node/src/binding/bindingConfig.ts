import path from 'node:path';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { Placement } from '@internal/plugin-container-cloud-common';

/** `containerCloud.binding`, parsed once. @public */
export interface BindingConfig {
  /**
   * Location refs (`type:target`) an entity's `backstage.io/managed-by-origin-location` must
   * equal, or, ending in `*`, start with, for the entity to claim a kubernetes id.
   */
  trustedOrigins: string[];
  /** true: an entity without placements controls nothing; false: every namespace, as before */
  requirePlacements: boolean;
  /** placements ops set per entity ref; they replace the entity's annotation */
  placements: Map<string, Placement[]>;
}

/**
 * The origins the catalog writes for what ops configured: each `catalog.locations` entry as the
 * catalog resolves it (a file target made absolute against the backend's working directory, as
 * its ConfigLocationEntityProvider does), and `cmdb:<id>` for each CMDB provider
 * (`catalog.providers.cmdb.<id>`). Users can register only `url` locations, so neither a `file:`
 * nor a `cmdb:` origin can come from them.
 *
 * @public
 */
export function defaultTrustedOrigins(config: Config): string[] {
  const locations = (
    config.getOptionalConfigArray('catalog.locations') ?? []
  ).map(location => {
    const type = location.getString('type');
    const target = location.getString('target');
    return `${type}:${type === 'file' ? path.resolve(target) : target}`;
  });
  const cmdb = config.getOptionalConfig('catalog.providers.cmdb');
  const providers = (cmdb?.keys() ?? []).map(id => `cmdb:${id}`);
  return [...locations, ...providers];
}

/**
 * Reads `containerCloud.binding` (see config.d.ts); throws on a placement that does not parse.
 *
 * @public
 */
export function readBindingConfig(config: Config): BindingConfig {
  const binding = config.getOptionalConfig('containerCloud.binding');
  const placements = new Map<string, Placement[]>();
  // read as a plain object: entity refs are not config key names
  const byEntity = binding?.getOptional('placements') ?? {};
  for (const [entityRef, list] of Object.entries(byEntity)) {
    const key = `containerCloud.binding.placements.${entityRef}`;
    if (!Array.isArray(list) || list.some(item => typeof item !== 'string')) {
      throw new InputError(`${key} must be a list of cluster/namespace`);
    }
    try {
      placements.set(
        entityRef.toLocaleLowerCase('en-US'),
        (list as string[]).flatMap(parsePlacements),
      );
    } catch (error) {
      throw new InputError(`${key}: ${(error as Error).message}`);
    }
  }
  return {
    trustedOrigins: [
      ...(binding?.getOptionalStringArray('trustedOrigins') ??
        defaultTrustedOrigins(config)),
      ...(binding?.getOptionalStringArray('additionalTrustedOrigins') ?? []),
    ],
    requirePlacements:
      binding?.getOptionalBoolean('requirePlacements') ?? false,
    placements,
  };
}

/** True when `origin` equals a trusted entry, or starts with one that ends in `*`. @public */
export function isTrustedOrigin(
  origin: string | undefined,
  trustedOrigins: string[],
): boolean {
  if (!origin) return false;
  return trustedOrigins.some(entry =>
    entry.endsWith('*')
      ? origin.startsWith(entry.slice(0, -1))
      : origin === entry,
  );
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * `local-a/payments, local-b/payments` → pairs. A cluster is a name or `*` (every cluster);
 * a namespace is a Kubernetes namespace name, never a wildcard.
 *
 * @public
 */
export function parsePlacements(text: string): Placement[] {
  return text
    .split(',')
    .map(part => part.trim())
    .filter(part => part.length > 0)
    .map(part => {
      const pieces = part.split('/').map(p => p.trim());
      const [cluster, namespace] = pieces;
      if (
        pieces.length !== 2 ||
        !cluster ||
        !(cluster === '*' || /^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(cluster)) ||
        !NAME.test(namespace)
      ) {
        throw new InputError(
          `'${part}' is not a placement: write cluster/namespace, e.g. local-a/payments, or */payments for every cluster`,
        );
      }
      return { cluster, namespace };
    });
}

/** True when the pair is one of the placements (a `*` cluster matches every cluster). @public */
export function isPlaced(
  placements: Placement[],
  cluster: string,
  namespace: string,
): boolean {
  return placements.some(
    p =>
      (p.cluster === '*' || p.cluster === cluster) && p.namespace === namespace,
  );
}
