import path from 'node:path';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
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
  /**
   * Where each group's services may run (group ref, lower-case → placements): an annotation of a
   * Component that group owns covers only what lies inside them. Unset: none configured.
   */
  teamPlacements?: Map<string, Placement[]>;
  /** true: the annotation of a Component whose owner has no team placements covers nothing */
  requireTeamPlacements?: boolean;
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
  return {
    trustedOrigins: [
      ...(binding?.getOptionalStringArray('trustedOrigins') ??
        defaultTrustedOrigins(config)),
      ...(binding?.getOptionalStringArray('additionalTrustedOrigins') ?? []),
    ],
    requirePlacements:
      binding?.getOptionalBoolean('requirePlacements') ?? false,
    placements: placementsByRef(binding, 'placements'),
    teamPlacements: placementsByRef(binding, 'teamPlacements', 'group'),
    requireTeamPlacements:
      binding?.getOptionalBoolean('requireTeamPlacements') ?? false,
  };
}

/**
 * `containerCloud.binding.<key>`: entity ref → list of placements, keys lower-case (a ref without
 * a kind gets `defaultKind`, without a namespace `default`).
 */
function placementsByRef(
  binding: Config | undefined,
  key: string,
  defaultKind?: string,
): Map<string, Placement[]> {
  const result = new Map<string, Placement[]>();
  // read as a plain object: entity refs are not config key names
  const byRef = binding?.getOptional(key) ?? {};
  for (const [ref, list] of Object.entries(byRef)) {
    const where = `containerCloud.binding.${key}.${ref}`;
    if (!Array.isArray(list) || list.some(item => typeof item !== 'string')) {
      throw new InputError(`${where} must be a list of cluster/namespace`);
    }
    let normalized = ref;
    if (defaultKind) {
      try {
        normalized = stringifyEntityRef(parseEntityRef(ref, { defaultKind }));
      } catch {
        throw new InputError(
          `${where}: '${ref}' is not a group reference, e.g. group:default/team-payments`,
        );
      }
    }
    try {
      result.set(
        normalized.toLocaleLowerCase('en-US'),
        (list as string[]).flatMap(parsePlacements),
      );
    } catch (error) {
      throw new InputError(`${where}: ${(error as Error).message}`);
    }
  }
  return result;
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

/**
 * The annotated placements inside the granted ones: a pair of both stays; an annotated `*`
 * cluster narrows to the granted clusters of that namespace (`narrowed`). `dropped` names what
 * did not fit at all, as written in the annotation. @public
 */
export function placementsWithin(
  annotated: Placement[],
  granted: Placement[],
): {
  kept: Placement[];
  dropped: Placement[];
  narrowed: Array<{ from: Placement; to: Placement[] }>;
} {
  const kept: Placement[] = [];
  const dropped: Placement[] = [];
  const narrowed: Array<{ from: Placement; to: Placement[] }> = [];
  const keep = (p: Placement) => {
    if (!kept.some(k => k.cluster === p.cluster && k.namespace === p.namespace))
      kept.push({ cluster: p.cluster, namespace: p.namespace });
  };
  for (const p of annotated) {
    if (p.cluster !== '*') {
      if (isPlaced(granted, p.cluster, p.namespace)) keep(p);
      else dropped.push(p);
      continue;
    }
    const same = granted.filter(g => g.namespace === p.namespace);
    if (same.length === 0) {
      dropped.push(p);
    } else if (same.some(g => g.cluster === '*')) {
      keep(p);
    } else {
      same.forEach(keep);
      narrowed.push({ from: p, to: same });
    }
  }
  return { kept, dropped, narrowed };
}

/**
 * Placements with a `*` cluster spelled out per cluster, keeping only the clusters named in
 * `clusters` (the ones configured). @public
 */
export function spellOutPlacements(
  placements: Placement[],
  clusters: readonly string[],
): Placement[] {
  const out = new Map<string, Placement>();
  for (const p of placements) {
    for (const cluster of p.cluster === '*' ? clusters : [p.cluster]) {
      if (!clusters.includes(cluster)) continue;
      out.set(`${cluster}/${p.namespace}`, { cluster, namespace: p.namespace });
    }
  }
  return [...out.values()];
}
