/*
 * Rule change → loaded by Prometheus, with 10, 1,000 and 10,000 alerting rules loaded.
 *
 *   node bench/alerts/rules.js [--sizes 10,1000,10000] [--changes 20] [--eval 5s]
 *
 * Real: Debian's prometheus (a scratch instance of its own on a free loopback port, its own rule
 * folder, evaluating every 5 s like the local cloud's; the local cloud's own Prometheus is left
 * alone) and promtool, and the alerts backend's own code for each step of a change
 * (plugins/alerts-backend src/rules: renderRuleFile, promtoolCheckRules, writeRuleFile,
 * reloadPrometheus, loadedVersions). Each service has 5 rules on 2 clusters: 10 alerting rules,
 * one file. A change is one service's new version: render → promtool check → atomic write →
 * POST /-/reload → read back from /api/v1/rules until the group shows the new version. The
 * series the rules read do not exist in the scratch Prometheus (no scrape targets), so
 * evaluation is cheap: the figure is the delivery and reload path, not rule evaluation.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AlertRule } from '@internal/plugin-container-cloud-common';
import {
  groupName,
  renderRuleFile,
  ruleFileName,
} from '../../plugins/alerts-backend/src/rules/render';
import { promtoolCheckRules } from '../../plugins/alerts-backend/src/rules/promtool';
import {
  loadedVersions,
  reloadPrometheus,
  writeRuleFile,
} from '../../plugins/alerts-backend/src/rules/Delivery';
import type { PrometheusTarget } from '../../plugins/alerts-backend/src/rules/rulesConfig';

const say = (line: string) =>
  process.stderr.write(
    `[bench ${new Date().toTimeString().slice(0, 8)}] ${line}\n`,
  );

function option(argv: string[], name: string, fallback: string) {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : fallback;
}

const CLUSTERS = ['bench-a', 'bench-b'];
const RULES_PER_SERVICE = 5;
const METRICS: AlertRule['metric'][] = [
  'cpu_cores',
  'memory_bytes',
  'network_receive_bytes',
  'restarts',
  'not_ready',
];

function serviceRules(service: number, version: number): AlertRule[] {
  return METRICS.slice(0, RULES_PER_SERVICE).map((metric, i) => ({
    id: `r-${service.toString(16)}x${i}`,
    name: `bench ${metric}`,
    metric,
    comparison: '>',
    threshold: 100 + version,
    for: '1m',
    window: '5m',
    severity: 'warning',
    labels: { bench: 'yes' },
    receivers: ['oncall'],
    summary: `bench rule ${i} of service ${service}`,
    description: '',
    enabled: true,
  }));
}

function render(service: number, version: number) {
  const name = `bench-svc-${service}`;
  return renderRuleFile(
    {
      entityRef: `component:default/${name}`,
      version,
      rules: serviceRules(service, version),
      targets: CLUSTERS.map(cluster => ({
        cluster,
        namespace: 'bench',
        deployments: [name],
      })),
    },
    'cluster',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startPrometheus(dir: string, evaluation: string) {
  const port = await freePort();
  const rulesDir = path.join(dir, 'rules');
  await mkdir(rulesDir, { recursive: true });
  await writeFile(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 5s',
      `  evaluation_interval: ${evaluation}`,
      'rule_files:',
      `  - "${rulesDir}/*.yml"`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    'prometheus',
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const target: PrometheusTarget = {
    name: 'bench',
    url: `http://127.0.0.1:${port}`,
    clusters: CLUSTERS,
    rulesDir,
  };
  for (let i = 0; i < 200; i++) {
    const ready = await fetch(`${target.url}/-/ready`).catch(() => undefined);
    if (ready?.ok) return { child, target };
    await new Promise(r => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the scratch Prometheus never became ready');
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
}

async function waitLoaded(
  target: PrometheusTarget,
  group: string,
  version: number,
) {
  for (;;) {
    const loaded = await loadedVersions(target);
    if (loaded.get(group) === version) return;
    await new Promise(r => setTimeout(r, 20));
  }
}

async function measure(
  target: PrometheusTarget,
  size: number,
  changes: number,
) {
  const services = Math.max(
    1,
    Math.round(size / (RULES_PER_SERVICE * CLUSTERS.length)),
  );
  say(`${size} rules: writing ${services} service file(s)`);
  const versions = new Array(services).fill(1);
  for (let s = 0; s < services; s++) {
    await writeRuleFile(
      target.rulesDir!,
      ruleFileName(`component:default/bench-svc-${s}`),
      render(s, 1).text,
    );
  }
  const loadStarted = performance.now();
  await reloadPrometheus(target);
  await waitLoaded(
    target,
    groupName(`component:default/bench-svc-${services - 1}`),
    1,
  );
  const firstLoadMs = performance.now() - loadStarted;
  say(
    `${size} rules: first load (reload of every file) ${firstLoadMs.toFixed(
      0,
    )} ms`,
  );
  const total: number[] = [];
  const check: number[] = [];
  const reload: number[] = [];
  const visible: number[] = [];
  for (let i = 0; i < changes; i++) {
    const s = (i * 7919) % services;
    versions[s]++;
    const entityRef = `component:default/bench-svc-${s}`;
    const started = performance.now();
    const file = render(s, versions[s]);
    const checked = await promtoolCheckRules('promtool', file.text);
    if (!checked.ok) throw new Error(checked.output);
    const checkedAt = performance.now();
    await writeRuleFile(target.rulesDir!, ruleFileName(entityRef), file.text);
    await reloadPrometheus(target);
    const reloadedAt = performance.now();
    await waitLoaded(target, groupName(entityRef), versions[s]);
    const done = performance.now();
    total.push(done - started);
    check.push(checkedAt - started);
    reload.push(reloadedAt - checkedAt);
    visible.push(done - reloadedAt);
  }
  return {
    size,
    services,
    firstLoadMs,
    p50: percentile(total, 50),
    p95: percentile(total, 95),
    checkP50: percentile(check, 50),
    reloadP50: percentile(reload, 50),
    reloadP95: percentile(reload, 95),
    visibleP50: percentile(visible, 50),
  };
}

export async function main(argv: string[]): Promise<number> {
  const sizes = option(argv, '--sizes', '10,1000,10000').split(',').map(Number);
  const changes = Number(option(argv, '--changes', '20'));
  const evaluation = option(argv, '--eval', '5s');
  const results = [];
  for (const size of sizes) {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-alert-rules-'));
    let child: ChildProcess | undefined;
    try {
      const started = await startPrometheus(dir, evaluation);
      child = started.child;
      const result = await measure(started.target, size, changes);
      results.push(result);
      say(JSON.stringify(result));
    } finally {
      child?.kill();
      await new Promise(r => setTimeout(r, 300));
      await rm(dir, { recursive: true, force: true });
    }
  }
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  process.stdout.write(
    `| alerting rules loaded | services (files) | first load | change → loaded p50 | p95 | promtool check p50 | reload p50 / p95 | reload → visible p50 |\n|---|---|---|---|---|---|---|---|\n`,
  );
  for (const r of results) {
    process.stdout.write(
      `| ${r.size} | ${r.services} | ${ms(r.firstLoadMs)} | ${ms(r.p50)} | ${ms(
        r.p95,
      )} | ${ms(r.checkP50)} | ${ms(r.reloadP50)} / ${ms(r.reloadP95)} | ${ms(
        r.visibleP50,
      )} |\n`,
    );
  }
  return 0;
}
