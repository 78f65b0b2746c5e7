import { test, expect, Page } from '@playwright/test';
import path from 'node:path';

// git-ignored; scripts/test copies the catalog shot to docs/ when asked to refresh the README's
const shots = path.resolve(__dirname, '../../../e2e-results/screenshots');

async function signInAsGuest(page: Page) {
  await page.goto('/');
  // the guest provider's sign-in card
  await page.getByRole('button', { name: 'Enter' }).click();
}

test('the catalog lists the example services and opens a service page', async ({
  page,
}) => {
  await signInAsGuest(page);

  // the catalog is the landing page; the guest belongs to team-payments, so "Owned" shows its two
  // services and "All" adds the other team's
  const table = page.getByRole('table').first();
  await expect(table.getByRole('link', { name: 'Payments API' })).toBeVisible();
  await expect(
    table.getByRole('link', { name: 'Payments worker' }),
  ).toBeVisible();
  await expect(table.getByRole('link', { name: 'Orders API' })).toHaveCount(0);
  await page.getByRole('menuitem', { name: /^All/ }).click();
  await expect(table.getByRole('link', { name: 'Orders API' })).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'catalog.png') });

  await table.getByRole('link', { name: 'Payments API' }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);
  await expect(
    page.getByRole('heading', { name: 'Payments API' }),
  ).toBeVisible();
  // ownership as declared in examples/entities.yaml
  await expect(
    page.getByRole('link', { name: 'Payments team' }).first(),
  ).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'service-page.png') });

  // our Service tab: the service in every configured cluster
  await page.getByRole('link', { name: 'Service', exact: true }).click();
  await expect(page).toHaveURL(/\/component\/payments-api\/service$/);
  // the local cloud's two clusters, where scripts/test seeded payments-api with 2 replicas
  const localA = page.getByRole('region', { name: 'cluster local-a' });
  await expect(
    page.getByRole('region', { name: 'cluster local-b' }),
  ).toBeVisible();
  await expect(localA.getByLabel('ready payments-api')).toHaveText('2/2');

  // scale to 3 in local-a and watch the third container arrive
  await localA.getByRole('button', { name: 'scale' }).click();
  await page.getByLabel('Replicas').fill('3');
  await page.getByRole('button', { name: 'Scale', exact: true }).click();
  await expect(
    page.getByText('scale of payments-api in local-a accepted'),
  ).toBeVisible();
  await expect(localA.getByLabel('ready payments-api')).toHaveText('3/3');
  await expect(localA.getByText('Containers (3)')).toBeVisible();
  await page.screenshot({
    path: path.join(shots, 'service-tab.png'),
    fullPage: true,
  });

  // Backstage's Kubernetes tab is on every service page
  await page.getByRole('link', { name: 'Kubernetes', exact: true }).click();
  await expect(page).toHaveURL(/\/component\/payments-api\/kubernetes$/);
});
