export type { Rollout, RolloutActor, RolloutSink } from './types';
export { RolloutError } from './types';
export { createRollout } from './createRollout';
export type { RolloutSettings } from './rolloutSettings';
