import { test, expect, Page } from '@playwright/test';
import path from 'node:path';
import { shots, signIn } from './helpers';

// The clusters page is for ops admins: the guest sign-in of the portal under test signs in as
// carol, one of them (ops.e2e.yaml). Nothing here fails a cluster over: the preview
// only reads.
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
