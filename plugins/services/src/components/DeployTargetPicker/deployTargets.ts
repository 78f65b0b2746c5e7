import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { DeployTargets } from '@internal/plugin-container-cloud-common';

/** One placement of the new service: the value shape the templates' steps read. */
export interface DeployTargetValue {
  cluster: string;
  namespace: string;
}

/** `ui:options` of the field. */
export interface DeployTargetPickerUiOptions {
  /** the form data key holding the owner group (default `owner`) */
  ownerField?: string;
}

/** `team-payments` or `group:default/team-payments` → `group:default/team-payments`; else undefined. */
export function ownerGroupRef(owner: unknown): string | undefined {
  if (typeof owner !== 'string' || owner.trim() === '') return undefined;
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), { defaultKind: 'group' }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** The owner's targets, in the backend's order. */
export function targetsOf(
  targets: DeployTargets,
  owner: string | undefined,
): DeployTargetValue[] {
  return targets.items
    .filter(t => t.owner === owner)
    .map(({ cluster, namespace }) => ({ cluster, namespace }));
}

export const targetKey = (t: DeployTargetValue) =>
  `${t.cluster}/${t.namespace}`;

/** What is wrong with the chosen placements, in words; undefined when nothing is. */
export function deployTargetsProblem(
  value: DeployTargetValue[] | undefined,
  targets: DeployTargetValue[],
  owner: string | undefined,
): string | undefined {
  if (!value || value.length === 0) {
    return 'choose at least one cluster and namespace';
  }
  const allowed = new Set(targets.map(targetKey));
  const outside = value.filter(v => !allowed.has(targetKey(v)));
  if (outside.length > 0) {
    return `${outside.map(targetKey).join(', ')} ${
      outside.length === 1 ? 'is not a' : 'are not'
    } deploy target${outside.length === 1 ? '' : 's'} of ${
      owner ?? 'the owner'
    }`;
  }
  return undefined;
}
