import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';

/** The policy's settings, read once from app-config. @public */
export interface ContainerCloudPolicyConfig {
  /** Normalised entity refs of the groups that may operate everything. */
  opsAdminGroups: string[];
  /**
   * Who reads containers' logs: everyone signed in (the product brief), or only the owners of
   * the service and ops, for a company whose logs hold what not everyone should read.
   */
  logsReadableBy: 'everyone' | 'owners';
}

const LOGS_KEY = 'containerCloud.permissions.logsReadableBy';

/** @public */
export function readContainerCloudPolicyConfig(
  config: Config,
): ContainerCloudPolicyConfig {
  const refs =
    config.getOptionalStringArray(
      'containerCloud.permissions.opsAdminGroups',
    ) ?? [];
  const opsAdminGroups = refs.map(ref => {
    let parsed;
    try {
      parsed = parseEntityRef(ref, { defaultKind: 'group' });
    } catch (e) {
      throw new Error(
        `containerCloud.permissions.opsAdminGroups: "${ref}" is not an entity ref (${e})`,
      );
    }
    if (parsed.kind.toLocaleLowerCase('en-US') !== 'group') {
      throw new Error(
        `containerCloud.permissions.opsAdminGroups: "${ref}" must name a group, e.g. group:default/ops-admins`,
      );
    }
    return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
  });
  const logsReadableBy = config.getOptionalString(LOGS_KEY) ?? 'everyone';
  if (logsReadableBy !== 'everyone' && logsReadableBy !== 'owners') {
    throw new Error(
      `${LOGS_KEY} is everyone or owners, not "${logsReadableBy}"`,
    );
  }
  return { opsAdminGroups, logsReadableBy };
}
