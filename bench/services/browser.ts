/*
 * The Service tab in Chromium (#12 part 2, the browser side): how long from the click on the tab
 * until its tables are usable, with 200 and 2,000 containers of payments-api over both clusters of
 * the local cloud, and the frames the page drops while a scale of 50 pods streams in.
 *
 *   node bench/services/browser.js [--sizes 200,2000] [--runs 5] [--scale-by 50]
 *     [--max-wait-minutes 10]   (per size: past it, the pods that are ready are measured)
 *     [--max-minutes 60]        (the whole bench: past it, it cleans up and stops)
 *     [--live-runs 3]           (how many times the live scale goes up and back)
 *     [--profile]               (a CPU profile of the page during the last open at each size,
 *                                and during the first live scale)
 *
 * Per size, each run is a fresh browser context as a person meets the page: sign in as the guest,
 * Catalog → Payments API → the Service tab (clicked). Read in the page: the tab's User Timing
 * marks (`container-cloud:service-tab:start` / `:usable`, plugins/services useServiceTabMarks), the
 * first paint of the clusters' cards (Element Timing), long animation frames (or long tasks) from
 * the click until usable; from Chromium over CDP: the main thread's busy time (Performance
 * domain TaskDuration, ScriptDuration) over the same span and the JS heap.
 * Then, with the tab open at the first size, the bench's Deployment is scaled up by --scale-by pods
 * (half per cluster); every frame longer than 50 ms is recorded until the tab counts all of them
 * ready, then the scale goes back.
 *
 * The pods are kwok pods in a namespace of their own (bench-services, the same as bench.ts), bound
 * to payments-api by the backend's ops config: the seeded payments-api (2 replicas per cluster,
 * which the end-to-end tests read) is left alone. The backend serves the built app
 * (packages/app/dist: `backstage-cli package build` in packages/app first) on 127.0.0.1:7037.
 * Chromium is Debian's (/usr/bin/chromium), never downloaded. Loopback only; bounded in time;
 * removes the namespace and fake nodes it made and stops the backend it started. Needs the local
 * cloud up (it is never started or stopped here).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, Browser, CDPSession, Page } from 'playwright-core';
import { LocalCloud } from '../../packages/local-cloud/src';
import {
  arg,
  BASE,
  ensurePods,
  guestToken,
  removePods,
  say,
  sleep,
  startBackend,
  waitReady,
} from './bench';

const ROOT = path.resolve(__dirname, '../..');
const SERVICE = 'payments-api';
const MARK_START = 'container-cloud:service-tab:start';
const MARK_USABLE = 'container-cloud:service-tab:usable';
const PAINT_ELEMENT = 'container-cloud:service-tab:cluster';



function listArg(args: string[], name: string, fallback: number[]): number[] {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1].split(',').map(Number) : fallback;
}

const load = () =>
  os
    .loadavg()
    .map(l => l.toFixed(1))
    .join(' ');

/**
 * Installed in every page before its scripts: collects long animation frames (or long tasks where
 * Chromium has none), Element Timing entries and the time of the last click, in `window.__bench`.
 */
function pageProbe() {
  const w = window as any;
  const bench = (w.__bench = {
    frames: [] as Frame[],
    frameType: '',
    paints: [] as { name: string; renderTime: number }[],
    lastClick: NaN,
  });
  document.addEventListener(
    'click',
    event => {
      bench.lastClick = event.timeStamp;
    },
    true,
  );
  const types: readonly string[] =
    (PerformanceObserver as any).supportedEntryTypes ?? [];
  bench.frameType = types.includes('long-animation-frame')
    ? 'long-animation-frame'
    : 'longtask';
  new PerformanceObserver(list => {
    for (const e of list.getEntries() as any[]) {
      const scripts: any[] = e.scripts ?? [];
      bench.frames.push({
        start: e.startTime,
        duration: e.duration,
        blocking: e.blockingDuration ?? Math.max(0, e.duration - 50),
        // where a long animation frame went: scripts, then style and layout (NaN for long tasks)
        script: e.scripts ? scripts.reduce((n, x) => n + x.duration, 0) : NaN,
        layout: e.styleAndLayoutStart
          ? e.startTime + e.duration - e.styleAndLayoutStart
          : NaN,
        top: scripts
          .slice()
          .sort((a, b) => b.duration - a.duration)
          .slice(0, 2)
          .map(x => `${x.invokerType}:${x.invoker} ${Math.round(x.duration)}ms`)
          .join('; '),
      });
    }
  }).observe({ type: bench.frameType, buffered: true });
  if (types.includes('element')) {
    new PerformanceObserver(list => {
      for (const e of list.getEntries() as any[]) {
        bench.paints.push({
          name: e.identifier,
          renderTime: e.renderTime || e.loadTime,
        });
      }
    }).observe({ type: 'element', buffered: true });
  }
}

/** A long animation frame (or long task) as the page probe keeps it. */
interface Frame {
  start: number;
  duration: number;
  blocking: number;
  script: number;
  layout: number;
  top: string;
}

type Metrics = Record<string, number>;

async function cdpMetrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map(m => [m.name, m.value]));
}

interface OpenResult {
  /** click on the tab → usable mark (ms) */
  usableMs: number;
  /** the tab's mount mark → usable mark (ms) */
  mountToUsableMs: number;
  /** click → first paint of a cluster's card (Element Timing), NaN when not reported */
  paintMs: number;
  longFrames: number;
  longestFrameMs: number;
  blockingMs: number;
  taskMs: number;
  scriptMs: number;
  heapMb: number;
  frameType: string;
}

/** Signs in as the guest and opens payments-api's page from the catalog, as a person does. */
async function openServicePage(page: Page) {
  await page.goto(`${BASE}/`);
  await page.getByRole('button', { name: 'Enter' }).click();
  const catalogLink = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true });
  await catalogLink.waitFor();
  await catalogLink.click();
  // the catalog shows the guest's team's components ("Owned") or all of them: payments-api either way
  await page
    .getByRole('table')
    .first()
    .getByRole('link', { name: 'Payments API' })
    .click();
  await page.getByRole('heading', { name: 'Payments API' }).waitFor();
  await page.getByRole('link', { name: 'Service', exact: true }).waitFor();
}

/** Clicks the Service tab and reads what the click cost until the tab's tables were usable. */
async function openServiceTab(
  page: Page,
  cdp: CDPSession,
  profile?: string,
): Promise<OpenResult> {
  const before = await cdpMetrics(cdp);
  if (profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  await page.getByRole('link', { name: 'Service', exact: true }).click();
  await page.waitForFunction(
    name => performance.getEntriesByName(name).length > 0,
    MARK_USABLE,
    { timeout: 120_000, polling: 100 },
  );
  // the frame that paints the tables ends after the mark: give it and the observers a moment
  await page.evaluate(
    () =>
      new Promise(resolve =>
        requestAnimationFrame(() => setTimeout(resolve, 100)),
      ),
  );
  const after = await cdpMetrics(cdp);
  if (profile) {
    const { profile: cpu } = await cdp.send('Profiler.stop');
    fs.writeFileSync(profile, JSON.stringify(cpu));
    say(`CPU profile of the page: ${profile}`);
  }
  const read = await page.evaluate(
    ({ start, usable, paint }) => {
      const bench = (window as any).__bench;
      const last = (name: string) => {
        const all = performance.getEntriesByName(name);
        return all[all.length - 1]?.startTime ?? NaN;
      };
      const click = bench.lastClick as number;
      const usableAt = last(usable);
      const frames = (bench.frames as any[]).filter(
        f => f.start + f.duration >= click && f.start <= usableAt,
      );
      const paints = (bench.paints as any[])
        .filter(p => p.name === paint && p.renderTime >= click)
        .map(p => p.renderTime);
      return {
        usableMs: usableAt - click,
        mountToUsableMs: usableAt - last(start),
        paintMs: paints.length ? Math.min(...paints) - click : NaN,
        longFrames: frames.length,
        longestFrameMs: Math.max(0, ...frames.map(f => f.duration)),
        blockingMs: frames.reduce((n, f) => n + f.blocking, 0),
        frameType: bench.frameType as string,
      };
    },
    { start: MARK_START, usable: MARK_USABLE, paint: PAINT_ELEMENT },
  );
  return {
    ...read,
    taskMs: (after.TaskDuration - before.TaskDuration) * 1000,
    scriptMs: (after.ScriptDuration - before.ScriptDuration) * 1000,
    heapMb: after.JSHeapUsedSize / 1024 / 1024,
  };
}

async function newPage(browser: Browser) {
  const context = await browser.newContext({
    viewport: { width: 1600, height: 1000 },
  });
  await context.addInitScript(pageProbe);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  return { context, page, cdp };
}

/** The containers of payments-api the backend's view counts (every cluster). */
async function viewCount(token: string) {
  const res = await fetch(
    `${BASE}/api/services/services/default/${SERVICE}?podsLimit=20`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  if (!res.ok) throw new Error(`the view answered ${res.status}`);
  const body = await res.json();
  return (body.clusters as any[]).reduce(
    (n, c) => n + (c.podCounts?.total ?? 0),
    0,
  );
}

const q = (values: number[], p: number) => {
  const sorted = values.filter(v => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};
const range = (values: number[], digits = 0) => {
  const ok = values.filter(v => !Number.isNaN(v));
  if (ok.length === 0) return '–';
  const lo = Math.min(...ok).toFixed(digits);
  const hi = Math.max(...ok).toFixed(digits);
  return lo === hi ? lo : `${lo}–${hi}`;
};
const med = (values: number[], digits = 0) => {
  const v = q(values, 0.5);
  return Number.isNaN(v) ? '–' : v.toFixed(digits);
};

async function measure(args: string[], cloud: LocalCloud): Promise<string[]> {
  const sizes = listArg(args, 'sizes', [200, 2000]);
  const runs = arg(args, 'runs', 5);
  const scaleBy = arg(args, 'scale-by', 50);
  const maxWaitMs = arg(args, 'max-wait-minutes', 10) * 60_000;
  const profiling = args.includes('--profile');
  const clusters = cloud.info().clusters.map(c => c.name);

  await waitReady();
  const index = await fetch(`${BASE}/`);
  if (!(await index.text()).includes('<div id="root">'))
    throw new Error(
      'the backend serves no built app: run `backstage-cli package build` in packages/app',
    );
  const token = await guestToken();
  // the catalog ingests the example entities shortly after start-up
  let seeded = NaN;
  for (let i = 0; i < 120 && Number.isNaN(seeded); i++) {
    seeded = await viewCount(token).catch(() => NaN);
    if (Number.isNaN(seeded)) await sleep(1000);
  }
  if (Number.isNaN(seeded))
    throw new Error(`the backend never served ${SERVICE}`);
  say(
    `the seeded containers of ${SERVICE} the tab shows beside the bench's: ${seeded}`,
  );

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
    ],
  });
  const lines: string[] = [];
  const openRows: string[] = [];
  const liveRows: string[] = [];
  const liveRuns = arg(args, 'live-runs', 3);
  try {
    for (const [sizeIndex, size] of sizes.entries()) {
      const perCluster = Math.ceil(size / clusters.length);
      say(
        `scaling the bench's ${SERVICE} to ${perCluster} pods in each of ${clusters.join(
          ', ',
        )}`,
      );
      const podSeconds = await ensurePods(cloud, clusters, perCluster, {
        maxWaitMs,
        partial: true,
      });
      // the view must count them before a run starts
      let shown = 0;
      for (let i = 0; i < 300; i++) {
        shown = (await viewCount(token)) - seeded;
        if (shown >= perCluster * clusters.length) break;
        await sleep(1000);
      }
      say(
        `${shown} bench pods in the view (ready after ${podSeconds.toFixed(
          0,
        )} s); load ${load()}`,
      );
      const results: (OpenResult & { load: string })[] = [];
      for (let run = 1; run <= runs; run++) {
        const { context, page, cdp } = await newPage(browser);
        try {
          await openServicePage(page);
          const profile =
            profiling && run === runs
              ? path.join(
                  os.tmpdir(),
                  `bench-services-browser-${size}.cpuprofile`,
                )
              : undefined;
          const r = {
            ...(await openServiceTab(page, cdp, profile)),
            load: load(),
          };
          results.push(r);
          say(`${size} containers, run ${run}: ${JSON.stringify(r)}`);
          // the live scale, --live-runs times (up and back each) in the last run's tab
          for (
            let live = 1;
            sizeIndex === 0 && run === runs && scaleBy > 0 && live <= liveRuns;
            live++
          ) {
            liveRows.push(
              await liveScale(
                page,
                cdp,
                profiling && live === 1,
                cloud,
                clusters,
                perCluster,
                scaleBy,
                seeded + shown,
                maxWaitMs,
              ),
            );
          }
        } finally {
          await context.close();
        }
      }
      const pick = (k: keyof OpenResult) => results.map(r => r[k] as number);
      openRows.push(
        `| ${shown + seeded} (${shown} + ${seeded} seeded) | ${
          results.length
        } | ${med(pick('usableMs'))} (${range(pick('usableMs'))}) | ${med(
          pick('mountToUsableMs'),
        )} | ${med(pick('paintMs'))} (${range(pick('paintMs'))}) | ${med(
          pick('taskMs'),
        )} (${range(pick('taskMs'))}) | ${med(pick('scriptMs'))} | ${range(
          pick('longFrames'),
        )} | ${med(pick('longestFrameMs'))} (${range(
          pick('longestFrameMs'),
        )}) | ${med(pick('blockingMs'))} | ${range(
          pick('heapMb'),
          1,
        )} | ${results.map(r => r.load.split(' ')[0]).join(', ')} |`,
      );
    }
  } finally {
    await browser.close();
  }
  const frameType =
    'long animation frames (PerformanceObserver `long-animation-frame`)';
  lines.push(
    `Service tab of ${SERVICE} on the local cloud (${clusters.join(
      ' + ',
    )}), Chromium ${browser.version()}, headless; ${runs} runs per size, each a fresh context (sign in, Catalog → Payments API → Service); median (range); ${frameType}`,
    '',
    '| containers | runs | click → usable ms | mount → usable ms | click → first paint of the cards ms | main thread busy ms (TaskDuration) | of it script ms | frames > 50 ms | longest frame ms | blocking ms | JS heap MB | load average (1 min) per run |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...openRows,
  );
  if (liveRows.length > 0) {
    lines.push(
      '',
      `With the tab open at ${sizes[0]} containers, +${scaleBy} pods (half per cluster) until the tab counts all of them ready:`,
      '',
      '| scale | until the tab shows all ready s | view reads (of them 304) | main thread busy ms | frames > 50 ms | longest frame ms | frames > 200 ms | blocking ms | load average (1 min) |',
      '|---|---|---|---|---|---|---|---|---|',
      ...liveRows,
    );
  }
  return lines;
}

/**
 * With the tab open, scales the bench's Deployment up by `scaleBy` pods and records every frame
 * longer than 50 ms until the tab counts them all ready; then scales back and waits for the tab.
 */
async function liveScale(
  page: Page,
  cdp: CDPSession,
  profiling: boolean,
  cloud: LocalCloud,
  clusters: string[],
  perCluster: number,
  scaleBy: number,
  before: number,
  maxWaitMs: number,
): Promise<string> {
  const target = perCluster + Math.ceil(scaleBy / clusters.length);
  const added = (target - perCluster) * clusters.length;
  let reads = 0;
  let notModified = 0;
  const onResponse = (res: any) => {
    if (res.url().includes(`/api/services/services/default/${SERVICE}`)) {
      reads++;
      if (res.status() === 304) notModified++;
    }
  };
  page.on('response', onResponse);
  const start = await page.evaluate(() => performance.now());
  // the main thread's own time (thread ticks: CPU, not wall time) over the scale
  const busyBefore = await cdpMetrics(cdp);
  const loadAtStart = load();
  const wall = Date.now();
  say(
    `live: scaling to ${target} per cluster with the tab open (${before} shown)`,
  );
  if (profiling) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const scaled = ensurePods(cloud, clusters, target, {
    maxWaitMs,
    partial: true,
  });
  await page.waitForFunction(
    want => {
      let ready = 0;
      for (const s of Array.from(
        document.querySelectorAll('section[aria-label^="cluster "]'),
      )) {
        ready += Number(
          /(\d+) ready/.exec((s as HTMLElement).innerText)?.[1] ?? 0,
        );
      }
      return ready >= want;
    },
    before + added,
    { timeout: maxWaitMs, polling: 250 },
  );
  const seconds = (Date.now() - wall) / 1000;
  const busyAfter = await cdpMetrics(cdp);
  const busyMs = (busyAfter.TaskDuration - busyBefore.TaskDuration) * 1000;
  if (profiling) {
    const { profile: cpu } = await cdp.send('Profiler.stop');
    const file = path.join(
      os.tmpdir(),
      'bench-services-browser-live.cpuprofile',
    );
    fs.writeFileSync(file, JSON.stringify(cpu));
    say(`CPU profile of the page during the scale: ${file}`);
  }
  await scaled;
  page.off('response', onResponse);
  const frames: Frame[] = await page.evaluate(
    from =>
      ((window as any).__bench.frames as any[]).filter(
        f => f.start + f.duration >= from,
      ),
    start,
  );
  say(
    `live: all ${added} shown after ${seconds.toFixed(1)} s; ${
      frames.length
    } frames > 50 ms; scaling back`,
  );
  const longest = Math.max(0, ...frames.map(f => f.duration));
  for (const f of frames) {
    say(
      `live frame: ${f.duration.toFixed(0)} ms (scripts ${f.script.toFixed(
        0,
      )} ms, style and layout ${f.layout.toFixed(0)} ms) ${f.top}`,
    );
  }
  const row = `| +${added} (${before} → ${before + added}) | ${seconds.toFixed(
    1,
  )} | ${reads} (${notModified}) | ${busyMs.toFixed(0)} | ${
    frames.length
  } | ${longest.toFixed(0)} | ${
    frames.filter(f => f.duration > 200).length
  } | ${frames
    .reduce((n, f) => n + f.blocking, 0)
    .toFixed(0)} | ${loadAtStart} → ${load()} |`;
  await ensurePods(cloud, clusters, perCluster, { maxWaitMs, partial: true });
  await page
    .waitForFunction(
      want => {
        let total = 0;
        for (const s of Array.from(
          document.querySelectorAll('section[aria-label^="cluster "]'),
        )) {
          total += Number(
            /Containers \((\d+)\)/.exec((s as HTMLElement).innerText)?.[1] ?? 0,
          );
        }
        return total <= want;
      },
      before,
      { timeout: maxWaitMs, polling: 500 },
    )
    .catch(() => say('live: the tab did not show the scale back in time'));
  return row;
}

export async function main(args: string[]): Promise<number> {
  const cloud = new LocalCloud({
    progress: line => say(`local-cloud: ${line}`),
  });
  if (!(await cloud.status()).every(c => c.healthy)) {
    say(
      'the local cloud is not up: `node packages/local-cloud/bin/local-cloud up` first',
    );
    return 2;
  }
  const info = cloud.info();
  const clusters = info.clusters.map(c => c.name);
  if (!fs.existsSync(path.join(ROOT, 'packages/app/dist/index.html'))) {
    say(
      'no built app: run `backstage-cli package build` in packages/app first',
    );
    return 2;
  }
  say(
    `starting the backend (serving the built app) on ${BASE}; load ${load()}`,
  );
  const backend = startBackend(info.appConfig);
  let stopping = false;
  const cleanUp = async () => {
    if (stopping) return;
    stopping = true;
    if (backend.pid) {
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    say('removing the bench namespace and fake nodes');
    await removePods(cloud, clusters);
  };
  // bounded: past --max-minutes, clean up and stop whatever is still waiting
  const watchdog = setTimeout(async () => {
    say(
      `the bench ran past --max-minutes ${arg(
        args,
        'max-minutes',
        60,
      )}: stopping`,
    );
    await cleanUp().catch(e => say(`clean-up: ${e}`));
    process.exit(3);
  }, arg(args, 'max-minutes', 60) * 60_000);
  watchdog.unref();
  try {
    const lines = await measure(args, cloud);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    clearTimeout(watchdog);
    await cleanUp();
  }
}
