import { test, expect } from '@playwright/test';
import { openFromSidebar, signIn } from './helpers';

// The guest's side of the App store's Admin tab: the guest (team-payments) is no ops admin, so
// the tab is not there and the admin routes refuse. The ops admins' side (carol: every instance,
// bulk extend) is app-store-admin.ops.test.ts, in the ops run.
test('the guest, no ops admin, has no Admin tab in the App store, and the admin list refuses them', async ({
  page,
}) => {
  await signIn(page);
  await openFromSidebar(page, 'App store');
  await expect(page).toHaveURL(/\/app-store/);
  // the page's tabs are there (the permission answer has come) but Admin is not among them
  await expect(page.getByRole('tab', { name: 'Catalogue' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Instances' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Admin' })).toHaveCount(0);

  // nor does the backend answer them: the admin list is for ops admins only
  const refresh = await page.request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  const token = (await refresh.json()).backstageIdentity.token;
  const admin = await page.request.get('/api/app-store/admin/instances', {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(admin.status()).toBe(403);
  expect((await admin.json()).error.message).toContain('only ops admins may');
});

test('the Create page offers "Redis for my service" with the placements of the chosen service (ContainerCloudPlacementPicker)', async ({
  page,
}) => {
  await signIn(page);
  await openFromSidebar(page, 'Create');
  // the template's card: the nearest box around its title that holds a Choose button
  const card = page
    .getByRole('heading', { name: 'Redis for my service', level: 4 })
    .locator('xpath=ancestor::div[.//button[normalize-space()="Choose"]][1]');
  await card.getByRole('button', { name: 'Choose' }).click();

  // the service: one of the guest's Components (OwnedEntityPicker)
  const service = page.getByRole('textbox', { name: 'Service' });
  await service.click();
  await service.fill('payments');
  await page.getByRole('option', { name: 'Payments API' }).first().click();
  await page.getByRole('button', { name: 'Next' }).click();

  // where: the app store's placements for payments-api, the first one chosen
  const placement = page.getByRole('button', { name: /Cluster and namespace/ });
  await expect(placement).toContainText('local-a / payments');
  await placement.click();
  const options = page.getByRole('listbox').getByRole('option');
  await expect(options.first()).toContainText('local-a / payments');
  for (const text of await options.allTextContents()) {
    expect(text).toMatch(/ \/ (payments|any namespace)$/);
  }
  await page.keyboard.press('Escape');
});
