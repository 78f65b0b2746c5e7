import type { CodeflowDeps } from '../deps';
import type { Rollout } from './types';

/** The roll-out of a codeflow's targets (being built). */
export function createRollout(
  deps: Pick<
    CodeflowDeps,
    'clusters' | 'bindings' | 'catalog' | 'auth' | 'permissions' | 'auditor' | 'logger'
  >,
): Rollout {
  void deps;
  return {
    async checkUserMayRoll() {},
    stepsOf: targets =>
      targets.flatMap(t =>
        t.placements.map(p => `rollout ${p.cluster}/${p.namespace}`),
      ),
    async roll() {
      throw new Error('the roll-out is not built yet');
    },
  };
}
