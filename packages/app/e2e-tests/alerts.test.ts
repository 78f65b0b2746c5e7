import { test, expect } from '@playwright/test';
import path from 'node:path';
import { shots, signIn } from './helpers';

test('an alert rule is created on the Alerts tab and loaded by the local Prometheus', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const name = `e2e cpu ${Date.now().toString(36)}`;
  await signIn(page);

  const table = page.getByRole('table').first();
  await table.getByRole('link', { name: 'Payments API' }).click();
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
  await dialog
    .getByLabel(/^Summary/)
    .fill('payments-api uses more than 2 cores');
  await dialog.getByRole('button', { name: 'Save' }).click();
  // the backend refuses it, and says so under the field
  await expect(dialog.getByText('the threshold is a number')).toBeVisible();
  await dialog.getByLabel(/^Threshold/).fill('2');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });

  const rules = page.getByRole('table').filter({ hasText: name });
  await expect(rules).toBeVisible();
  await expect(rules).toContainText('CPU (cores) > 2 for 1m');
  // promtool passed, the file is written and Prometheus reloaded: it shows the version loaded
  await expect(page.getByText(/^local: loaded v\d+$/)).toBeVisible({
    timeout: 60_000,
  });
  await page.screenshot({ path: path.join(shots, 'alerts-tab.png') });

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
