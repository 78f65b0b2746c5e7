/*
 * One autoscaler cycle for N services in 2 clusters: the batched loop (one PromQL query per
 * Prometheus per cycle, plugins/alerts-backend src/autoscaler/Autoscaler.ts) against the naive
 * loop (the same code run service by service: one query, one catalog read and one binding per
 * service), measured in the same run from the same starting state.
 *
 *   node bench/alerts/autoscaler.js [--services 1000] [--db sqlite|postgres] [--rounds 3]
 *
 * Real: the Autoscaler, its decision maths, its store and migration on SQLite or PostgreSQL, the
 * PromQL it builds, HTTP to Prometheus and the parsing of its answers. Stand-ins: Prometheus is a
 * loopback server speaking the query_range wire format, answering every pod of the namespaces
 * the query names from memory (a real Prometheus' own query cost is left out); the clusters'
 * watch caches, the catalog and the bindings are in memory, and a scale write counts as one
 * apiserver write (applied to the in-memory Deployments). Every service runs 2 + 2 replicas;
 * one in three is busy (80% of its CPU request with a 50% target: scaled to 7), the others sit
 * within the tolerance. --db postgres needs BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type {
  ClusterServiceView,
  DeploymentView,
  PodView,
} from '@internal/plugin-container-cloud-common';
import {
  PrometheusClient,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import {
  Autoscaler,
  CycleReport,
} from '../../plugins/alerts-backend/src/autoscaler/Autoscaler';
import { AutoscalingStore } from '../../plugins/alerts-backend/src/autoscaler/AutoscalingStore';
import { migrateAutoscaling } from '../../plugins/alerts-backend/src/autoscaler/__testUtils__/autoscalingDatabase';
import { benchDatabase, options, say } from '../ops/shared';

const CLUSTERS = ['bench-a', 'bench-b'];
const HEALTH = { reachable: true, checkedAt: new Date(0).toISOString() };

interface Service {
  name: string;
  namespace: string;
  busy: boolean;
  replicas: Record<string, number>;
  resourceVersion: number;
}

function services(count: number): Service[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `service-${i}`,
    namespace: `team-${i % 50}`,
    busy: i % 3 === 0,
    replicas: Object.fromEntries(CLUSTERS.map(c => [c, 2])),
    resourceVersion: 1,
  }));
}

function podsOf(s: Service, cluster: string): PodView[] {
  return Array.from({ length: s.replicas[cluster] }, (_, i) => ({
    namespace: s.namespace,
    name: `${s.name}-${i}`,
    phase: 'Running',
    ready: true,
    restarts: 0,
    deployment: s.name,
    terminating: false,
    removedFromLoadBalancing: false,
    containers: [],
  }));
}

function deploymentOf(s: Service, cluster: string): DeploymentView {
  return {
    namespace: s.namespace,
    name: s.name,
    resourceVersion: String(s.resourceVersion),
    replicas: {
      desired: s.replicas[cluster],
      ready: s.replicas[cluster],
      updated: s.replicas[cluster],
      available: s.replicas[cluster],
    },
    images: [],
    problems: [],
    config: {
      containers: [
        {
          container: 'app',
          env: [],
          envFrom: [],
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
    },
  };
}

/** A loopback Prometheus answering `rate(...)` of every pod of the namespaces a query names. */
async function standInPrometheus(all: Service[]) {
  let queries = 0;
  const byNamespace = new Map<string, Service[]>();
  for (const s of all) {
    byNamespace.set(s.namespace, [...(byNamespace.get(s.namespace) ?? []), s]);
  }
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      queries += 1;
      const query = new URLSearchParams(body).get('query') ?? '';
      const namespaces =
        /namespace=~"([^"]*)"/.exec(query)?.[1].split('|') ?? [];
      const at = Number(new URLSearchParams(body).get('end'));
      const result = namespaces.flatMap(ns =>
        (byNamespace.get(ns) ?? []).flatMap(s =>
          CLUSTERS.flatMap(cluster =>
            podsOf(s, cluster).map(p => ({
              metric: {
                cluster,
                namespace: ns,
                pod: p.name,
                autoscaler_metric: 'cpu',
              },
              values: [[at, String(s.busy ? 0.08 : 0.05)]],
            })),
          ),
        ),
      );
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'matrix', result },
        }),
      );
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries: () => queries,
    close: () =>
      new Promise(resolve => {
        server.close(resolve);
        // fetch keeps its connections alive: close() alone would wait for them
        server.closeAllConnections();
      }),
  };
}

/** The clusters' watch caches and writes, in memory. */
function clusterLayer(all: Service[]) {
  const byId = new Map(all.map(s => [s.name, s]));
  let writes = 0;
  const layer = {
    names: CLUSTERS,
    serviceView(id: string): ClusterServiceView[] {
      const s = byId.get(id)!;
      return CLUSTERS.map(cluster => ({
        cluster,
        health: HEALTH,
        deployments: [deploymentOf(s, cluster)],
        pods: podsOf(s, cluster),
        revisions: [],
      }));
    },
    watchKind: () => ({ isSynced: true, list: () => [] }),
    operations: (cluster: string) => ({
      async scale(target: { kubernetesId: string }, replicas: number) {
        writes += 1;
        const s = byId.get(target.kubernetesId)!;
        s.replicas[cluster] = replicas;
        s.resourceVersion += 1;
      },
    }),
  };
  return { layer, writes: () => writes };
}

function entityOf(s: Service): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: s.name, namespace: 'default' },
    spec: {},
  };
}

const quietLogger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return quietLogger;
  },
};

export async function main(argv: string[]) {
  const opt = options(argv);
  const count = Number(opt('--services', '1000'));
  const db = opt('--db', 'sqlite');
  const rounds = Number(opt('--rounds', '3'));
  const database = await benchDatabase(db, 'autoscaler');
  try {
    await migrateAutoscaling(database.knex);
    const store = new AutoscalingStore(database.knex);
    say(`saving autoscaling settings of ${count} services (${db})`);
    for (let i = 0; i < count; i++) {
      await store.saveSettings(
        `component:default/service-${i}`,
        {
          enabled: true,
          deployment: `service-${i}`,
          metric: 'cpu',
          target: 50,
          minReplicas: 2,
          maxReplicas: 7,
        },
        0,
        'user:default/alice',
      );
    }
    const results: Record<string, Array<{ ms: number } & CycleReport>> = {
      batched: [],
      naive: [],
    };
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['batched', 'naive'] as const) {
        const all = services(count);
        const prometheus = await standInPrometheus(all);
        const clusters = clusterLayer(all);
        await database.knex('autoscaling_decisions').delete();
        await database
          .knex('autoscaling_settings')
          .update({ recommendations: '[]' });
        const byRef = new Map(all.map(s => [`component:default/${s.name}`, s]));
        const autoscalerFor = (only?: string) =>
          new Autoscaler({
            store: Object.assign(Object.create(store), {
              listEnabled: async () =>
                (await store.listEnabled()).filter(
                  s => !only || s.entityRef === only,
                ),
            }),
            clusters: clusters.layer as never,
            bindings: {
              resolveMany: async (entities: Entity[]) =>
                entities.map(
                  e =>
                    new ServiceBinding(`component:default/${e.metadata.name}`, {
                      state: 'bound',
                      kubernetesId: e.metadata.name,
                    }),
                ),
            },
            catalog: {
              getEntitiesByRefs: async ({ entityRefs }) => ({
                items: entityRefs.map(ref => entityOf(byRef.get(ref)!)),
              }),
            },
            auth: {
              getOwnServiceCredentials: async () =>
                mockServices.auth().getOwnServiceCredentials(),
            },
            auditor: {
              createEvent: async () => ({
                success: async () => {},
                fail: async () => {},
              }),
            },
            logger: quietLogger,
            prometheus: [
              {
                name: 'bench',
                client: new PrometheusClient({
                  url: prometheus.url,
                  clusterLabel: 'cluster',
                }),
              },
            ],
            config: {
              tolerance: 0.1,
              scaleDownStabilizationSeconds: 300,
              rateWindowSeconds: 60,
              decisionRetentionDays: 7,
              decisionsPerService: 200,
            },
          });
        const start = process.hrtime.bigint();
        const report: CycleReport = {
          services: 0,
          queries: 0,
          writes: 0,
          outcomes: { scaled: 0, steady: 0, held: 0 },
        };
        if (mode === 'batched') {
          Object.assign(report, await autoscalerFor().runCycle());
        } else {
          // the naive loop: each service on its own, its own query
          for (const ref of byRef.keys()) {
            const one = await autoscalerFor(ref).runCycle();
            report.services += one.services;
            report.queries += one.queries;
            report.writes += one.writes;
            for (const k of ['scaled', 'steady', 'held'] as const) {
              report.outcomes[k] += one.outcomes[k];
            }
          }
        }
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        report.queries = prometheus.queries();
        report.writes = clusters.writes();
        results[mode].push({ ms, ...report });
        say(
          `${mode} round ${round + 1}: ${ms.toFixed(0)} ms, ${
            report.queries
          } queries, ${report.writes} writes, ${JSON.stringify(
            report.outcomes,
          )}`,
        );
        await prometheus.close();
      }
    }
    const median = (xs: number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const summary = Object.fromEntries(
      Object.entries(results).map(([mode, rs]) => [
        mode,
        {
          medianMs: Math.round(median(rs.map(r => r.ms))),
          queries: rs[0].queries,
          apiserverWrites: rs[0].writes,
          outcomes: rs[0].outcomes,
        },
      ]),
    );
    process.stdout.write(
      `${JSON.stringify(
        { services: count, clusters: 2, db, rounds, ...summary },
        null,
        2,
      )}\n`,
    );
    return 0;
  } finally {
    await database.done();
  }
}
