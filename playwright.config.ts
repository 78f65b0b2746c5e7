import { defineConfig } from '@playwright/test';

/**
 * The end-to-end test drives Debian's Chromium (never a downloaded browser) against the built app,
 * served by the real backend on a loopback port of its own. `scripts/test` builds the app first.
 *
 * With E2E_BASE_URL set, the test runs against a portal that is already running there instead
 * (scripts/replicas: several backend replicas behind a round-robin balancer) and writes its
 * results to E2E_RESULTS.
 */
const external = process.env.E2E_BASE_URL;
const baseURL = external ?? 'http://127.0.0.1:7017'; // the port in e2e-tests/app-config.e2e.yaml
const results = process.env.E2E_RESULTS ?? 'e2e-results';

// the local cloud's overlay (clusters, nginx, prometheus): scripts/test brings it up and sets this
const localCloudConfig = process.env.LOCAL_CLOUD_APP_CONFIG;
if (!localCloudConfig && !external) {
  throw new Error(
    'LOCAL_CLOUD_APP_CONFIG is not set: run the end-to-end test through ./scripts/test, which starts the local cloud',
  );
}

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  // the ops admins' pages run in their own run, signed in as an ops admin (playwright.ops.config.ts)
  testIgnore: /\.ops\.test\.ts$/,
  outputDir: `${results}/artifacts`,
  timeout: 120_000,
  expect: { timeout: 30_000 },
  retries: 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: `${results}/report.json` }]],
  use: {
    baseURL,
    viewport: { width: 1600, height: 1000 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
      ],
    },
  },
  webServer: external
    ? undefined
    : {
        // the backend's sources through the CLI's node transform, as `package start` runs them but
        // without its file watcher, which restarted the backend mid-test on any edit in the repo
        command: `NODE_ENV=development node --require @backstage/cli/config/nodeTransform.cjs src/index.ts --config ../../app-config.yaml --config ${localCloudConfig} --config ../app/e2e-tests/app-config.e2e.yaml > ../../e2e-results/backend.log 2>&1`,
        cwd: 'packages/backend',
        url: `${baseURL}/.backstage/health/v1/readiness`,
        timeout: 180_000,
        reuseExistingServer: false,
      },
});
