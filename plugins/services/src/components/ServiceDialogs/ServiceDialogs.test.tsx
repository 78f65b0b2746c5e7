import type { PodView } from '@internal/plugin-container-cloud-common';
import { podDialog } from './ServiceDialogs';

const pod = {
  namespace: 'payments',
  name: 'payments-api-7d9-abcde',
  containers: [
    { name: 'app', state: 'running' },
    { name: 'migrate', state: 'terminated' },
  ],
} as unknown as PodView;

describe('podDialog', () => {
  it('opens a shell only into running containers, a debug container beside any', () => {
    expect(podDialog('dev', pod, 'shell')).toEqual({
      kind: 'shell',
      pod: {
        cluster: 'dev',
        namespace: 'payments',
        pod: 'payments-api-7d9-abcde',
        containers: ['app'],
      },
    });
    expect(podDialog('dev', pod, 'debug')).toEqual({
      kind: 'debug',
      pod: {
        cluster: 'dev',
        namespace: 'payments',
        pod: 'payments-api-7d9-abcde',
        containers: ['app', 'migrate'],
      },
    });
  });

  it("asks before destroying or taking a container out of load balancing, and shows a pod's events", () => {
    expect(podDialog('dev', pod, 'destroy')).toEqual({
      kind: 'pod-confirm',
      cluster: 'dev',
      pod,
      action: 'destroy',
    });
    expect(podDialog('dev', pod, 'remove-from-lb')).toMatchObject({
      kind: 'pod-confirm',
      action: 'remove-from-lb',
    });
    expect(podDialog('dev', pod, 'events')).toEqual({
      kind: 'events',
      query: { cluster: 'dev', namespace: 'payments', pod: pod.name },
    });
  });
});
