/*
 * Benchmarks the version diff of the nginx plugin: the hand-written LCS it used until 2026-12
 * (read from git, commit 8c599b1) against today's jsdiff (Myers) diffLines, on the same
 * generated config pair (plugins/nginx-backend/src/__testUtils__/largeConfig.ts): N lines, E
 * spread-out edits. Each measurement runs in a child process of its own, so its peak memory is
 * its own; a child that runs out of heap (`--heap-mib`) is reported as such.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/nginx/diff.ts
 *     [--sizes 2000:200,5000:500,10000:1000,20000:2000] [--runs 3] [--heap-mib 4096]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const OLD_LCS_COMMIT = '8c599b1';
const ROOT = resolve(__dirname, '../..');

interface Measurement {
  ms: number;
  /** the child's peak resident set, MiB */
  peakRssMiB: number;
  lines: number;
}

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

/** In the child: one diff, timed, then the peak RSS of the whole process. */
function child(implPath: string, lines: number, edits: number) {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { largeConfigPair } = require(join(
    ROOT,
    'plugins/nginx-backend/src/__testUtils__/largeConfig',
  ));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { diffLines } = require(implPath);
  const { before, after } = largeConfigPair(lines, edits);
  const started = performance.now();
  const diff = diffLines(before, after);
  const ms = performance.now() - started;
  const result: Measurement = {
    ms,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    lines: diff.length,
  };
  process.stdout.write(JSON.stringify(result));
}

function measure(
  implPath: string,
  lines: number,
  edits: number,
  heapMiB: number,
): Measurement | string {
  const run = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${heapMiB}`,
      '-r',
      '@backstage/cli/config/nodeTransform.cjs',
      __filename,
      '--child',
      implPath,
      String(lines),
      String(edits),
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status === 0) return JSON.parse(run.stdout) as Measurement;
  const out = `${run.stderr}`;
  if (/heap out of memory|Allocation failed/i.test(out)) {
    return `out of memory at a ${heapMiB} MiB heap`;
  }
  return `failed: ${out.split('\n').slice(-5).join(' ')}`;
}

function range(values: number[], unit: string, digits = 0) {
  const lo = Math.min(...values).toFixed(digits);
  const hi = Math.max(...values).toFixed(digits);
  return lo === hi ? `${lo} ${unit}` : `${lo}–${hi} ${unit}`;
}

function main() {
  const sizes = arg('sizes', '2000:200,5000:500,10000:1000,20000:2000')
    .split(',')
    .map(pair => pair.split(':').map(Number) as [number, number]);
  const runs = Number(arg('runs', '3'));
  const heapMiB = Number(arg('heap-mib', '4096'));
  const scratch = mkdtempSync(join(tmpdir(), 'diff-bench-'));
  try {
    const oldPath = join(scratch, 'oldLineDiff.ts');
    writeFileSync(
      oldPath,
      execFileSync(
        'git',
        [
          'show',
          `${OLD_LCS_COMMIT}:plugins/nginx-backend/src/services/lineDiff.ts`,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      ),
    );
    const impls = {
      'hand-written LCS (before)': oldPath,
      'jsdiff diffArrays (Myers)': join(
        ROOT,
        'plugins/nginx-backend/src/services/lineDiff',
      ),
    };
    console.log('| lines | edits | implementation | time | peak RSS |');
    console.log('| ----- | ----- | -------------- | ---- | -------- |');
    for (const [lines, edits] of sizes) {
      for (const [name, path] of Object.entries(impls)) {
        const results: Measurement[] = [];
        let failure: string | undefined;
        for (let i = 0; i < runs && !failure; i++) {
          const result = measure(path, lines, edits, heapMiB);
          if (typeof result === 'string') failure = result;
          else results.push(result);
        }
        const time =
          failure ??
          range(
            results.map(r => r.ms),
            'ms',
          );
        const rss = failure
          ? '—'
          : range(
              results.map(r => r.peakRssMiB),
              'MiB',
            );
        console.log(
          `| ${lines.toLocaleString('en')} | ${edits.toLocaleString(
            'en',
          )} | ${name} | ${time} | ${rss} |`,
        );
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3], Number(process.argv[4]), Number(process.argv[5]));
} else {
  main();
}
