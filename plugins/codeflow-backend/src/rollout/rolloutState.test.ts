import type {
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { rolloutState } from './rolloutState';

const REV = 'deployment.kubernetes.io/revision';

function deployment(
  status: V1Deployment['status'],
  generation = 2,
): V1Deployment {
  return {
    metadata: { uid: 'd1', generation, annotations: { [REV]: '2' } },
    spec: { replicas: 2, selector: {}, template: {} },
    status,
  };
}
const rs = (uid: string, revision: string): V1ReplicaSet => ({
  metadata: {
    uid,
    name: uid,
    annotations: { [REV]: revision },
    ownerReferences: [
      { kind: 'Deployment', uid: 'd1', name: 'd', apiVersion: 'apps/v1' },
    ],
  },
});
const pod = (name: string, rsUid: string): V1Pod => ({
  metadata: {
    name,
    ownerReferences: [
      { kind: 'ReplicaSet', uid: rsUid, name: rsUid, apiVersion: 'apps/v1' },
    ],
  },
});
const sets = [rs('old', '1'), rs('new', '2')];

describe('rolloutState', () => {
  it('waits while the controller has not seen the new spec', () => {
    const state = rolloutState(
      deployment({
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
      }),
      sets,
      [pod('a', 'old'), pod('b', 'old')],
    );
    expect(state).toMatchObject({
      done: false,
      progress: expect.stringMatching(/controller/),
    });
  });

  it('counts updated, available and old pods', () => {
    const state = rolloutState(
      deployment({
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 1,
        availableReplicas: 2,
      }),
      sets,
      [pod('a', 'old'), pod('b', 'old'), pod('c', 'new')],
    );
    expect(state.done).toBe(false);
    expect(state.progress).toBe('1/2 updated, 2 available, 2 old pods left');
    expect(state.newPods.map(p => p.metadata?.name)).toEqual(['c']);
  });

  it('is not done while an old pod is left, even when the counts are right', () => {
    const state = rolloutState(
      deployment({
        observedGeneration: 2,
        replicas: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
      }),
      sets,
      [pod('a', 'old'), pod('c', 'new'), pod('d', 'new')],
    );
    expect(state).toMatchObject({
      done: false,
      progress: '2/2 updated, 2 available, 1 old pod left',
    });
  });

  it('is done when every replica is new and available and no old pod is left', () => {
    const state = rolloutState(
      deployment({
        observedGeneration: 2,
        replicas: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
      }),
      sets,
      [pod('c', 'new'), pod('d', 'new'), pod('other', 'someone-elses')],
    );
    expect(state).toMatchObject({
      done: true,
      progress: '2/2 updated, 2 available',
    });
  });

  it('gives up with a paused Deployment', () => {
    const paused = deployment({ observedGeneration: 2, replicas: 2 });
    paused.spec!.paused = true;
    expect(rolloutState(paused, sets, [pod('a', 'old')])).toMatchObject({
      done: false,
      hopeless: expect.stringMatching(/paused \(spec\.paused\)/),
    });
  });

  it("gives up when the controller passed the Deployment's progress deadline", () => {
    const late = deployment({
      observedGeneration: 2,
      replicas: 3,
      updatedReplicas: 1,
      availableReplicas: 2,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "new" has timed out progressing.',
        },
      ],
    });
    expect(
      rolloutState(late, sets, [pod('a', 'old'), pod('c', 'new')]),
    ).toMatchObject({
      done: false,
      hopeless:
        'the cluster gave up: ReplicaSet "new" has timed out progressing. (progressDeadlineSeconds 600)',
    });
    // an old deadline, before the controller saw the new spec, is not this roll-out's
    late.status!.observedGeneration = 1;
    expect(rolloutState(late, sets, []).hopeless).toBeUndefined();
  });
});
