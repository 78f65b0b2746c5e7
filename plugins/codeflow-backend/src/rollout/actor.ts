import type { RolloutActor } from './types';

/** Who a roll-out acts as, in the words its audit events and log give. */
export function actorWords(actor: RolloutActor): string {
  return actor.kind === 'user'
    ? actor.userRef
    : `codeflow ${actor.codeflowId} for ${actor.owner}, saved by ${actor.savedBy}`;
}
