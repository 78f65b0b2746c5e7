import type {
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';

const REVISION = 'deployment.kubernetes.io/revision';

/** Where one Deployment's roll-out stands. */
export interface RolloutState {
  /** the controller saw the new spec, every replica is updated and available, no old pod is left */
  done: boolean;
  /** the progress in words: "2/3 updated, 1 available, 1 old pod left" */
  progress: string;
  /** the pods of the new revision (what the diagnosis reads when it does not finish) */
  newPods: V1Pod[];
  /**
   * why waiting longer is useless, when the Deployment says so: it is paused, or the
   * controller gave up (`progressDeadlineSeconds` passed, as `kubectl rollout status` reads it)
   */
  hopeless?: string;
}

function ownedBy(
  object: V1ReplicaSet | V1Pod,
  kind: string,
  uid: string | undefined,
) {
  return Boolean(
    uid &&
      object.metadata?.ownerReferences?.some(
        o => o.kind === kind && o.uid === uid,
      ),
  );
}

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Pure: whether a Deployment runs its pod template everywhere, as `kubectl rollout status` judges
 * it, plus the pods: its status caught up with its spec (`observedGeneration`), every replica
 * updated and available, and no pod of an older ReplicaSet left (terminating ones included: they
 * may still serve the old image).
 */
export function rolloutState(
  deployment: V1Deployment,
  replicaSets: V1ReplicaSet[],
  pods: V1Pod[],
): RolloutState {
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const observed =
    (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  const owned = replicaSets.filter(rs =>
    ownedBy(rs, 'Deployment', deployment.metadata?.uid),
  );
  const revision = deployment.metadata?.annotations?.[REVISION];
  const current = observed
    ? owned.find(rs => rs.metadata?.annotations?.[REVISION] === revision)
    : undefined;
  const newPods = current
    ? pods.filter(p => ownedBy(p, 'ReplicaSet', current.metadata?.uid))
    : [];
  const oldPods = pods.filter(p =>
    owned.some(
      rs => rs !== current && ownedBy(p, 'ReplicaSet', rs.metadata?.uid),
    ),
  );
  if (deployment.spec?.paused) {
    return {
      done: false,
      progress: 'paused',
      newPods,
      hopeless:
        'the Deployment is paused (spec.paused): it rolls nothing out until it is resumed',
    };
  }
  const progressing = status.conditions?.find(c => c.type === 'Progressing');
  const gaveUp =
    observed && progressing?.reason === 'ProgressDeadlineExceeded'
      ? `the cluster gave up: ${
          progressing.message ?? 'ProgressDeadlineExceeded'
        } (progressDeadlineSeconds ${
          deployment.spec?.progressDeadlineSeconds ?? 600
        })`
      : undefined;
  if (!observed || !current) {
    return {
      done: false,
      progress: 'waiting for the controller to start the new revision',
      newPods,
    };
  }
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const done =
    updated === desired &&
    available === desired &&
    (status.replicas ?? 0) === desired &&
    oldPods.length === 0;
  return {
    done,
    ...(gaveUp && !done ? { hopeless: gaveUp } : {}),
    progress: `${updated}/${desired} updated, ${available} available${
      oldPods.length > 0 ? `, ${plural(oldPods.length, 'old pod')} left` : ''
    }${
      oldPods.length === 0 && (status.replicas ?? 0) !== desired
        ? `, ${plural(status.replicas ?? 0, 'replica')} in all`
        : ''
    }`,
    newPods,
  };
}
