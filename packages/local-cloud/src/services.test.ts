import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { LocalCloudError } from './errors';
import { DEFAULT_NETWORK_USAGE } from './kwokConfig';
import { KUBERNETES_ID_LABEL } from './seed';
import { useLocalCloud } from './testing';

// Runs against the shared local cloud (the one scripts/test started, or one started here).
const lc = useLocalCloud();

function get(
  url: string,
  host?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: host ? { host } : {} }, res => {
        let body = '';
        res.on('data', chunk => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('nginx', () => {
  it('serves a config dropped into its conf.d after a tested reload', async () => {
    const { nginx } = lc.info;
    const host = `${lc.namespace}.local`;
    const file = path.join(nginx.confDir, `${lc.namespace}.conf`);
    const port = new URL(nginx.url).port;
    fs.writeFileSync(
      file,
      `server { listen 127.0.0.1:${port}; server_name ${host}; location / { return 200 "hello from ${lc.namespace}\\n"; } }\n`,
    );
    try {
      lc.cloud.reloadNginx();
      // the reload is graceful: new workers take over shortly after the signal
      let res = await get(`${nginx.url}/`, host);
      while (!res.body.includes(lc.namespace)) {
        await sleep(200);
        res = await get(`${nginx.url}/`, host);
      }
      expect(res).toEqual({
        status: 200,
        body: `hello from ${lc.namespace}\n`,
      });
    } finally {
      fs.rmSync(file, { force: true });
      lc.cloud.reloadNginx();
    }
  }, 60_000);

  it('refuses to reload a broken config and keeps serving the old one', async () => {
    const file = path.join(
      lc.info.nginx.confDir,
      `${lc.namespace}-broken.conf`,
    );
    fs.writeFileSync(file, 'server { listen nonsense-port; }\n');
    try {
      expect(() => lc.cloud.reloadNginx()).toThrow(LocalCloudError);
      expect(() => lc.cloud.reloadNginx()).toThrow(/nginx -t -q failed/);
      // a connection caught by an earlier reload's worker hand-over may be dropped: ask again
      let status = 0;
      for (let attempt = 0; attempt < 5 && status !== 200; attempt++) {
        status = await get(`${lc.info.nginx.url}/healthz`).then(
          res => res.status,
          () => 0,
        );
        if (status !== 200) await sleep(200);
      }
      expect(status).toBe(200);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }, 60_000);
});

describe('prometheus and alertmanager', () => {
  it('answers a query, with kwok of both clusters scraped', async () => {
    const url = `${
      lc.info.prometheus.url
    }/api/v1/query?query=${encodeURIComponent('up{job="kwok"}')}`;
    let result: any[] = [];
    while (result.filter(r => r.value[1] === '1').length < 2) {
      const res = await get(url);
      expect(res.status).toBe(200);
      const body = JSON.parse(res.body);
      expect(body.status).toBe('success');
      result = body.data.result;
      if (result.length < 2) await sleep(1000);
    }
    expect(result.map(r => r.metric.cluster).sort()).toEqual([
      'local-a',
      'local-b',
    ]);
  }, 120_000);

  it('has alertmanager ready', async () => {
    const res = await get(`${lc.info.alertmanager.url}/api/v2/status`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).cluster).toBeDefined();
  }, 30_000);

  it('checks rules files with promtool', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-rules-'));
    try {
      const good = path.join(dir, 'good.yml');
      fs.writeFileSync(
        good,
        [
          'groups:',
          '  - name: example',
          '    rules:',
          '      - alert: KwokDown',
          '        expr: up{job="kwok"} == 0',
          '        for: 1m',
          '        labels: { severity: critical }',
          '',
        ].join('\n'),
      );
      const bad = path.join(dir, 'bad.yml');
      fs.writeFileSync(
        bad,
        'groups:\n  - name: example\n    rules:\n      - alert: Broken\n        expr: up ==\n',
      );
      const check = (file: string) =>
        spawnSync(lc.info.prometheus.promtool, ['check', 'rules', file], {
          encoding: 'utf8',
        });
      const ok = check(good);
      expect(ok.status).toBe(0);
      expect(ok.stdout).toContain('SUCCESS: 1 rules found');
      expect(check(bad).status).not.toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// a seed waits while another jest worker's test has reserved the example services (codeflow's
// build rolls payments-api and back under its own 30-minute limit)
const SEED_TIMEOUT_MS = 35 * 60_000;

describe('seed', () => {
  it(
    'deploys the example services, labelled, over both clusters',
    async () => {
      const results = await lc.cloud.seed();
      expect(results.map(r => r.service)).toEqual([
        'payments-api',
        'payments-worker',
        'orders-api',
        'orders-web',
      ]);
      const clustersUsed = new Set(results.flatMap(r => r.clusters));
      expect([...clustersUsed].sort()).toEqual(['local-a', 'local-b']);
      for (const result of results) {
        for (const cluster of result.clusters) {
          const apps = lc
            .kubeConfig(cluster as 'local-a' | 'local-b')
            .makeApiClient(AppsV1Api);
          const list = await apps.listNamespacedDeployment({
            namespace: result.namespace,
            labelSelector: `${KUBERNETES_ID_LABEL}=${result.service}`,
          });
          expect(list.items).toHaveLength(1);
          expect(list.items[0].status?.readyReplicas).toBe(result.replicas);
        }
      }
    },
    SEED_TIMEOUT_MS,
  );

  it(
    'waits while another process has reserved the example services, and puts them back after',
    async () => {
      // another jest worker's test rolling payments-api to a new image holds this reservation
      // (LocalCloud.reserveExampleServices); a small node process stands for it here
      const lockDir = path.join(lc.info.home, '.example-services.lock');
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const fs = require('fs'), dir = process.argv[1];
         for (;;) {
           try { fs.mkdirSync(dir); break; } catch (e) { if (e.code !== 'EEXIST') throw e; }
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
         }
         fs.writeFileSync(dir + '/pid', String(process.pid));
         console.log('held');
         setInterval(() => {}, 1000);`,
          lockDir,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise(resolve => holder.once('exit', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout!.once('data', () => resolve());
          holder.once('exit', code =>
            reject(new Error(`the holder exited with ${code}`)),
          );
        });
        // while reserved, the holder changes payments-api's image in local-a
        const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
        const read = () =>
          apps.readNamespacedDeployment({
            namespace: 'payments',
            name: 'payments-api',
          });
        const seededImage = (await read()).spec!.template.spec!.containers[0]
          .image!;
        const changed = await read();
        changed.spec!.template.spec!.containers[0].image = seededImage.replace(
          /:[^:]+$/,
          ':1.1.0',
        );
        await apps.replaceNamespacedDeployment({
          namespace: 'payments',
          name: 'payments-api',
          body: changed,
        });
        let seeded = false;
        const seeding = lc.cloud.seed().then(results => {
          seeded = true;
          return results;
        });
        // an unreserved seed applies payments-api within a second or two
        await sleep(4000);
        expect(seeded).toBe(false);
        expect((await read()).spec!.template.spec!.containers[0].image).toMatch(
          /:1\.1\.0$/,
        );
        holder.kill('SIGKILL');
        await exited;
        expect((await seeding).map(r => r.service)).toContain('payments-api');
        expect((await read()).spec!.template.spec!.containers[0].image).toBe(
          seededImage,
        );
        expect(fs.existsSync(lockDir)).toBe(false);
      } finally {
        holder.kill('SIGKILL');
      }
    },
    SEED_TIMEOUT_MS,
  );

  it(
    'pushes tagged example images to the registry',
    async () => {
      await lc.cloud.seed();
      const list = JSON.parse(
        (
          await get(
            `${lc.info.registry.url}/v2/payments/payments-api/tags/list`,
          )
        ).body,
      );
      expect(list.tags.sort()).toEqual(['1.0.0', '1.1.0', '1.2.0', '2.0.0']);
      // a real manifest behind each tag, as a runtime would pull it
      const manifest = await fetch(
        `${lc.info.registry.url}/v2/payments/payments-api/manifests/2.0.0`,
        { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } },
      );
      expect(manifest.status).toBe(200);
      expect((await manifest.json()).layers).toHaveLength(1);
    },
    SEED_TIMEOUT_MS,
  );
});

describe('kwok simulations', () => {
  it('serves container logs through the apiserver and resource usage to Prometheus', async () => {
    const kc = lc.kubeConfig('local-b');
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = lc.namespace;
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'talker' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'talker' } },
          template: {
            metadata: {
              labels: { app: 'talker' },
              annotations: { 'kwok.x-k8s.io/usage-memory': '300Mi' },
            },
            spec: {
              containers: [{ name: 'talker', image: 'example.com/talker:1' }],
            },
          },
        },
      },
    });
    let podName: string | undefined;
    while (!podName) {
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: 'app=talker',
      });
      podName = pods.items.find(p => p.status?.phase === 'Running')?.metadata
        ?.name;
      if (!podName) await sleep(250);
    }
    const log = await core.readNamespacedPodLog({ namespace, name: podName });
    expect(log).toContain('msg="ready"');

    const query = `pod_memory_working_set_bytes{cluster="local-b",namespace="${namespace}"}`;
    const url = `${
      lc.info.prometheus.url
    }/api/v1/query?query=${encodeURIComponent(query)}`;
    let result: any[] = [];
    while (result.length === 0) {
      result = JSON.parse((await get(url)).body).data.result;
      if (result.length === 0) await sleep(1000);
    }
    expect(result[0].metric.pod).toBe(podName);
    expect(Number(result[0].value[1])).toBe(300 * 2 ** 20);
  }, 120_000);

  it("counts a pod's network traffic like cAdvisor, at the default rates without annotations", async () => {
    const kc = lc.kubeConfig('local-b');
    const namespace = lc.namespace;
    // two containers: the pod's traffic is counted once, not per container
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'chatter' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'chatter' } },
          template: {
            metadata: { labels: { app: 'chatter' } },
            spec: {
              containers: [
                { name: 'chatter', image: 'example.com/chatter:1' },
                { name: 'proxy', image: 'example.com/proxy:1' },
              ],
            },
          },
        },
      },
    });
    // the raw samples of the last minutes, as Prometheus scraped them from kwok
    const samples = async (metric: string) => {
      const query = `${metric}{cluster="local-b",namespace="${namespace}",pod=~"chatter-.+"}[5m]`;
      const { body } = await get(
        `${lc.info.prometheus.url}/api/v1/query?query=${encodeURIComponent(
          query,
        )}`,
      );
      return JSON.parse(body).data.result as Array<{
        metric: Record<string, string>;
        values: Array<[number, string]>;
      }>;
    };
    for (const [metric, rate] of [
      ['container_network_receive_bytes_total', DEFAULT_NETWORK_USAGE.receive],
      [
        'container_network_transmit_bytes_total',
        DEFAULT_NETWORK_USAGE.transmit,
      ],
    ] as const) {
      let result = await samples(metric);
      // a rate is read over at least 15 s of scrapes (every 5 s)
      while ((result[0]?.values.length ?? 0) < 4) {
        await sleep(1000);
        result = await samples(metric);
      }
      expect(result).toHaveLength(1);
      expect(result[0].metric).toMatchObject({
        cluster: 'local-b',
        namespace,
        pod: expect.stringMatching(/^chatter-/),
        interface: 'eth0',
      });
      expect(result[0].metric).not.toHaveProperty('container');
      const values = result[0].values.map(([t, v]) => [t, Number(v)]);
      values
        .slice(1)
        .forEach(([, v], i) => expect(v).toBeGreaterThan(values[i][1]));
      // kwok integrates the rate between scrapes: the counter grows by it, per second
      const [t0, v0] = values[0];
      const [t1, v1] = values[values.length - 1];
      const perSecond = (v1 - v0) / (t1 - t0);
      expect(perSecond).toBeGreaterThan(rate * 0.95);
      expect(perSecond).toBeLessThan(rate * 1.05);
    }
  }, 120_000);
});
