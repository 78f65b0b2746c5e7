import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/**
 * The ops run of the end-to-end test: the `*.ops.test.ts` specs (ops admins' pages), against a
 * backend whose guest sign-in is carol, an ops admin (ops.e2e.yaml on top of the usual config).
 * `scripts/test` runs it after the main run (playwright.config.ts), which leaves these specs out.
 */
const root = __dirname;
const tests = path.resolve(root, 'packages/app/e2e-tests');
const results = path.resolve(root, process.env.E2E_RESULTS ?? 'e2e-results');
const server = base.webServer as { command: string; cwd: string } | undefined;

export default defineConfig({
  ...base,
  testDir: tests,
  testMatch: /\.ops\.test\.ts$/,
  testIgnore: [],
  outputDir: path.resolve(results, 'ops-artifacts'),
  reporter: [
    ['list'],
    ['json', { outputFile: path.resolve(results, 'ops-report.json') }],
  ],
  webServer: server && {
    ...server,
    command: server.command
      .replace(
        'app-config.e2e.yaml',
        `app-config.e2e.yaml --config ${path.resolve(tests, 'ops.e2e.yaml')}`,
      )
      .replace('e2e-results/backend.log', 'e2e-results/backend-ops.log'),
    cwd: path.resolve(root, server.cwd),
  },
});
