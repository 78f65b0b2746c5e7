/*
 * Issue 16's "a build of payments-api end to end", on the local cloud, with nothing standing in:
 * the real codeflow plugin (run engine, local executor with git + buildah, roll-out) in a test
 * backend with the real catalog and permission policy, the local cloud's generated codeflow config
 * ($LOCAL_CLOUD_APP_CONFIG), its git server (push webhooks), registry and clusters local-a/local-b.
 *
 * A push to main of a repository on the git server → its GitLab-shaped webhook → a run → fetch,
 * npm ci/test/build, image, push → payments-api's Deployments in local-a/payments and
 * local-b/payments on the new image. Then a failing test (the service keeps its image), a cancel
 * during a slow test (nothing pushed, the scratch folder gone), and the stored logs hold no
 * password. Afterwards the Deployments get their images back and everything made is removed.
 *
 * The repository is a copy of the seeded payments-api (same history) made for this file: its
 * failing and slow commits must not land on the `payments-api` the other tests and the app build.
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CodeflowRun,
  CodeflowRunStep,
} from '@internal/plugin-container-cloud-common';
import {
  RecordedAuditEvent,
  recordingAuditor,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { getLocalCloud } from '@internal/local-cloud/testing';
import {
  ALICE,
  localCloudClusters,
  startCodeflowBackend,
} from '../__testUtils__/startCodeflowBackend';
import {
  codeflowApi,
  CodeflowApi,
  deleteImages,
  deploymentImage,
  localCloudCodeflow,
  realScheduler,
  LocalCloudCodeflow,
  LocalGitRepository,
  paymentsApiCodeflow,
  registryDigest,
  setDeploymentImage,
  waitForRun,
} from './__testUtils__/codeflowE2e';

// builds on a loaded 2-core machine take minutes: generous waits, never a timed assertion
jest.setTimeout(30 * 60_000);

const NAMESPACE = 'payments';
const CLUSTERS = ['local-a', 'local-b'] as const;
const SERVICE = '/services/default/payments-api/codeflows';

/**
 * The steps by name. Without a pre-processing script the run has no `preprocess` step; the local
 * executor still reports one as skipped, which the run engine records: left out here.
 */
const stepStatuses = (steps: CodeflowRunStep[]) =>
  Object.fromEntries(
    steps
      .filter(s => s.name !== 'preprocess' || s.status !== 'skipped')
      .map(s => [s.name, s.status]),
  );

/** A run in words, for a failed expectation's message. */
const describeRun = (run: CodeflowRun) =>
  JSON.stringify(
    {
      number: run.number,
      status: run.status,
      steps: stepStatuses(run.steps),
      reason: run.reason,
      failureKind: run.failureKind,
      lastLines: run.lastLines,
    },
    null,
    1,
  );

describe('a build of payments-api end to end on the local cloud', () => {
  let lc: LocalCloudCodeflow;
  let repo: LocalGitRepository;
  let backend: Awaited<ReturnType<typeof startCodeflowBackend>>;
  let api: CodeflowApi;
  let codeflowId: string | undefined;
  let runsPath: string;
  const audit: RecordedAuditEvent[] = [];
  /** payments-api's container and image per cluster before the test, to put back */
  const before = new Map<string, { container: string; image: string }>();
  const pushedImages: string[] = [];
  const runs: CodeflowRun[] = [];

  /** the example services reserved for this file: a `seed` elsewhere would put the image back */
  let releaseExampleServices: (() => void) | undefined;

  beforeAll(async () => {
    lc = await localCloudCodeflow();
    releaseExampleServices = await (
      await getLocalCloud()
    ).cloud.reserveExampleServices();
    for (const cluster of CLUSTERS) {
      const d = await deploymentImage(cluster, NAMESPACE, 'payments-api').catch(
        error => {
          throw new Error(
            `payments-api's Deployment in ${cluster}/${NAMESPACE} cannot be read (${error}): run 'local-cloud seed'`,
          );
        },
      );
      before.set(cluster, { container: d.container, image: d.image });
    }
    repo = new LocalGitRepository(lc.git);
    await repo.create('payments-api');
    backend = await startCodeflowBackend({
      clusters: localCloudClusters(),
      codeflow: lc.codeflow,
      entities: [
        // as examples/entities.yaml declares it
        serviceEntity('payments-api', 'group:default/team-payments', {
          'container-cloud.io/placements': `*/${NAMESPACE}`,
        }),
        serviceEntity('orders-api', 'group:default/team-orders'),
      ],
      services: [recordingAuditor(audit), realScheduler],
    });
    // alice is in team-payments, as the app's guest is (examples/org.yaml)
    api = codeflowApi(
      `http://127.0.0.1:${backend.server.port()}/api/codeflow`,
      ALICE,
    );
  }, 10 * 60_000);

  afterAll(async () => {
    try {
      // the Deployments get back the image they had (as the services' rollback would set it)
      for (const [cluster, { container, image }] of before) {
        const now = await deploymentImage(cluster, NAMESPACE, 'payments-api');
        if (now.image !== image) {
          await setDeploymentImage(
            cluster,
            NAMESPACE,
            'payments-api',
            container,
            image,
          );
        }
      }
    } finally {
      releaseExampleServices?.();
    }
    if (codeflowId && api) {
      await api.call('DELETE', `${SERVICE}/${codeflowId}`);
    }
    await repo?.remove();
    await backend?.stop();
    await deleteImages(pushedImages);
  }, 5 * 60_000);

  it('creates the codeflow and its webhook through the routes, and registers the hook on the git server', async () => {
    const created = await api.expect(
      201,
      'POST',
      SERVICE,
      paymentsApiCodeflow(repo, {
        name: 'e2e-build',
        targets: [
          {
            service: 'component:default/payments-api',
            environment: 'test',
            placements: CLUSTERS.map(cluster => ({
              cluster,
              namespace: NAMESPACE,
            })),
          },
        ],
        triggers: {
          manual: true,
          webhook: {
            enabled: true,
            rules: [
              {
                ref: { kind: 'branch', pattern: 'main' },
                environment: 'test',
                approval: false,
              },
            ],
          },
        },
      }),
    );
    codeflowId = created.id;
    runsPath = `${SERVICE}/${codeflowId}/runs`;
    const secret = await api.expect(
      201,
      'POST',
      `${SERVICE}/${codeflowId}/webhook-secret`,
    );
    expect(secret.secret).toEqual(expect.any(String));
    // the backend's own URL for it, on the test backend's loopback port
    const path = new URL(secret.urls.gitlab).pathname;
    expect(path).toBe(`/api/codeflow/webhooks/gitlab/${codeflowId}`);
    await repo.addHook(
      `http://127.0.0.1:${backend.server.port()}${path}`,
      secret.secret,
    );
  });

  it('builds a pushed commit and rolls payments-api to it in local-a and local-b', async () => {
    expect(codeflowId).toBeDefined();
    const pkgFile = join(repo.dir, 'package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    pkg.version = `1.0.1-e2e.${repo.name.slice(-8)}`;
    writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    const sha = repo.commitAndPush(`payments-api ${pkg.version}`);

    const run = await waitForRun(api, runsPath, sha);
    runs.push(run);
    if (run.image) pushedImages.push(run.image);
    if (run.status !== 'succeeded') throw new Error(describeRun(run));

    expect(run).toMatchObject({
      trigger: 'gitlab-push',
      requestedBy: 'webhook:gitlab',
      ref: { kind: 'branch', name: 'main' },
      environment: 'test',
      executor: 'local',
      commit: expect.objectContaining({ sha }),
      failureKind: null,
    });
    expect(stepStatuses(run.steps)).toEqual({
      fetch: 'succeeded',
      build: 'succeeded',
      image: 'succeeded',
      push: 'succeeded',
      'rollout local-a/payments': 'succeeded',
      'rollout local-b/payments': 'succeeded',
    });
    expect(
      run.steps.map(s => s.name).filter(name => name !== 'preprocess'),
    ).toEqual([
      'fetch',
      'build',
      'image',
      'push',
      'rollout local-a/payments',
      'rollout local-b/payments',
    ]);
    // tag = short commit + build number, in <registry.repository>/<service>
    expect(run.image).toBe(
      `${lc.codeflow.registry.repository}/payments-api:${sha.slice(0, 7)}-${
        run.number
      }`,
    );
    // the registry has it, with the run's digest
    expect(run.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await registryDigest(run.image!)).toBe(run.imageDigest);

    for (const cluster of CLUSTERS) {
      const d = await deploymentImage(cluster, NAMESPACE, 'payments-api');
      expect(d.image).not.toBe(before.get(cluster)!.image);
      expect([run.image, `${run.image}@${run.imageDigest}`]).toContain(d.image);
      // rolled out: every replica on the new template and available (kwok runs the pods)
      expect(d.updated).toBe(d.replicas);
      expect(d.available).toBe(d.replicas);
    }
    // the roll-out went through the services' upgrade operation, audited for the codeflow's owner
    const upgrades = audit.filter(
      e => e.eventId === 'service-upgrade' && e.outcome === 'success',
    );
    expect(upgrades.map(e => e.meta?.cluster).sort()).toEqual([
      'local-a',
      'local-b',
    ]);
  });

  it('keeps the service on its image when a test fails: the run fails at build, in words', async () => {
    expect(runs[0]?.status).toBe('succeeded');
    const serving = await Promise.all(
      CLUSTERS.map(c => deploymentImage(c, NAMESPACE, 'payments-api')),
    );
    writeFileSync(
      join(repo.dir, 'test', 'zz-e2e-fail.test.js'),
      [
        "'use strict';",
        "const assert = require('node:assert/strict');",
        "const { test } = require('node:test');",
        "test('e2e deliberately failing test', () => {",
        "  assert.equal(1 + 1, 3, 'e2e: arithmetic broke');",
        '});',
        '',
      ].join('\n'),
    );
    const sha = repo.commitAndPush('a test that fails');

    const run = await waitForRun(api, runsPath, sha);
    runs.push(run);
    if (run.image) pushedImages.push(run.image);
    expect(run.status).toBe('failed');
    expect(stepStatuses(run.steps)).toEqual({
      fetch: 'succeeded',
      build: 'failed',
      image: 'skipped',
      push: 'skipped',
      'rollout local-a/payments': 'skipped',
      'rollout local-b/payments': 'skipped',
    });
    expect(run.failureKind).toBe('test-failure');
    expect(run.reason).toMatch(/test/i);
    expect(run.image).toBeNull();
    // node --test runs the files in name order: the failing one last, its report in the last lines
    expect(run.lastLines.join('\n')).toMatch(
      /e2e deliberately failing test|e2e: arithmetic broke/,
    );

    const after = await Promise.all(
      CLUSTERS.map(c => deploymentImage(c, NAMESPACE, 'payments-api')),
    );
    expect(after.map(d => d.image)).toEqual(serving.map(d => d.image));
  });

  it('cancels a run during a slow test: cancelled, nothing pushed, its scratch folder gone', async () => {
    expect(codeflowId).toBeDefined();
    const serving = await Promise.all(
      CLUSTERS.map(c => deploymentImage(c, NAMESPACE, 'payments-api')),
    );
    unlinkSync(join(repo.dir, 'test', 'zz-e2e-fail.test.js'));
    writeFileSync(
      join(repo.dir, 'test', 'e2e-slow.test.js'),
      [
        "'use strict';",
        "const { test } = require('node:test');",
        "test('e2e slow test', () => new Promise(resolve => setTimeout(resolve, 60000)));",
        '',
      ].join('\n'),
    );
    const sha = repo.commitAndPush('a test that takes a minute');

    // cancel once the build runs `npm test` (its line is in the stored log)
    let running = await waitForRun(api, runsPath, sha, {
      until: r =>
        r.status !== 'queued' &&
        r.steps.some(s => s.name === 'build' && s.status !== 'pending'),
    });
    for (;;) {
      if (running.status !== 'running') break;
      const log = await api.call(
        'GET',
        `${runsPath}/${running.id}/log?step=build`,
      );
      if (log.status === 200 && log.text.includes('npm test')) break;
      await new Promise(r => setTimeout(r, 1000));
      running = await api.expect(200, 'GET', `${runsPath}/${running.id}`);
    }
    expect(running.status).toBe('running');
    const cancel = await api.call('POST', `${runsPath}/${running.id}/cancel`);
    expect(cancel.status).toBe(200);

    const run = await waitForRun(api, runsPath, sha);
    runs.push(run);
    expect(run.status).toBe('cancelled');
    expect(run.cancelledBy).toBe(ALICE);
    expect(run.steps.find(s => s.name === 'build')!.status).toBe('cancelled');
    expect(
      run.steps
        .filter(s => ['image', 'push'].includes(s.name))
        .map(s => s.status),
    ).toEqual(['skipped', 'skipped']);
    expect(run.image).toBeNull();
    expect(
      await registryDigest(
        `${lc.codeflow.registry.repository}/payments-api:${sha.slice(0, 7)}-${
          run.number
        }`,
      ),
    ).toBeUndefined();
    expect(existsSync(join(lc.codeflow.local.workDir, run.id))).toBe(false);
    const after = await Promise.all(
      CLUSTERS.map(c => deploymentImage(c, NAMESPACE, 'payments-api')),
    );
    expect(after.map(d => d.image)).toEqual(serving.map(d => d.image));
    expect(
      audit.some(
        e =>
          e.eventId === 'codeflow-run-cancel' &&
          e.outcome === 'success' &&
          (e.meta?.result as { runId?: string } | undefined)?.runId === run.id,
      ),
    ).toBe(true);
  });

  it("stores each run's log without the git credential's password", async () => {
    expect(runs.map(r => r.status)).toEqual([
      'succeeded',
      'failed',
      'cancelled',
    ]);
    const passwords = lc.codeflow.credentials
      .map(c => c.password)
      .filter((p): p is string => Boolean(p));
    expect(passwords).toContain(lc.git.password);
    for (const run of runs) {
      const log = await api.call('GET', `${runsPath}/${run.id}/log?download=1`);
      expect(log.status).toBe(200);
      // the log is there (the fetch from the git server that needed the password, the commands)
      expect(log.text).toContain('$ npm ci');
      for (const password of passwords) {
        expect(log.text.includes(password)).toBe(false);
      }
    }
  });
});
