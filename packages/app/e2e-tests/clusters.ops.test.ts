import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openFromSidebar, shots, signIn } from './helpers';

// The clusters page is for ops admins: the guest sign-in of the portal under test signs in as
// carol, one of them (ops.e2e.yaml). The first test only previews (it reads); the second fails a
// service of its own over.
test('the Clusters page shows both clusters, one’s nodes, and a failover preview', async ({
  page,
}) => {
  await signIn(page);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Clusters', exact: true })
    .click();
  await expect(page).toHaveURL(/\/clusters$/);

  // the local cloud's two clusters, each with its three kwok nodes ready
  for (const cluster of ['local-a', 'local-b']) {
    await expect(
      page.getByRole('button', { name: `details of ${cluster}` }),
    ).toBeVisible();
  }
  await expect(page.getByText('Nodes: 3 of 3 ready')).toHaveCount(2);
  await expect(page.getByText(/^CPU: .* requested of /).first()).toBeVisible();

  await page.getByRole('button', { name: 'details of local-a' }).click();
  await expect(page.getByText('Nodes of local-a')).toBeVisible();
  await expect(page.getByText('kwok-local-a-0')).toBeVisible();
  await expect(page.getByText('Heaviest services of local-a')).toBeVisible();

  // the preview of moving local-b's services: the seeded services, to local-a
  await page.getByRole('button', { name: 'move services off local-b' }).click();
  const dialog = page.getByRole('dialog');
  await expect(
    dialog.getByText(/^To local-a \(the cluster with the most free capacity\)/),
  ).toBeVisible();
  await expect(dialog.getByText('payments-api').first()).toBeVisible();
  await expect(dialog.getByText(/after the move: cpu/)).toBeVisible();
  await expect(
    dialog.getByRole('button', { name: 'Start failover' }),
  ).toBeEnabled();
  await page.screenshot({ path: path.join(shots, 'clusters.png') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
});

// The failover itself moves a service of the test's own (e2e-failover: ops.e2e.catalog.yaml, in
// its own namespace of both clusters) from local-b to local-a, leaving every seeded service where
// it is (the other specs expect orders-web on local-b and so on); the namespace goes afterwards.
const NAMESPACE = 'e2e-failover';
const SERVICE = 'e2e-failover';
type Cluster = 'local-a' | 'local-b';

/** kubectl against one of the local cloud's clusters (KUBECONFIG from `local-cloud env`). */
function kubectl(cluster: Cluster, args: string[], input?: object): string {
  return execFileSync('kubectl', ['--context', cluster, ...args], {
    encoding: 'utf8',
    input: input ? JSON.stringify(input) : undefined,
    timeout: 180_000,
  });
}

function replicasIn(cluster: Cluster): number {
  const out = kubectl(cluster, [
    'get',
    'deployment',
    SERVICE,
    '-n',
    NAMESPACE,
    '--ignore-not-found',
    '-o',
    'jsonpath={.spec.replicas}',
  ]).trim();
  return out === '' ? 0 : Number(out);
}

function removeNamespace() {
  for (const cluster of ['local-a', 'local-b'] as const) {
    kubectl(cluster, [
      'delete',
      'namespace',
      NAMESPACE,
      '--ignore-not-found',
      '--wait=true',
      '--timeout=120s',
    ]);
  }
}

test.describe('failover', () => {
  test.beforeAll(() => {
    removeNamespace(); // a run stopped half-way may have left it
    for (const cluster of ['local-a', 'local-b'] as const) {
      kubectl(cluster, ['apply', '-f', '-'], {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NAMESPACE },
      });
    }
    const labels = { app: SERVICE, 'backstage.io/kubernetes-id': SERVICE };
    kubectl('local-b', ['apply', '-f', '-'], {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${SERVICE}-env`, namespace: NAMESPACE, labels },
          data: { GREETING: 'hello from local-b' },
        },
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: `${SERVICE}-db`, namespace: NAMESPACE, labels },
          stringData: { PASSWORD: 'e2e-only' },
        },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: SERVICE, namespace: NAMESPACE, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: SERVICE } },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: `registry.example.com/${SERVICE}:1.0.0`,
                    envFrom: [
                      { configMapRef: { name: `${SERVICE}-env` } },
                      { secretRef: { name: `${SERVICE}-db` } },
                    ],
                    resources: { requests: { cpu: '50m', memory: '32Mi' } },
                  },
                ],
              },
            },
          },
        },
      ],
    });
    kubectl('local-b', [
      'rollout',
      'status',
      `deployment/${SERVICE}`,
      '-n',
      NAMESPACE,
      '--timeout=120s',
    ]);
  });

  test.afterAll(() => {
    removeNamespace();
  });

  test('fails a service of local-b over to local-a, shows its progress, and the moves are in the audit log', async ({
    page,
  }) => {
    test.setTimeout(360_000);
    const before = replicasIn('local-a') + replicasIn('local-b');
    expect(before).toBe(2);

    await signIn(page);
    await openFromSidebar(page, 'Clusters');
    await expect(page).toHaveURL(/\/clusters$/);
    await page
      .getByRole('button', { name: 'move services off local-b' })
      .click();
    const dialog = page.getByRole('dialog');

    // local-a by name, then only the test's own service
    await dialog
      .getByRole('button', { name: /Choose by free capacity/ })
      .click();
    await page.getByRole('option', { name: 'local-a', exact: true }).click();
    await expect(
      dialog.getByText(/^To local-a: \d+ of \d+ service/),
    ).toBeVisible();
    await expect(dialog.getByLabel(`move ${SERVICE}`)).toBeChecked();
    const boxes = dialog.getByRole('checkbox', { name: /^move / });
    const names = await boxes.evaluateAll(inputs =>
      inputs.map(input => input.getAttribute('aria-label') ?? ''),
    );
    // one box per service (a service's rows in several namespaces share it)
    for (const name of new Set(names.filter(n => n !== `move ${SERVICE}`))) {
      await dialog.getByLabel(name, { exact: true }).first().uncheck();
    }
    await expect(
      dialog.getByText(
        /^To local-a: 1 of \d+ service\(s\) move \(\d+ left out\)$/,
      ),
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Start failover' }).click();
    await expect(dialog).toHaveCount(0);

    // the run's card, newest first: the service's own row follows it to the end
    const progress = page.getByLabel('progress of local-b to local-a').first();
    await expect(progress).toHaveText(/^(running|done): /);
    const row = page
      .getByRole('row')
      .filter({ hasText: `${NAMESPACE}/${SERVICE}` })
      .first();
    await expect(row).toContainText('2 → 2 in the target');
    await expect(progress).toHaveText(
      /^done: 1 moved, 0 ready, 0 scaling up, 0 pending, 0 failed, 0 skipped$/,
      { timeout: 240_000 },
    );
    // the row now says how it ended
    await expect(row).toContainText('scaled-down');
    await expect(row).toContainText('scaled to 0 in local-b');
    // the cards load again once the run ends: local-a (the one with payments-worker) runs it now
    await expect(
      page.getByText(/^Services \(\d+\): .*e2e-failover.*payments-worker/),
    ).toBeVisible();
    await page.screenshot({ path: path.join(shots, 'failover.png') });

    // nothing lost: the replicas are in local-a now, none in local-b
    expect(replicasIn('local-a')).toBe(2);
    expect(replicasIn('local-b')).toBe(0);
    expect(replicasIn('local-a') + replicasIn('local-b')).toBe(before);
    expect(
      kubectl('local-a', [
        'get',
        'configmap',
        `${SERVICE}-env`,
        '-n',
        NAMESPACE,
        '-o',
        'jsonpath={.data.GREETING}',
      ]),
    ).toBe('hello from local-b');
    expect(
      kubectl('local-a', [
        'get',
        'secret',
        `${SERVICE}-db`,
        '-n',
        NAMESPACE,
        '-o',
        'jsonpath={.type}',
      ]),
    ).toBe('Opaque');

    // the audit log has each step of the move, for the service's entity
    await openFromSidebar(page, 'Audit log');
    await expect(page).toHaveURL(/\/audit$/);
    await expect(
      page.getByRole('main').getByRole('heading', { name: 'Audit log' }),
    ).toBeVisible();
    await page.getByLabel('Entity').fill(`component:default/${SERVICE}`);
    await page.getByRole('button', { name: 'Search' }).click();
    const steps = page
      .getByRole('row')
      .filter({ hasText: 'cluster-failover-step' });
    await expect(steps).toHaveCount(3);
    await expect(steps.first()).toContainText('succeeded');
    await page.screenshot({
      path: path.join(shots, 'failover-audit.png'),
      fullPage: true,
    });
  });
});
