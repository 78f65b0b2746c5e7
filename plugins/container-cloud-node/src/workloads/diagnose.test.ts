import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Pod,
} from '@kubernetes/client-node';
import { diagnose } from './diagnose';

function pod(
  status: Partial<V1ContainerStatus>,
  extra: Partial<NonNullable<V1Pod['status']>> = {},
): V1Pod {
  return {
    metadata: { name: 'api-1', namespace: 'payments' },
    spec: {
      containers: [{ name: 'app', image: 'registry.example.com/api:1' }],
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: 'registry.example.com/api:1',
          imageID: '',
          ready: false,
          restartCount: 0,
          ...status,
        },
      ],
      ...extra,
    },
  };
}

function event(message: string, container = 'app'): CoreV1Event {
  return {
    metadata: {},
    involvedObject: {
      kind: 'Pod',
      name: 'api-1',
      fieldPath: `spec.containers{${container}}`,
    },
    message,
  };
}

const problems = (p: V1Pod, events?: CoreV1Event[]) =>
  diagnose(p, events).map(f => f.problem);

describe('diagnose', () => {
  it('finds nothing wrong with a ready container', () => {
    expect(
      diagnose(
        pod({ ready: true, state: { running: { startedAt: new Date() } } }),
      ),
    ).toEqual([]);
  });

  it('explains a process that exits right after start', () => {
    const [finding] = diagnose(
      pod({
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: {
          terminated: {
            exitCode: 0,
            reason: 'Completed',
            startedAt: new Date('2026-11-23T08:00:00Z'),
            finishedAt: new Date('2026-11-23T08:00:01Z'),
          },
        },
      }),
    );
    expect(finding.problem).toBe(
      'exits right after start (ran 1 s) with code 0',
    );
    expect(finding.advice).toContain('foreground');
    expect(finding.container).toBe('app');
  });

  it('explains an OOM kill', () => {
    expect(
      problems(
        pod({
          restartCount: 1,
          lastState: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
          state: { running: {} },
          ready: true,
        }),
      ),
    ).toEqual(['killed for running out of memory (OOMKilled)']);
  });

  it('explains a SIGKILL after the grace period', () => {
    expect(
      problems(
        pod({
          restartCount: 1,
          lastState: { terminated: { exitCode: 137, reason: 'Error' } },
          state: { running: {} },
          ready: true,
        }),
      ),
    ).toEqual(['killed without a graceful shutdown (SIGKILL, exit code 137)']);
  });

  it('explains an image that cannot be pulled', () => {
    const [finding] = diagnose(
      pod({
        state: {
          waiting: {
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image "registry.example.com/api:1"',
          },
        },
      }),
    );
    expect(finding.problem).toBe(
      'the image registry.example.com/api:1 cannot be pulled',
    );
    expect(finding.evidence).toContain('Back-off pulling image');
  });

  it('explains a failing liveness probe from the events', () => {
    const findings = diagnose(
      pod({ restartCount: 3, state: { running: {} }, ready: true }),
      [event('Liveness probe failed: HTTP probe failed with statuscode: 404')],
    );
    expect(findings.map(f => f.problem)).toContain(
      'the liveness probe fails, so Kubernetes keeps restarting it',
    );
    expect(
      findings.find(f => f.problem.startsWith('the liveness'))?.advice,
    ).toContain('probe path');
  });

  it('explains a failing readiness probe', () => {
    const [finding] = diagnose(pod({ state: { running: {} }, ready: false }), [
      event(
        'Readiness probe failed: dial tcp 10.0.0.7:8080: connect: connection refused',
      ),
    ]);
    expect(finding.problem).toBe(
      'running but not ready, so it gets no traffic',
    );
    expect(finding.advice).toContain('readiness probe fails');
    expect(finding.evidence).toContain('connection refused');
  });

  it('ignores probe events about another container', () => {
    expect(
      problems(pod({ state: { running: {} }, ready: true }), [
        event('Liveness probe failed: timeout', 'sidecar'),
      ]),
    ).toEqual([]);
  });

  it('explains a pod pending for lack of resources', () => {
    const [finding] = diagnose(
      pod(
        { state: { waiting: { reason: 'ContainerCreating' } } },
        {
          phase: 'Pending',
          containerStatuses: [],
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/3 nodes are available: 3 Insufficient memory.',
            },
          ],
        },
      ),
    );
    expect(finding.problem).toBe('pending: no node has enough memory for it');
    expect(finding.advice).toContain('requests.memory');
  });
});
