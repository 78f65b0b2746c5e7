import type { InstallTargets } from '@internal/plugin-container-cloud-common';

/** The field's value: where the instance goes. */
export interface PlacementValue {
  cluster?: string;
  namespace?: string;
}

/** The field's `ui:options`. */
export interface PlacementPickerUiOptions {
  /**
   * The parameter holding the owner (an entity ref, e.g. an OwnedEntityPicker's): the field lists
   * that owner's placements. Default `owner`.
   */
  ownerParameter?: string;
}

/** One placement the owner may install into; namespace `*` means any namespace of the cluster. */
export interface OwnerPlacement {
  cluster: string;
  namespace: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** An entity ref as the app store's targets spell it: `kind:namespace/name`, lower case. */
export function normalizedOwner(owner: string | undefined): string | undefined {
  if (!owner) return undefined;
  const trimmed = owner.trim().toLocaleLowerCase('en-US');
  if (!trimmed) return undefined;
  const withKind = trimmed.includes(':') ? trimmed : `component:${trimmed}`;
  const [kind, rest] = withKind.split(':', 2);
  return rest.includes('/') ? withKind : `${kind}:default/${rest}`;
}

/** The owner's placements among the user's targets, each once, in order. */
export function placementsOf(
  targets: InstallTargets,
  owner: string | undefined,
): OwnerPlacement[] {
  const wanted = normalizedOwner(owner);
  if (!wanted) return [];
  return targets.items
    .filter(t => t.owner.toLocaleLowerCase('en-US') === wanted)
    .map(t => ({ cluster: t.cluster, namespace: t.namespace }));
}

/** The key of a placement in the picker's select. */
export function placementKey(p: OwnerPlacement): string {
  return `${p.cluster}/${p.namespace}`;
}

/**
 * Why a value is no placement the owner may install into, in words; undefined when it is. A
 * placement listed as `<cluster>/*` takes any namespace name Kubernetes accepts.
 */
export function placementProblem(
  value: PlacementValue | undefined,
  placements: OwnerPlacement[],
): string | undefined {
  if (!value?.cluster) return 'choose a cluster and namespace';
  if (!value.namespace) return 'name the namespace';
  if (value.namespace.length > 63 || !DNS_LABEL.test(value.namespace)) {
    return 'a namespace is lower-case letters, digits and dashes (at most 63)';
  }
  const allowed = placements.some(
    p =>
      p.cluster === value.cluster &&
      (p.namespace === '*' || p.namespace === value.namespace),
  );
  return allowed
    ? undefined
    : `${value.cluster}/${value.namespace} is not a placement the owner's binding covers`;
}
