import { BatchV1Api } from '@kubernetes/client-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { examplePlan, recordingSink } from '../__testUtils__/buildPlan';
import { BuildCancelledError } from '../followBuild';
import { BuildStepError } from '../types';
import { buildJobName } from './jobSpec';
import { KubernetesBuildExecutor } from './KubernetesBuildExecutor';
import { KubernetesJobExecutor } from './KubernetesJobExecutor';

jest.setTimeout(180_000);

// The Kubernetes build adapter on the local cloud's local-a: the real apiserver takes the build
// Job (one container per build step), its Job controller and scheduler run it, and kwok takes
// the pod to Succeeded and serves every container's log through the apiserver. kwok runs no
// image, so each step's log is kwok's sample log, not a build's output: what is checked is the
// Job the adapter makes, the steps it reports as the stage markers appear, and how it maps the
// result — here a push step that printed no digest, which a real BuildKit push always prints.
const lc = useLocalCloud({ namespacePrefix: 'cfbuild' });

describe('the Kubernetes build adapter on the local cloud', () => {
  const SHA = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';
  const unique = () =>
    `run-${Date.now().toString(16).padStart(24, '0').slice(-24)}`;
  const adapter = () =>
    new KubernetesBuildExecutor(
      new KubernetesJobExecutor(lc.kubeConfig('local-a'), {
        namespace: lc.namespace,
        builderImage: 'moby/buildkit:v0.17.0-rootless',
        runAsUser: 1000,
      }),
      { registryInsecure: true },
    );

  it('runs the build steps as the Job’s containers, reports them in order and maps the result', async () => {
    const plan = examplePlan({ runId: unique(), commit: SHA });
    const { sink, events, logs } = recordingSink();

    const error = await adapter()
      .build(plan, sink)
      .catch(e => e);

    // kwok's sample log holds no CODEFLOW_DIGEST line: a Job that completed without a digest
    expect(error).toBeInstanceOf(BuildStepError);
    expect(error).toMatchObject({
      step: 'push',
      kind: 'other',
      message:
        'the push step ended without the image’s digest (no CODEFLOW_DIGEST=sha256:… line in its log)',
    });
    expect(events).toEqual([
      ['started', 'fetch'],
      ['commit', SHA], // the commit the run named (kwok printed none)
      ['finished', 'fetch', 'succeeded', undefined],
      [
        'finished',
        'preprocess',
        'skipped',
        'the codeflow has no pre-processing script',
      ],
      ['started', 'build'],
      ['finished', 'build', 'succeeded', undefined],
      ['started', 'image'],
      ['finished', 'image', 'succeeded', undefined],
      ['started', 'push'],
    ]);
    // every step's log is its own container's log (kwok's sample), without the markers
    for (const step of ['fetch', 'build', 'image', 'push'] as const) {
      expect(logs[step]).toContain('msg="ready"');
      expect(logs[step]).not.toMatch(/^== s\d-/m);
    }

    // the Job: a container per step in the builder image, the plan as environment, our scripts
    const job = await lc
      .kubeConfig('local-a')
      .makeApiClient(BatchV1Api)
      .readNamespacedJob({
        namespace: lc.namespace,
        name: buildJobName(plan.codeflowId, plan.runId),
      });
    const pod = job.spec!.template.spec!;
    const containers = [...pod.initContainers!, ...pod.containers];
    expect(containers.map(c => c.name)).toEqual([
      's0-fetch',
      's1-build',
      's2-image',
      's3-push',
    ]);
    expect(containers[0].env).toEqual(
      expect.arrayContaining([
        { name: 'GIT_URL', value: plan.repository.url },
        { name: 'GIT_REF', value: 'refs/heads/main' },
        { name: 'COMMIT_SHA', value: SHA },
        { name: 'REGISTRY_INSECURE', value: 'true' },
      ]),
    );
    expect(containers[0].args![0]).toContain('git');
    expect(containers[3].args![0]).toContain('buildctl-daemonless.sh build');
    expect(containers[3].args![0]).not.toContain(plan.repository.url);
  });

  it('suspends the Job when the run is cancelled', async () => {
    const plan = examplePlan({ runId: unique(), commit: SHA });
    const { sink } = recordingSink(event => event[0] === 'started');

    const error = await adapter()
      .build(plan, sink)
      .catch(e => e);

    expect(error).toBeInstanceOf(BuildCancelledError);
    const job = await lc
      .kubeConfig('local-a')
      .makeApiClient(BatchV1Api)
      .readNamespacedJob({
        namespace: lc.namespace,
        name: buildJobName(plan.codeflowId, plan.runId),
      });
    expect(job.spec!.suspend).toBe(true);
  });
});
