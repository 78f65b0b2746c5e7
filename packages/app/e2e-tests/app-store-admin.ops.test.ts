import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openFromSidebar, shots, signIn } from './helpers';

// The app store's Admin tab, for ops admins: the ops run signs in as carol (ops.e2e.yaml). The
// guest's side (no Admin tab) is app-store-admin.test.ts, in the main run.
const CLUSTER = 'local-a';
const NAMESPACE = 'payments';
const OWNER = 'component:default/payments-api';
const DAY = 86_400_000;

/** The signed-in person's Backstage token, as the app gets it from the guest provider. */
async function backstageToken(page: Page): Promise<string> {
  const res = await page.request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBe(true);
  return (await res.json()).backstageIdentity.token;
}

/** Removes a release the test may have left (the local cloud's Helm), and its claims. */
function cleanUp(release: string) {
  const helm = process.env.LOCAL_CLOUD_HELM;
  if (helm) {
    try {
      execFileSync(
        helm,
        ['--kube-context', CLUSTER, '-n', NAMESPACE, 'uninstall', release],
        { stdio: 'pipe', timeout: 60_000 },
      );
    } catch {
      // uninstalled through the API, as it should be
    }
  }
  try {
    const claims = execFileSync(
      'kubectl',
      ['--context', CLUSTER, '-n', NAMESPACE, 'get', 'pvc', '-o', 'name'],
      { encoding: 'utf8', timeout: 30_000 },
    )
      .split('\n')
      .filter(line => line.includes(`-${release}-`));
    if (claims.length) {
      execFileSync(
        'kubectl',
        [
          '--context',
          CLUSTER,
          '-n',
          NAMESPACE,
          'delete',
          '--wait=false',
          ...claims,
        ],
        { stdio: 'pipe', timeout: 30_000 },
      );
    }
  } catch {
    // nothing left
  }
}

test('ops see every instance in the App store’s Admin tab, with owner, age and expiry, and extend two at once', async ({
  page,
}) => {
  test.setTimeout(360_000);
  const stamp = Date.now().toString(36);
  const names = [`e2e-adm-a-${stamp}`, `e2e-adm-b-${stamp}`];
  await signIn(page);
  const token = await backstageToken(page);
  const api = (method: string, route: string, data?: object) =>
    page.request.fetch(`/api/app-store${route}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      data,
    });
  try {
    // two test instances of payments-api, through the API, expiring in two days
    const charts = await (await api('GET', '/charts')).json();
    const redis = charts.items.find(
      (c: { name: string }) => c.name === 'redis',
    );
    expect(redis).toBeDefined();
    for (const name of names) {
      const res = await api('POST', '/instances', {
        repository: redis.repository,
        chart: 'redis',
        version: redis.versions[0].version,
        cluster: CLUSTER,
        namespace: NAMESPACE,
        owner: OWNER,
        name,
        environment: 'test',
        expiresInDays: 2,
      });
      expect(res.status(), await res.text()).toBe(202);
    }

    // the page, as a person reaches it: sidebar, then the Admin tab
    await openFromSidebar(page, 'App store');
    await page.getByRole('tab', { name: 'Admin' }).click();
    await expect(page).toHaveURL(/\/app-store\/admin$/);
    await page.getByLabel('Chart').fill('redis');
    const rowOf = (name: string) =>
      page.getByRole('row').filter({ hasText: name });
    for (const name of names) {
      const row = rowOf(name);
      await expect(row).toBeVisible({ timeout: 60_000 });
      const cell = (text: string | RegExp) =>
        row.getByRole('cell', { name: text, exact: true });
      await expect(cell(OWNER)).toBeVisible();
      await expect(cell(`${CLUSTER}/${NAMESPACE}`)).toBeVisible();
      // age: seconds or minutes old; expiry: two days from now
      await expect(cell(/^\d+(s|m)$/)).toBeVisible();
      await expect(cell(/^in 4[78] h$/)).toBeVisible();
      await expect(cell('user:default/carol')).toBeVisible();
    }

    // both selected, extended by 30 days in one action
    for (const name of names) await rowOf(name).getByRole('checkbox').check();
    await expect(page.getByText('2 selected')).toBeVisible();
    await page.getByRole('button', { name: 'Extend selected' }).click();
    const ask = page.getByRole('dialog', { name: 'Extend 2 instances' });
    await ask.getByLabel('Days from now').fill('30');
    await ask.getByRole('button', { name: 'Extend', exact: true }).click();
    const results = page.getByRole('dialog', { name: 'Extended by 30 days' });
    await expect(results).toBeVisible();
    for (const name of names) {
      await expect(
        results.getByRole('row').filter({ hasText: name }),
      ).toContainText('done');
    }
    await results.getByRole('button', { name: 'Close' }).click();

    // their expiry moved: on the page, and in the record
    for (const name of names) {
      await expect(
        rowOf(name).getByRole('cell', { name: 'in 30 days', exact: true }),
      ).toBeVisible();
      const detail = await (
        await api('GET', `/instances/${CLUSTER}/${NAMESPACE}/${name}`)
      ).json();
      const left = Date.parse(detail.expiresAt) - Date.now();
      expect(left).toBeGreaterThan(29 * DAY);
      expect(left).toBeLessThanOrEqual(30 * DAY);
    }
    await page.screenshot({ path: path.join(shots, 'app-store-admin.png') });
  } finally {
    for (const name of names) {
      await api('DELETE', `/instances/${CLUSTER}/${NAMESPACE}/${name}`).catch(
        () => undefined,
      );
      cleanUp(name);
    }
  }
});
