import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { KubernetesJobExecutor } from './KubernetesJobExecutor';
import type { ExecutorResult } from '../types';

jest.setTimeout(180_000);

// A build Job on the local cloud's local-a: the real apiserver checks the Job and its pod spec,
// its Job controller and scheduler run it, kwok's stages take the pod through to Succeeded (for a
// pod a Job owns) and serve container logs through the apiserver. Nothing is built: kwok runs no
// image; what is checked is what a real cluster would be given and what it reports.
const lc = useLocalCloud({ namespacePrefix: 'cfjob' });

describe('the Kubernetes Job executor on the local cloud', () => {
  const executor = () =>
    new KubernetesJobExecutor(lc.kubeConfig('local-a'), {
      namespace: lc.namespace,
      builderImage: 'moby/buildkit:v0.17.0-rootless',
      runAsUser: 1000,
      resources: { limits: { cpu: '1', memory: '2Gi' } },
    });

  async function settled(
    ex: KubernetesJobExecutor,
    handle: Awaited<ReturnType<KubernetesJobExecutor['start']>>,
  ): Promise<ExecutorResult> {
    for (let attempt = 0; attempt < 240; attempt++) {
      const result = await ex.result(handle);
      if (result.state !== 'queued' && result.state !== 'running')
        return result;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    throw new Error(`the Job ${handle.job} never finished`);
  }

  it('creates the Job as specified, follows it to completion and reads its stages’ logs', async () => {
    const ex = executor();
    const run = {
      runId: `run-${Date.now().toString(36)}`,
      codeflowId: 'cf-0001',
      stages: [
        {
          name: 'Fetch',
          commands: [['git', 'fetch', 'origin', '${COMMIT_SHA}']],
        },
        { name: 'Build', commands: [['npm', 'ci']] },
      ],
      parameters: { COMMIT_SHA: 'da1560886d4f' },
    };
    const handle = await ex.start(run);
    // a retried start finds the same Job
    expect(await ex.start(run)).toEqual(handle);

    const stored = await lc
      .kubeConfig('local-a')
      .makeApiClient(BatchV1Api)
      .readNamespacedJob({ namespace: lc.namespace, name: handle.job });
    const spec = stored.spec!.template.spec!;
    expect(stored.spec!.backoffLimit).toBe(0);
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
    });
    expect(spec.initContainers!.map(c => c.name)).toEqual(['s0-fetch']);
    expect(spec.containers[0]).toMatchObject({
      name: 's1-build',
      securityContext: { privileged: false, allowPrivilegeEscalation: false },
      resources: { limits: { cpu: '1', memory: '2Gi' } },
    });

    expect(await settled(ex, handle)).toEqual({ state: 'succeeded' });
    const pod = await ex.pod(handle);
    expect(pod?.status?.phase).toBe('Succeeded');
    const log = await ex.logs(handle, 0);
    expect(log.more).toBe(false);
    // each stage's log under its name, in the order the stages ran
    const fetchAt = log.text.indexOf('== s0-fetch ==\n');
    const buildAt = log.text.indexOf('== s1-build ==\n');
    expect(fetchAt).toBe(0);
    expect(buildAt).toBeGreaterThan(fetchAt);
    expect(log.text).toContain('msg="ready"'); // kwok's sample log, through the apiserver
    const rest = await ex.logs(handle, log.nextOffset);
    expect(rest).toEqual({ text: '', nextOffset: log.nextOffset, more: false });
  });

  it('cancels a Job by suspending it: no pod runs and the result says cancelled', async () => {
    const ex = executor();
    const handle = await ex.start({
      runId: `cancel-${Date.now().toString(36)}`,
      codeflowId: 'cf-0002',
      stages: [{ name: 'Build', commands: [['true']] }],
      parameters: {},
    });
    await ex.cancel(handle);
    const result = await ex.result(handle);
    // kwok may finish the pod before the suspension lands: then the Job completed
    expect(['cancelled', 'succeeded']).toContain(result.state);
    const job = await lc
      .kubeConfig('local-a')
      .makeApiClient(BatchV1Api)
      .readNamespacedJob({ namespace: lc.namespace, name: handle.job });
    expect(job.spec!.suspend).toBe(true);
    // the Job controller stops the suspended Job's pod (deleting it takes a moment)
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    let running: string[] = [];
    for (let attempt = 0; attempt < 120; attempt++) {
      const pods = await core.listNamespacedPod({
        namespace: lc.namespace,
        labelSelector: `job-name=${handle.job}`,
      });
      running = pods.items
        .filter(
          p => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp,
        )
        .map(p => p.metadata!.name!);
      if (running.length === 0) break;
      await new Promise(resolve => setTimeout(resolve, 250));
    }
    expect(running).toEqual([]);
  });
});
