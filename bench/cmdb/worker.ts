/*
 * One more catalog backend process for bench/cmdb/cmdb.ts --workers N: the same catalog (with the
 * CMDB module, whose tasks only the first process runs) on the same PostgreSQL database, as a
 * second or third backend replica would be in production. It reports its catalog counters and
 * its CPU time to the parent every 5 s.
 *
 * Started by cmdb.ts with BENCH_WORKER_CONFIG (JSON: the backend and catalog config).
 */
import { startTestBackend, mockServices } from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import cmdbModule from '../../plugins/catalog-backend-module-cmdb/src';
import { manualScheduler } from '../../plugins/catalog-backend-module-cmdb/src/__testUtils__/manualScheduler';
import { catalogCounters } from './metrics';

async function main() {
  const data = JSON.parse(process.env.BENCH_WORKER_CONFIG ?? '{}');
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      cmdbModule,
      // never runs the provider's tasks: the first process does (the scheduler's lock)
      manualScheduler().factory,
      mockServices.rootConfig.factory({ data }),
    ],
  });
  const report = async () => {
    const cpu = process.cpuUsage();
    process.send?.({
      ...(await catalogCounters()),
      cpuMs: (cpu.user + cpu.system) / 1000,
    });
  };
  const timer = setInterval(() => void report(), 5000);
  await report();
  process.on('message', async message => {
    if (message === 'stop') {
      clearInterval(timer);
      await report();
      await backend.stop();
      process.exit(0);
    }
  });
}

main().catch(error => {
  process.stderr.write(`[worker] ${error?.stack ?? error}\n`);
  process.exit(1);
});
