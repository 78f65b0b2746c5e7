import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CodeflowTarget } from '@internal/plugin-container-cloud-common';

/** Whose authority a roll-out uses. */
export type RolloutActor =
  /** the user who started the run (or approved its roll-out) */
  | { kind: 'user'; userRef: string }
  /** a webhook's run: the codeflow's owner, on the targets the codeflow's saver was allowed */
  | {
      kind: 'codeflow-owner';
      owner: string;
      codeflowId: string;
      savedBy: string;
    };

/** How the roll-out reports its steps (`rollout <cluster>/<namespace>`) to the run engine. */
export interface RolloutSink {
  stepStarted(step: string): Promise<void>;
  stepFinished(
    step: string,
    outcome: { status: 'succeeded' | 'skipped'; detail?: string },
  ): Promise<void>;
  log(step: string, text: string): void;
  /** aborted when the run is cancelled or outlives its timeout */
  signal: AbortSignal;
}

/**
 * A roll-out that did not happen or did not finish, in words. `rollout-refused`: the binding, the
 * catalog or the Deployment said no (nothing written in that placement, or a write the apiserver
 * refused); `rollout-stuck`: written, but not running everywhere within
 * `containerCloud.codeflow.runs.rolloutTimeoutSeconds` (the diagnosis in the message); `timeout`:
 * stopped by `sink.signal`; `other`: the cluster could not be reached or failed the call.
 */
export class RolloutError extends Error {
  readonly name = 'RolloutError';
  constructor(
    readonly step: string,
    message: string,
    readonly kind: 'rollout-refused' | 'rollout-stuck' | 'timeout' | 'other',
  ) {
    super(message);
  }
}

/** Rolls a codeflow's targets to a new image, through the services' upgrade operation. */
export interface Rollout {
  /**
   * Before a run is queued by a person: may `credentials` upgrade every target (the services'
   * upgrade permission on each target service, and its binding covering each placement)?
   * Throws a NotAllowedError / InputError naming the target otherwise.
   */
  checkUserMayRoll(
    targets: CodeflowTarget[],
    credentials: BackstageCredentials,
  ): Promise<void>;
  /** the step names `roll` will report, in order */
  stepsOf(targets: CodeflowTarget[]): string[];
  /**
   * Upgrades each placement's Deployment to `image` and waits until it runs it. Throws
   * `RolloutError` for the first placement that is refused or stuck (the services diagnosis in
   * the message); placements already rolled stay rolled.
   */
  roll(input: {
    runId: string;
    runNumber: number;
    codeflowId: string;
    codeflowName: string;
    image: string;
    targets: CodeflowTarget[];
    actor: RolloutActor;
    sink: RolloutSink;
  }): Promise<void>;
}
