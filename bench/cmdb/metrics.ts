/*
 * Reading the catalog's own Prometheus counters (registered by @backstage/plugin-catalog-backend
 * on prom-client's default registry) in this process.
 */
import { readFileSync, readdirSync } from 'node:fs';

// the catalog's prom-client, not whichever one this file would resolve first
const promClient = require(require.resolve('prom-client', {
  paths: [require.resolve('@backstage/plugin-catalog-backend')],
})) as typeof import('prom-client');

async function counter(name: string): Promise<number> {
  const metric = promClient.register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

/** Total seconds observed by a summary metric (its `_sum`, over every label). */
async function summarySum(name: string): Promise<number> {
  const metric = promClient.register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter(v => (v as { metricName?: string }).metricName === `${name}_sum`)
    .reduce((sum, v) => sum + v.value, 0);
}

/**
 * Entities processed and stitched by this process's catalog so far, and the seconds spent in
 * whole processing runs and in their processors (the part the default processors account for).
 */
export async function catalogCounters() {
  return {
    processed: await counter('catalog_processed_entities_count'),
    stitched: await counter('catalog_stitched_entities_count'),
    processingS: await summarySum('catalog_processing_duration_seconds'),
    processorsS: await summarySum('catalog_processors_duration_seconds'),
  };
}

/** CPU time (ms) of the PostgreSQL server whose data directory is `dataDir`: postmaster and its children. */
export function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(
    readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0],
  );
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // fields after the command (which may hold spaces) in parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    if (pid !== postmaster && ppid !== postmaster) continue;
    total += Number(fields[11]) + Number(fields[12]); // utime + stime
  }
  return (total / ticks) * 1000;
}
