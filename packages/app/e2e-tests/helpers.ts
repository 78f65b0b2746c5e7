import { expect, Page } from '@playwright/test';
import path from 'node:path';

/**
 * Where the tests write their screenshots: git-ignored; the README's in docs/screenshots are
 * copied from here by hand. A run through scripts/replicas writes its own under E2E_RESULTS.
 */
export const shots = path.resolve(
  process.env.E2E_RESULTS ?? path.resolve(__dirname, '../../../e2e-results'),
  'screenshots',
);

/**
 * Signs in with the guest provider's card. The guest is `user:default/guest` (team-payments), or
 * carol, an ops admin, in the ops run (ops.e2e.yaml).
 */
export async function signIn(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  // the app remembers the provider only once the sign-in has finished: a navigation before that
  // lands on the sign-in card again, so wait for the signed-in app's sidebar (its nav element
  // has no box of its own; its links do)
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

/** Opens one of the sidebar's pages the way a person does: by its link in the sidebar. */
export async function openFromSidebar(page: Page, name: string) {
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name, exact: true })
    .click();
}

/**
 * Shows every component in the catalog, as a person does with the "All" filter. The catalog picks
 * its own default ("Owned" when the user owns something) once the counts have loaded, which can
 * undo a click made before that: so click again until the table says it lists all of them.
 */
export async function showAllComponents(page: Page) {
  await expect(async () => {
    await page.getByRole('menuitem', { name: /^All/ }).click();
    // the table's title is a heading inside a heading
    await expect(
      page.getByRole('heading', { name: /^All Components \(\d+\)$/ }).first(),
    ).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 60_000 });
}
