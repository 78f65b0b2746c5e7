/*
 * Codeflow builds on the local cloud, measured end to end with the real codeflow plugin (run
 * engine, local executor with git + buildah, roll-out) in a test backend with the real catalog
 * and permission policy, the local cloud's generated codeflow config, git server, registry and
 * clusters local-a/local-b (the same set-up as plugins/codeflow-backend/src/e2e).
 *
 *   node bench/codeflow/builds.js --case serving    [--runs 5]
 *   node bench/codeflow/builds.js --case preprocess [--runs 3]
 *   node bench/codeflow/builds.js --case viewers    [--viewers 20] [--lines 400]
 *
 * serving: a commit pushed to main of a copy of payments-api on the git server → its webhook →
 *   build → payments-api's Deployments in local-a/payments and local-b/payments rolled out. The
 *   figure is the backend's own clock: the delivery's receivedAt to the run's finishedAt (the last
 *   roll-out step ends once every pod of the new template is ready, kwok running them); also push
 *   → delivery, and each step's duration (p50).
 * preprocess: a codeflow with a pre-processing script, manual runs (no targets): one warm-up run
 *   builds the pre-processing image, then `--runs` runs with the script unchanged (reused) and
 *   `--runs` runs each with a changed script (rebuilt); the run's duration and the preprocess
 *   step's, with the history's preprocessingReused.
 * viewers: one run whose build prints `--lines` lines (each with the nanosecond clock it was
 *   written at), followed by `--viewers` concurrent viewers of its SSE route from before it
 *   starts: every line delivered to each (count and order checked), the delay from a line being
 *   written to its arrival at each viewer (p50/p95), and the CPU of this process (the backend and
 *   the viewers) while it streams.
 * The machine's load average is printed with each figure. Afterwards payments-api's Deployments
 * get back their images, and the codeflows, the repository and the pushed images are removed.
 */
import { loadavg } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CodeflowDefinition,
  CodeflowRun,
} from '@internal/plugin-container-cloud-common';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  ALICE,
  localCloudClusters,
  startCodeflowBackend,
} from '../../plugins/codeflow-backend/src/__testUtils__/startCodeflowBackend';
import {
  codeflowApi,
  CodeflowApi,
  deleteImages,
  deploymentImage,
  localCloudCodeflow,
  realScheduler,
  LocalGitRepository,
  paymentsApiCodeflow,
  setDeploymentImage,
  waitForRun,
} from '../../plugins/codeflow-backend/src/e2e/__testUtils__/codeflowE2e';
import { options, say } from '../ops/shared';

const SERVICE = '/services/default/payments-api/codeflows';
const CLUSTERS = ['local-a', 'local-b'];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}
const p50 = (v: number[]) => percentile(v, 50);
const load = () =>
  loadavg()
    .map(l => l.toFixed(1))
    .join(' / ');

/** payments-api's codeflow (the end-to-end test's), under a name of its own per run. */
function definition(
  repo: LocalGitRepository,
  overrides: Partial<CodeflowDefinition>,
) {
  return paymentsApiCodeflow(repo, {
    name: `bench-${Math.random().toString(16).slice(2, 8)}`,
    ...overrides,
  });
}

function bumpVersion(repo: LocalGitRepository, n: number): string {
  const file = join(repo.dir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  pkg.version = `1.0.${n + 1}-bench`;
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  return repo.commitAndPush(`payments-api ${pkg.version}`);
}

async function servingCase(
  api: CodeflowApi,
  repo: LocalGitRepository,
  port: number,
  runs: number,
  pushed: string[],
) {
  const created = await api.expect(
    201,
    'POST',
    SERVICE,
    definition(repo, {
      targets: [
        {
          service: 'component:default/payments-api',
          environment: 'test',
          placements: CLUSTERS.map(cluster => ({
            cluster,
            namespace: 'payments',
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
  const base = `${SERVICE}/${created.id}`;
  const secret = await api.expect(201, 'POST', `${base}/webhook-secret`);
  await repo.addHook(
    `http://127.0.0.1:${port}${new URL(secret.urls.gitlab).pathname}`,
    secret.secret,
  );
  const totals: number[] = [];
  const pushToDelivery: number[] = [];
  const deliveryToStart: number[] = [];
  const steps = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    const pushedAt = Date.now();
    const sha = bumpVersion(repo, i);
    const run = await waitForRun(api, `${base}/runs`, sha, {
      timeoutMs: 30 * 60_000,
    });
    if (run.image) pushed.push(run.image);
    if (run.status !== 'succeeded') {
      throw new Error(
        `run #${run.number} ${run.status}: ${run.reason} ${run.lastLines.join(
          '\n',
        )}`,
      );
    }
    const deliveries = await api.expect(
      200,
      'GET',
      `${base}/deliveries?limit=50`,
    );
    const delivery = deliveries.items.find(
      (d: { commitSha: string | null }) => d.commitSha === sha,
    );
    const received = Date.parse(delivery.receivedAt);
    const total = Date.parse(run.finishedAt!) - received;
    for (const cluster of CLUSTERS) {
      const d = await deploymentImage(cluster, 'payments', 'payments-api');
      if (!d.image.startsWith(run.image!)) {
        throw new Error(`${cluster}: payments-api runs ${d.image}`);
      }
    }
    totals.push(total);
    pushToDelivery.push(received - pushedAt);
    deliveryToStart.push(Date.parse(run.startedAt!) - received);
    for (const s of run.steps) {
      if (s.durationMs === null) continue;
      steps.set(s.name, [...(steps.get(s.name) ?? []), s.durationMs]);
    }
    say(
      `serving run ${i + 1}/${runs}: ${total} ms (${run.steps
        .map(s => `${s.name} ${s.durationMs}`)
        .join(', ')}), load ${load()}`,
    );
  }
  return {
    case: 'webhook received → new image serving (both Deployments rolled out)',
    runs,
    p50Ms: p50(totals),
    minMs: Math.min(...totals),
    maxMs: Math.max(...totals),
    pushToDeliveryP50Ms: p50(pushToDelivery),
    deliveryToRunStartP50Ms: p50(deliveryToStart),
    stepP50Ms: Object.fromEntries(
      [...steps].map(([name, v]) => [name, p50(v)]),
    ),
    loadAverage: load(),
  };
}

async function preprocessCase(
  api: CodeflowApi,
  repo: LocalGitRepository,
  runs: number,
  pushed: string[],
  preprocessingRepository: string,
) {
  const script = (tag: string) => [
    ['sh', '-c', `echo prep-${tag} > /opt/prep.txt`],
  ];
  const stamp = Date.now().toString(36);
  let codeflow = await api.expect(
    201,
    'POST',
    SERVICE,
    definition(repo, { preprocessingScript: script(`${stamp}-base`) }),
  );
  const base = `${SERVICE}/${codeflow.id}`;
  const runOnce = async (): Promise<CodeflowRun> => {
    const queued = await api.expect(202, 'POST', `${base}/runs`, {});
    for (;;) {
      const run: CodeflowRun = await api.expect(
        200,
        'GET',
        `${base}/runs/${queued.id}`,
      );
      if (['succeeded', 'failed', 'cancelled'].includes(run.status)) {
        if (run.image) pushed.push(run.image);
        if (run.status !== 'succeeded') {
          throw new Error(`run #${run.number} ${run.status}: ${run.reason}`);
        }
        return run;
      }
      await new Promise(r => setTimeout(r, 1000));
    }
  };
  /** the pre-processing image of the codeflow as it is now, removed afterwards with the rest */
  const notePreprocessingImage = async () => {
    const dockerfile = await api.expect(200, 'GET', `${base}/dockerfile`);
    if (dockerfile.preprocessing) {
      pushed.push(
        `${preprocessingRepository}:${dockerfile.preprocessing.key.slice(
          0,
          32,
        )}`,
      );
    }
  };
  await notePreprocessingImage();
  const measure = (run: CodeflowRun) => ({
    total: Date.parse(run.finishedAt!) - Date.parse(run.startedAt!),
    preprocess: run.steps.find(s => s.name === 'preprocess')?.durationMs ?? 0,
    reused: run.preprocessingReused,
  });
  const warm = measure(await runOnce());
  say(`preprocess warm-up: ${JSON.stringify(warm)}, load ${load()}`);
  const unchanged: ReturnType<typeof measure>[] = [];
  for (let i = 0; i < runs; i++) {
    unchanged.push(measure(await runOnce()));
    say(`unchanged ${i + 1}/${runs}: ${JSON.stringify(unchanged[i])}`);
  }
  const changed: ReturnType<typeof measure>[] = [];
  for (let i = 0; i < runs; i++) {
    const d = definitionOf(codeflow);
    codeflow = await api.expect(200, 'PUT', base, {
      ...d,
      preprocessingScript: script(`${stamp}-${i}`),
      version: codeflow.version,
    });
    await notePreprocessingImage();
    changed.push(measure(await runOnce()));
    say(`changed ${i + 1}/${runs}: ${JSON.stringify(changed[i])}`);
  }
  await api.call('DELETE', base);
  const summary = (m: ReturnType<typeof measure>[]) => ({
    runP50Ms: p50(m.map(x => x.total)),
    preprocessP50Ms: p50(m.map(x => x.preprocess)),
    preprocessingReused: m.map(x => x.reused),
  });
  return {
    case: 'rebuild with an unchanged vs a changed pre-processing script',
    runs,
    warmUp: warm,
    unchanged: summary(unchanged),
    changed: summary(changed),
    loadAverage: load(),
  };
}

/** The fields of a codeflow view that are its definition. */
function definitionOf(view: Record<string, unknown>) {
  const keys = [
    'name',
    'repositoryUrl',
    'credentials',
    'ref',
    'buildImage',
    'buildScript',
    'artifactPath',
    'deployPath',
    'startCommand',
    'port',
    'env',
    'preprocessingScript',
    'customDockerfile',
    'targets',
    'triggers',
  ];
  return Object.fromEntries(
    Object.entries(view).filter(
      ([k, v]) => keys.includes(k) && v !== undefined && v !== null,
    ),
  );
}

/** One SSE viewer: the `log` events' lines, each with its arrival time. */
async function view(
  url: string,
  lines: Array<{ text: string; at: number }>,
  ready: () => void,
) {
  const res = await fetch(url, {
    headers: { Authorization: mockCredentials.user.header(ALICE) },
  });
  if (res.status !== 200) throw new Error(`viewer: ${res.status}`);
  ready();
  const decoder = new TextDecoder();
  let buffer = '';
  let partial = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const at = Date.now();
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event === 'log' && data) {
        const text = partial + JSON.parse(data).text;
        const parts = text.split('\n');
        partial = parts.pop()!;
        for (const line of parts) lines.push({ text: line, at });
      }
      if (event === 'end') return;
    }
  }
}

async function viewersCase(
  api: CodeflowApi,
  repo: LocalGitRepository,
  port: number,
  viewers: number,
  count: number,
  pushed: string[],
) {
  const codeflow = await api.expect(
    201,
    'POST',
    SERVICE,
    definition(repo, {
      buildScript: [
        [
          'sh',
          '-c',
          `i=1; while [ $i -le ${count} ]; do echo "bench-line $i $(date +%s%N)"; i=$((i+1)); sleep 0.02; done`,
        ],
        ['npm', 'run', 'build'],
      ],
    }),
  );
  const base = `${SERVICE}/${codeflow.id}`;
  const queued = await api.expect(202, 'POST', `${base}/runs`, {});
  const url = `http://127.0.0.1:${port}/api/codeflow${base}/runs/${queued.id}/log/stream`;
  const received: Array<Array<{ text: string; at: number }>> = [];
  let connected = 0;
  const cpuBefore = process.cpuUsage();
  const wallBefore = Date.now();
  const done = Array.from({ length: viewers }, () => {
    const lines: Array<{ text: string; at: number }> = [];
    received.push(lines);
    return view(url, lines, () => connected++);
  });
  await Promise.all(done);
  const cpu = process.cpuUsage(cpuBefore);
  const wallMs = Date.now() - wallBefore;
  const run: CodeflowRun = await api.expect(
    200,
    'GET',
    `${base}/runs/${queued.id}`,
  );
  if (run.image) pushed.push(run.image);
  const delays: number[] = [];
  const problems: string[] = [];
  received.forEach((lines, v) => {
    const ours = lines
      .map(l => ({ m: /^bench-line (\d+) (\d+)$/.exec(l.text), at: l.at }))
      .filter(l => l.m);
    const numbers = ours.map(l => Number(l.m![1]));
    const expected = Array.from({ length: count }, (_, i) => i + 1);
    if (JSON.stringify(numbers) !== JSON.stringify(expected)) {
      problems.push(
        `viewer ${v}: ${
          numbers.length
        } of ${count} lines, in order: ${numbers.every(
          (n, i) => i === 0 || n > numbers[i - 1],
        )}`,
      );
    }
    for (const l of ours) {
      delays.push(l.at - Number(BigInt(l.m![2]) / 1_000_000n));
    }
  });
  await api.call('DELETE', base);
  return {
    case: `${viewers} concurrent viewers of one run's live log (SSE)`,
    run: { status: run.status, number: run.number },
    viewers,
    connected,
    linesPerViewer: count,
    everyLineToEveryViewerInOrder: problems.length === 0,
    problems,
    delayP50Ms: p50(delays),
    delayP95Ms: percentile(delays, 95),
    delayMaxMs: Math.max(...delays),
    streamWallMs: wallMs,
    processCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    processCpuPercentOfOneCore: Math.round(
      ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
    ),
    loadAverage: load(),
  };
}

export async function main(argv: string[]): Promise<number> {
  const opt = options(argv);
  const which = opt('--case', 'serving');
  const lc = await localCloudCodeflow();
  const before = new Map<string, { container: string; image: string }>();
  for (const cluster of CLUSTERS) {
    const d = await deploymentImage(cluster, 'payments', 'payments-api');
    before.set(cluster, { container: d.container, image: d.image });
  }
  const repo = new LocalGitRepository(lc.git, 'payments-api-bench');
  const pushed: string[] = [];
  let backend: Awaited<ReturnType<typeof startCodeflowBackend>> | undefined;
  try {
    await repo.create('payments-api');
    backend = await startCodeflowBackend({
      clusters: localCloudClusters(),
      codeflow: lc.codeflow,
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'container-cloud.io/placements': '*/payments',
        }),
      ],
      services: [realScheduler],
    });
    const port = backend.server.port();
    const api = codeflowApi(`http://127.0.0.1:${port}/api/codeflow`, ALICE);
    say(`case ${which}, load ${load()}`);
    let result: unknown;
    if (which === 'serving') {
      result = await servingCase(
        api,
        repo,
        port,
        Number(opt('--runs', '5')),
        pushed,
      );
    } else if (which === 'preprocess') {
      result = await preprocessCase(
        api,
        repo,
        Number(opt('--runs', '3')),
        pushed,
        String(lc.codeflow.preprocessingRepository),
      );
    } else if (which === 'viewers') {
      result = await viewersCase(
        api,
        repo,
        port,
        Number(opt('--viewers', '20')),
        Number(opt('--lines', '400')),
        pushed,
      );
    } else {
      throw new Error(`--case is serving, preprocess or viewers`);
    }
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    for (const [cluster, { container, image }] of before) {
      const now = await deploymentImage(cluster, 'payments', 'payments-api');
      if (now.image !== image) {
        await setDeploymentImage(
          cluster,
          'payments',
          'payments-api',
          container,
          image,
        );
      }
    }
    await repo.remove();
    await backend?.stop();
    await deleteImages(pushed);
  }
}
