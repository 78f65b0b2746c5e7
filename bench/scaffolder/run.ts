/*
 * "New Node.js service" from Create to running, on the local cloud:
 *
 *   node bench/scaffolder/run.js [--runs 3]
 *
 * A test backend with the real catalog, permission policy, scaffolder with the suite's module,
 * services, codeflow (local executor: git + buildah) and nginx backends, and the local cloud's
 * clusters, git server and registry. Each run POSTs a task for the template (the browser's
 * Create) as carol — an ops admin, because saving a domain is ops admins' (the template's domain
 * step) — for team-payments, placements in local-a and local-b, with a domain host, and
 * measures from the POST to: the first Ready pod of the Deployment in each cluster, the domain
 * answering through nginx on loopback (any answer but the port's default server's 421: the
 * local cloud's kwok pods have no real addresses, so what nginx proxies to does not answer as the
 * app would — the figure is "nginx serves the new domain"), and the task's end; plus each step's duration from the
 * task's events (processing → completed). The nginx is a scratch nginx of its own on loopback
 * (nginx-backend's startScratchNginx) and not the local cloud's: a publish removes the managed
 * files it does not know, and the local cloud's conf.d holds the portal's test environments.
 * Each run is cleaned up: Deployments and Services, the namespace at the end, the git repository;
 * the catalog, codeflows and domains live in the test backend's in-memory databases.
 */
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import request from 'supertest';
import { getLocalCloud, kubeConfigFor } from '@internal/local-cloud/testing';
import {
  FIXTURES_ORIGIN,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
import codeflowPlugin from '@internal/plugin-codeflow-backend';
import nginxPlugin from '@internal/plugin-nginx-backend';
import {
  freePort,
  startScratchNginx,
} from '../../plugins/nginx-backend/src/__testUtils__/scratchNginx';
import {
  localCloudClusters,
  startSuiteBackend,
} from '../../plugins/scaffolder-backend-module-container-cloud/src/__testUtils__/startSuiteBackend';
import { localGitUrlReaderFactory } from '../../plugins/scaffolder-backend-module-container-cloud/src/actions/publishLocalGitReader';
import { localGitServerFromConfig } from '../../plugins/scaffolder-backend-module-container-cloud/src/actions/publishLocalGitServer';
import { options, say } from '../ops/shared';

const TEMPLATE = `${__dirname}/../../examples/templates/nodejs-service/template.yaml`;
const CAROL = 'user:default/carol';

/** The HTTP status nginx answers for `host` on the loopback port (fetch would not send Host). */
function statusOf(port: number, host: string): Promise<number | undefined> {
  return new Promise(resolve => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/healthz', headers: { host } },
      res => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', () => resolve(undefined));
    req.setTimeout(5000, () => req.destroy());
    req.end();
  });
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const p50 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const secs = (ms: number | undefined) =>
  ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;

export async function main(argv: string[]): Promise<number> {
  const opt = options(argv);
  const runs = Number(opt('--runs', '3'));
  const appConfig = process.env.LOCAL_CLOUD_APP_CONFIG;
  if (!appConfig) throw new Error('load the local cloud env: local-cloud env');
  const localCloud = yaml.load(readFileSync(appConfig, 'utf8')) as any;
  const git = localGitServerFromConfig(
    mockServices.rootConfig({ data: localCloud }),
  )!;
  const gitAuth = `Basic ${Buffer.from(
    `${git.username}:${git.password}`,
  ).toString('base64')}`;
  const { info } = await getLocalCloud();
  const clusters = info.clusters.map(c => c.name);
  const namespace = `bench-scaffolder-${process.pid}`;
  for (const cluster of clusters) {
    await kubeConfigFor(info, cluster)
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  }
  const nginx = await startScratchNginx();
  const listenPort = await freePort();
  // a host without its domain yet gets 421, not an earlier run's server block (nginx's first one)
  await nginx.defaultServer(String(listenPort), 421);
  const template = yaml.load(readFileSync(TEMPLATE, 'utf8')) as Entity;
  template.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${TEMPLATE}`,
    'backstage.io/managed-by-origin-location': `file:${TEMPLATE}`,
  };
  // the template asks no listen port (the action's default is 80): the bench's nginx listens on
  // a free loopback port, so the domain step gets it through the template's copy
  const steps = (template.spec as any).steps as any[];
  steps.find(s => s.id === 'domain').input.listenPort = listenPort;
  const suite = await startSuiteBackend({
    clusters: localCloudClusters(info),
    entities: [
      serviceEntity('payments-api', 'group:default/team-payments'),
      template,
    ],
    features: [
      codeflowPlugin,
      nginxPlugin,
      scaffolderEntityModel,
      localGitUrlReaderFactory,
    ],
    containerCloud: {
      codeflow: localCloud.containerCloud.codeflow,
      nginx: {
        clusters: [
          {
            name: 'local',
            environment: 'test',
            confDir: nginx.confDir,
            reloadCommand: nginx.reloadCommand,
          },
        ],
      },
      binding: { trustedOrigins: [FIXTURES_ORIGIN, `url:${git.url}/*`] },
    },
  });
  const api = () => request(suite.backend.server);
  const auth = mockCredentials.user.header(CAROL);
  const results: Array<{
    total: number;
    ready: Record<string, number>;
    domain?: number;
    steps: Record<string, number>;
  }> = [];
  let failed = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const name = `bench-sc-${Date.now().toString(36)}`;
      const host = `${name}.bench.localhost`;
      say(`run ${i + 1}/${runs}: ${name}`);
      const ready: Record<string, number> = {};
      let domain: number | undefined;
      const start = Date.now();
      const started = await api()
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', auth)
        .send({
          templateRef: 'template:default/nodejs-service',
          values: {
            name,
            description: 'A Node.js service',
            replicas: 1,
            port: 8080,
            initialImage: 'registry.example.com/mirror/node:22-slim',
            nginxCluster: 'local',
            serverName: host,
            owner: 'group:default/team-payments',
            system: 'system:default/payments',
            placements: clusters.map(cluster => ({ cluster, namespace })),
          },
        });
      if (started.status !== 201) throw new Error(JSON.stringify(started.body));
      let done = false;
      // watchers: the first Ready pod of the built image in each cluster, the domain answering
      const watchers = [
        ...clusters.map(async cluster => {
          const apps = kubeConfigFor(info, cluster).makeApiClient(AppsV1Api);
          while (!done || ready[cluster] === undefined) {
            const d = await apps
              .readNamespacedDeployment({ name, namespace })
              .catch(() => undefined);
            if (
              d &&
              (d.status?.readyReplicas ?? 0) >= 1 &&
              d.spec?.template.spec?.containers[0].image?.includes(`/${name}`)
            ) {
              ready[cluster] = Date.now() - start;
              return;
            }
            if (done && Date.now() - start > 60_000 + (results[0]?.total ?? 0))
              return;
            await sleep(250);
          }
        }),
        (async () => {
          while (!done || domain === undefined) {
            const status = await statusOf(listenPort, host);
            if (status !== undefined && status !== 421) {
              domain = Date.now() - start;
              say(`  domain answers: HTTP ${status}`);
              return;
            }
            if (done && Date.now() - start > 60_000 + (results[0]?.total ?? 0))
              return;
            await sleep(250);
          }
        })(),
      ];
      let task: any;
      do {
        await sleep(500);
        task = (
          await api()
            .get(`/api/scaffolder/v2/tasks/${started.body.id}`)
            .set('Authorization', auth)
        ).body;
      } while (task.status === 'open' || task.status === 'processing');
      const total = Date.now() - start;
      done = true;
      await Promise.all(watchers);
      const events = (
        await api()
          .get(`/api/scaffolder/v2/tasks/${started.body.id}/events`)
          .set('Authorization', auth)
      ).body as Array<{
        createdAt: string;
        body: { message?: string; stepId?: string; status?: string };
      }>;
      const begun: Record<string, number> = {};
      const stepMs: Record<string, number> = {};
      for (const e of events) {
        const { stepId, status } = e.body;
        if (!stepId || !status) continue;
        const at = Date.parse(e.createdAt);
        if (status === 'processing') begun[stepId] = at;
        else if (status === 'completed' && begun[stepId] !== undefined)
          stepMs[stepId] = at - begun[stepId];
      }
      if (
        task.status === 'completed' &&
        (domain === undefined || clusters.some(c => ready[c] === undefined))
      ) {
        failed++;
        say(
          `  completed, but a pod never became Ready or the domain never answered`,
        );
      } else if (task.status !== 'completed') {
        failed++;
        say(
          `  task ${task.status}:\n${events
            .map(e => e.body.message ?? '')
            .join('\n')}`,
        );
      } else {
        results.push({ total, ready, domain, steps: stepMs });
        say(
          `  task ${secs(total)}; ready ${clusters
            .map(c => `${c} ${secs(ready[c])}`)
            .join(', ')}; domain ${secs(domain)}; load ${loadavg()
            .map(l => l.toFixed(2))
            .join(' ')}`,
        );
      }
      // clean up this run: its workloads and its repository
      for (const cluster of clusters) {
        const kc = kubeConfigFor(info, cluster);
        await kc
          .makeApiClient(AppsV1Api)
          .deleteNamespacedDeployment({ name, namespace })
          .catch(() => undefined);
        await kc
          .makeApiClient(CoreV1Api)
          .deleteNamespacedService({ name, namespace })
          .catch(() => undefined);
      }
      await fetch(`${git.url}/api/repos/${name}`, {
        method: 'DELETE',
        headers: { authorization: gitAuth },
      });
    }
  } finally {
    await suite.backend.stop();
    await nginx.stop();
    for (const cluster of clusters) {
      await kubeConfigFor(info, cluster)
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name: namespace })
        .catch(() => undefined);
    }
  }
  if (results.length === 0) {
    process.stdout.write(`no run completed (${failed} failed)\n`);
    return 1;
  }
  const stepIds = Object.keys(results[0].steps);
  const lines = [
    `runs: ${
      results.length
    } completed, ${failed} failed; load average ${loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}`,
    ...clusters.map(
      c =>
        `Create → first Ready pod (built image) in ${c}: p50 ${secs(
          p50(results.map(r => r.ready[c] ?? NaN)),
        )}`,
    ),
    `Create → domain answering through nginx: p50 ${secs(
      p50(results.map(r => r.domain ?? NaN)),
    )}`,
    `Create → task completed: p50 ${secs(p50(results.map(r => r.total)))}`,
    ...stepIds.map(
      id =>
        `  step ${id}: p50 ${secs(p50(results.map(r => r.steps[id] ?? NaN)))}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return failed ? 1 : 0;
}
