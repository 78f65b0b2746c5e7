import { buildJob, buildJobName, stageContainerName } from './jobSpec';
import { jobResult } from './KubernetesJobExecutor';
import type { ExecutorRun } from '../types';

const run: ExecutorRun = {
  runId: 'run-42',
  codeflowId: 'cf-0001',
  stages: [
    { name: 'Fetch', commands: [['git', 'fetch', 'origin', '${COMMIT_SHA}']] },
    {
      name: 'Build & test',
      commands: [
        ['npm', 'ci'],
        ['npm', 'test', "$(cat /etc/passwd)'"],
      ],
    },
    {
      name: 'Image',
      commands: [
        [
          'buildctl-daemonless.sh',
          'build',
          '--output',
          'type=image,name=${IMAGE}',
        ],
      ],
    },
  ],
  parameters: { COMMIT_SHA: 'da1560886d4f', IMAGE: 'registry/app:da15608-1' },
};
const settings = {
  namespace: 'codeflow-builds',
  builderImage: 'moby/buildkit:v0.17.0-rootless',
  cacheClaim: 'codeflow-cache',
  secrets: [{ secret: 'registry-auth', mountPath: '/home/user/.docker' }],
};

describe('the build Job', () => {
  const job = buildJob(run, settings);
  const pod = job.spec!.template.spec!;
  const containers = [...pod.initContainers!, ...pod.containers];

  it('runs each stage in order as a container of one pod, never retried, stopped after the timeout', () => {
    expect(job.metadata).toMatchObject({
      name: 'cf-cf-0001-run-42',
      namespace: 'codeflow-builds',
      labels: {
        'container-cloud.io/codeflow': 'cf-0001',
        'container-cloud.io/codeflow-run': 'run-42',
      },
    });
    expect(containers.map(c => c.name)).toEqual([
      's0-fetch',
      's1-build-test',
      's2-image',
    ]);
    expect(pod.containers).toHaveLength(1);
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      activeDeadlineSeconds: 3600,
    });
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('is non-root, unprivileged, without capabilities, with limits', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      fsGroup: 1000,
    });
    for (const c of containers) {
      expect(c.image).toBe('moby/buildkit:v0.17.0-rootless');
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        privileged: false,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.resources).toEqual({
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { cpu: '2', memory: '4Gi' },
      });
    }
    expect(() => buildJob(run, { ...settings, runAsUser: 0 })).toThrow(
      'non-root',
    );
  });

  it('mounts the cache claim and the Secrets read-only, and passes parameters as environment', () => {
    expect(pod.volumes).toEqual([
      { name: 'workspace', emptyDir: {} },
      { name: 'cache', persistentVolumeClaim: { claimName: 'codeflow-cache' } },
      {
        name: 'secret-0',
        secret: { secretName: 'registry-auth', defaultMode: 0o440 },
      },
    ]);
    expect(containers[0].volumeMounts).toEqual([
      { name: 'workspace', mountPath: '/workspace' },
      { name: 'cache', mountPath: '/cache' },
      { name: 'secret-0', mountPath: '/home/user/.docker', readOnly: true },
    ]);
    expect(containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'COMMIT_SHA', value: 'da1560886d4f' },
        { name: 'IMAGE', value: 'registry/app:da15608-1' },
      ]),
    );
    expect(() =>
      buildJob(run, {
        ...settings,
        secrets: [{ secret: 's', mountPath: '/a/../etc' }],
      }),
    ).toThrow('absolute path without ..');
  });

  it('quotes every argument: commands are argv, never shell text', () => {
    expect(containers[0].command).toEqual(['/bin/sh', '-ec']);
    expect(containers[0].args).toEqual([
      `'git' 'fetch' 'origin' "\${COMMIT_SHA}"`,
    ]);
    expect(containers[1].args).toEqual([
      `'npm' 'ci'\n'npm' 'test' '$(cat /etc/passwd)'\\'''`,
    ]);
    // a parameter reference inside a larger argument stays literal text
    expect(containers[2].args![0]).toContain(`'type=image,name=\${IMAGE}'`);
  });

  it('names Jobs and containers as Kubernetes accepts them', () => {
    expect(buildJobName('CF_X', 'Run/1'.repeat(30))).toMatch(
      /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/,
    );
    expect(stageContainerName(3, '../Évil stage')).toBe('s3-vil-stage');
  });

  it('reads a Job’s state from its conditions', () => {
    expect(jobResult({ status: { active: 1 } })).toEqual({ state: 'running' });
    expect(jobResult({ status: {} })).toEqual({ state: 'queued' });
    expect(
      jobResult({
        status: { conditions: [{ type: 'Complete', status: 'True' }] },
      }),
    ).toEqual({ state: 'succeeded' });
    expect(
      jobResult({
        spec: { activeDeadlineSeconds: 60, template: {} },
        status: {
          conditions: [
            { type: 'Failed', status: 'True', reason: 'DeadlineExceeded' },
          ],
        },
      }),
    ).toEqual({
      state: 'failed',
      reason: 'the run took longer than 60 s: Kubernetes stopped the Job',
    });
    expect(
      jobResult({ spec: { suspend: true, template: {} }, status: {} }),
    ).toEqual({
      state: 'cancelled',
      reason: 'the run was cancelled',
    });
  });
});
