import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../../../playwright.config';

/**
 * The repository's Playwright config for clusters.test.ts, with clusters.ops.e2e.yaml added to
 * the backend's config (the guest sign-in is carol, an ops admin): the clusters page is for ops
 * only.
 */
const root = path.resolve(__dirname, '../../..');
const server = base.webServer as { command: string; cwd: string } | undefined;

export default defineConfig({
  ...base,
  testDir: __dirname,
  testMatch: 'clusters.test.ts',
  // the default config may leave this spec out (its guest is no ops admin): not this one
  testIgnore: [],
  outputDir: path.resolve(root, base.outputDir!),
  reporter: [
    ['list'],
    [
      'json',
      {
        outputFile: path.resolve(
          root,
          process.env.E2E_RESULTS ?? 'e2e-results',
          'clusters-report.json',
        ),
      },
    ],
  ],
  webServer:
    server &&
    ({
      ...(base.webServer as object),
      command: server.command.replace(
        'app-config.e2e.yaml',
        `app-config.e2e.yaml --config ${path.resolve(
          __dirname,
          'clusters.ops.e2e.yaml',
        )}`,
      ),
      cwd: path.resolve(root, server.cwd),
    } as typeof base.webServer),
});
