import { test, expect, Page } from '@playwright/test';
import path from 'node:path';
import { shots, showAllComponents, signIn } from './helpers';

// The audit log is for ops admins: the guest sign-in of the portal under test signs in as carol,
// one of them (ops.e2e.yaml), who may also operate every service. The test scales
// payments-api up by one in local-a and back, and finds both in the audit log.
function sidebarLink(page: Page, name: string) {
  return page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name, exact: true });
}

async function scaleTo(page: Page, replicas: number) {
  const localA = page.getByRole('region', { name: 'cluster local-a' });
  await localA.getByRole('button', { name: 'scale' }).click();
  await page.getByLabel('Replicas').fill(String(replicas));
  await page.getByRole('button', { name: 'Scale', exact: true }).click();
  await expect(
    page.getByText('scale of payments-api in local-a accepted'),
  ).toBeVisible();
  await expect(localA.getByLabel('ready payments-api')).toHaveText(
    new RegExp(`/${replicas}$`),
    { timeout: 90_000 },
  );
}

test('a scale from the Service tab is in the audit log, searchable by actor and action', async ({
  page,
}) => {
  await signIn(page);

  // the Service tab of payments-api, from the catalog as a person gets there
  await showAllComponents(page);
  await page
    .getByRole('table')
    .first()
    .getByRole('link', { name: 'Payments API' })
    .click();
  await page.getByRole('link', { name: 'Service', exact: true }).click();
  const ready = page
    .getByRole('region', { name: 'cluster local-a' })
    .getByLabel('ready payments-api');
  await expect(ready).toHaveText(/^\d+\/\d+$/);
  const desired = Number((await ready.textContent())!.split('/')[1]);
  await scaleTo(page, desired + 1);
  // back as it was: the other end-to-end tests expect the seeded replicas
  await scaleTo(page, desired);

  // the audit log, from the sidebar, narrowed to carol's scales
  await sidebarLink(page, 'Audit log').click();
  await expect(page).toHaveURL(/\/audit$/);
  // the page's own heading (a page change can briefly show a second one, outside the main area)
  await expect(
    page.getByRole('main').getByRole('heading', { name: 'Audit log' }),
  ).toBeVisible();
  await page.getByLabel('Actor').fill('user:default/carol');
  await page.getByLabel('Entity').fill('component:default/payments-api');
  await page.getByRole('button', { name: 'Search' }).click();
  const rows = page
    .getByRole('row')
    .filter({ hasText: 'services: service-scale' })
    .filter({ hasText: 'user:default/carol' });
  // the newest two are this test's: up by one, then back
  await expect(rows.nth(1)).toBeVisible();
  await expect(rows.first()).toContainText('local-a');
  await expect(rows.first()).toContainText('succeeded');
  await page.screenshot({
    path: path.join(shots, 'audit.png'),
    fullPage: true,
  });

  // the newest in full: what the route recorded, the replicas asked for
  await rows.first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('recorded details')).toContainText(
    `"replicas": ${desired}`,
  );
  await expect(dialog).toContainText('component:default/payments-api');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // the same on the service's own Audit tab
  await sidebarLink(page, 'Catalog').click();
  await showAllComponents(page);
  await page
    .getByRole('table')
    .first()
    .getByRole('link', { name: 'Payments API' })
    .click();
  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(
    page
      .getByRole('row')
      .filter({ hasText: 'services: service-scale' })
      .filter({ hasText: 'user:default/carol' })
      .first(),
  ).toBeVisible();
});
