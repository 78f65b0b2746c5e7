import type { V1Pod } from '@kubernetes/client-node';
import { isStuck, progressOf, UNSCHEDULABLE_GRACE_MS } from './InstanceService';

const NOW = new Date('2026-12-07T03:00:00Z');

function unschedulableSince(ms: number): V1Pod {
  return {
    status: {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          lastTransitionTime: new Date(NOW.getTime() - ms),
        },
      ],
    },
  };
}

describe('isStuck', () => {
  it('gives an unschedulable pod its grace, then calls it stuck', () => {
    expect(isStuck(unschedulableSince(UNSCHEDULABLE_GRACE_MS - 1), NOW)).toBe(
      false,
    );
    expect(isStuck(unschedulableSince(UNSCHEDULABLE_GRACE_MS), NOW)).toBe(true);
  });

  it('calls a pod stuck at once on a waiting reason that does not pass by itself', () => {
    const pod = (reason: string): V1Pod => ({
      status: {
        containerStatuses: [
          {
            name: 'db',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason } },
          },
        ],
      },
    });
    expect(isStuck(pod('ImagePullBackOff'), NOW)).toBe(true);
    expect(isStuck(pod('CrashLoopBackOff'), NOW)).toBe(true);
    expect(isStuck(pod('ContainerCreating'), NOW)).toBe(false);
  });
});

describe('progressOf', () => {
  const release = (status: string) => ({
    name: 'r',
    namespace: 'n',
    version: 1,
    info: { status },
  });

  it('runs Helm, then the pods, then ready', () => {
    expect(
      progressOf('installing', undefined, {
        ready: 0,
        total: 0,
        simulated: false,
      }).map(s => s.state),
    ).toEqual(['running', 'waiting', 'waiting']);
    expect(
      progressOf('installing', release('deployed'), {
        ready: 1,
        total: 3,
        simulated: true,
      }),
    ).toEqual([
      {
        step: 'helm',
        state: 'done',
        message: 'Helm release revision 1: deployed',
      },
      {
        step: 'pods',
        state: 'running',
        message: '1 of 3 pod(s) ready (simulated: kwok nodes)',
      },
      { step: 'ready', state: 'waiting', message: 'phase installing' },
    ]);
    expect(
      progressOf('ready', release('deployed'), {
        ready: 3,
        total: 3,
        simulated: false,
      }).map(s => s.state),
    ).toEqual(['done', 'done', 'done']);
    expect(
      progressOf('failed', release('failed'), {
        ready: 0,
        total: 0,
        simulated: false,
      }).map(s => s.state),
    ).toEqual(['failed', 'waiting', 'failed']);
  });
});
