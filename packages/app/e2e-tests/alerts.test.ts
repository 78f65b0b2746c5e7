import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openFromSidebar, shots, signIn } from './helpers';

/** kwok's CPU usage annotation: the pod's containers use this much, as Prometheus scrapes it */
const CPU_USAGE = 'kwok.x-k8s.io/usage-cpu';

/** kubectl against the local cloud's local-a (its kubeconfig comes with `local-cloud env`). */
function kubectl(...args: string[]): string {
  return execFileSync(
    'kubectl',
    ['--context', 'local-a', '--namespace', 'payments', ...args],
    { encoding: 'utf8', timeout: 30_000 },
  );
}

/** A running pod of the seeded payments-api in local-a. */
function paymentsApiPod(): string {
  const names = kubectl(
    'get',
    'pods',
    '-l',
    'backstage.io/kubernetes-id=payments-api',
    '--field-selector',
    'status.phase=Running',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  )
    .split(/\s+/)
    .filter(name => name.startsWith('payments-api-'))
    .sort();
  if (names.length === 0) {
    throw new Error('payments-api runs no pod in local-a/payments');
  }
  return names[0];
}

test('an alert rule is created on the Alerts tab, loaded by the local Prometheus, and its alert arrives live, pending then firing', async ({
  page,
}) => {
  test.setTimeout(420_000);
  const suffix = Date.now().toString(36);
  const name = `e2e cpu ${suffix}`;
  const summary = `payments-api's container uses more than 0.3 cores (${suffix})`;
  const pod = paymentsApiPod();
  await signIn(page);

  // from the sidebar's Services page, which links each service's Service tab
  await openFromSidebar(page, 'Services');
  await page
    .getByRole('table')
    .getByRole('link', { name: /^(Payments API|payments-api)$/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Alerts', exact: true })
    .click();
  await expect(page).toHaveURL(/\/component\/payments-api\/alerts$/);

  await page.getByRole('button', { name: 'Add rule' }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByLabel(/^Name/).fill(name);
  await dialog.getByLabel(/^Threshold/).fill('lots');
  await dialog.getByLabel(/^Summary/).fill(summary);
  await dialog.getByRole('button', { name: 'Save' }).click();
  // the backend refuses it, and says so under the field
  await expect(dialog.getByText('the threshold is a number')).toBeVisible();
  // one container of one pod, a low threshold and a short `for`
  await dialog.getByLabel(/^Threshold/).fill('0.3');
  await dialog.getByLabel(/^For/).fill('20s');
  await dialog.getByLabel(/^Window/).fill('30s');
  await dialog.getByLabel(/^Container/).click();
  await page.getByRole('option', { name: 'payments-api', exact: true }).click();
  await dialog.getByLabel(/^Pod/).fill(pod);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });

  const rules = page.getByRole('table').filter({ hasText: name });
  await expect(rules).toBeVisible();
  await expect(rules).toContainText('CPU (cores) > 0.3 for 20s');
  // promtool passed, the file is written and Prometheus reloaded: it shows the version loaded
  await expect(page.getByText(/^local: loaded v\d+$/)).toBeVisible({
    timeout: 60_000,
  });

  // the Alerts card's row of this rule's alert (the rules table does not show summaries)
  const alertRow = page.getByRole('row').filter({ hasText: summary });
  await expect(alertRow).toHaveCount(0);
  try {
    // the container's CPU crosses the threshold (kwok's usage, scraped every 5 s); the page is
    // not reloaded from here on: the alert arrives by signal
    kubectl('annotate', 'pod', pod, `${CPU_USAGE}=900m`, '--overwrite');
    await expect(alertRow).toContainText('pending', { timeout: 120_000 });
    await expect(alertRow).toContainText('firing', { timeout: 120_000 });
    await expect(alertRow).toContainText(`${pod} / payments-api`);
    await expect(alertRow).toContainText('local-a');
    await expect(
      alertRow.getByRole('link', { name: `Metrics of ${pod} / payments-api` }),
    ).toBeVisible();
    await alertRow.scrollIntoViewIfNeeded();
    await page.screenshot({
      path: path.join(shots, 'alerts-tab.png'),
      fullPage: true,
    });
    // the alert's link opens that container's metrics on the Service tab
    await alertRow
      .getByRole('link', { name: `Metrics of ${pod} / payments-api` })
      .click();
    await expect(page).toHaveURL(/\/component\/payments-api\/service/);
    const metrics = page.getByRole('dialog');
    await expect(
      metrics.getByText(`CPU, memory and network of ${pod} in local-a`),
    ).toBeVisible();
    await expect(
      metrics.getByText('Opened for container payments-api'),
    ).toBeVisible();
    await metrics.getByRole('button', { name: 'Close' }).click();
    await page
      .getByRole('navigation', { name: 'Content navigation' })
      .getByRole('link', { name: 'Alerts', exact: true })
      .click();
    await expect(alertRow).toContainText('firing');
  } finally {
    // back to kwok's default usage
    kubectl('annotate', 'pod', pod, `${CPU_USAGE}-`);
  }
  // the use drops under the threshold: Prometheus resolves the alert, and it leaves the open page
  await expect(alertRow).toHaveCount(0, { timeout: 180_000 });

  // leave payments-api as it was: the rule goes (a new version)
  await rules
    .getByRole('row')
    .filter({ hasText: name })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(page.getByRole('table').filter({ hasText: name })).toHaveCount(
    0,
    { timeout: 60_000 },
  );
});
