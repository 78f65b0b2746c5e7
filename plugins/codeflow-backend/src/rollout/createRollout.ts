import type { PermissionsService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { checkUserMayRoll } from './checkUserMayRoll';
import { RolloutDeps, RolloutRun } from './RolloutRun';
import { readRolloutTimeoutSeconds, RolloutSettings } from './rolloutSettings';
import type { Rollout } from './types';

/**
 * The roll-out of a codeflow's targets: the services' upgrade operation on each placement's
 * Deployment, then a wait until it runs the new image (see README.md, "Roll-out").
 * `containerCloud.codeflow.runs.rolloutTimeoutSeconds` is read from `deps.config`; `settings`
 * overrides it (tests).
 */
export function createRollout(
  deps: RolloutDeps & {
    permissions: Pick<PermissionsService, 'authorize'>;
    config?: Config;
  },
  settings: Partial<RolloutSettings> = {},
): Rollout {
  const resolved: RolloutSettings = {
    timeoutSeconds:
      settings.timeoutSeconds ?? readRolloutTimeoutSeconds(deps.config),
    pollIntervalMs: settings.pollIntervalMs ?? 1000,
  };
  return {
    checkUserMayRoll: (targets, credentials) =>
      checkUserMayRoll(deps, targets, credentials),
    stepsOf: targets =>
      targets.flatMap(t =>
        t.placements.map(p => `rollout ${p.cluster}/${p.namespace}`),
      ),
    roll: input => new RolloutRun(deps, resolved, input).run(),
  };
}
