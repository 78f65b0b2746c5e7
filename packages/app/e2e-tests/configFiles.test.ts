import { test, expect, Page } from '@playwright/test';
import path from 'node:path';
import { shots, signIn } from './helpers';

/** Replaces the text of a CodeMirror editor found by its label, as a person types. */
async function typeInto(page: Page, label: string, text: string) {
  const editor = page.getByRole('textbox', { name: label });
  await expect(editor).toBeVisible();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
}

test('the Storage tab shows the seeded volume; a config file set is added, edited and diffed on the Config files tab', async ({
  page,
}) => {
  // a set of its own, written to payments-api's namespace in both clusters and deleted at the end
  const set = `e2e-${Date.now().toString(36)}`;
  await signIn(page);

  const table = page.getByRole('table').first();
  await table.getByRole('link', { name: 'Payments API' }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);

  // the seed's volume payments-data, bound to its static NFS PersistentVolume in both clusters
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Storage', exact: true })
    .click();
  await expect(page).toHaveURL(/\/component\/payments-api\/storage$/);
  const volumes = page.getByRole('table').filter({ hasText: 'payments-data' });
  await expect(volumes).toBeVisible();
  await expect(volumes).toContainText('Bound');
  await page.screenshot({ path: path.join(shots, 'storage-tab.png') });

  await page.getByRole('link', { name: 'Config files', exact: true }).click();
  await expect(page).toHaveURL(/\/component\/payments-api\/config-files$/);
  // the seed's ConfigMap payments-api-app-config, adopted as version 1 (found in the cluster)
  await expect(page.getByText('app-config', { exact: true })).toBeVisible();

  // add a file set from the editor
  await page.getByRole('button', { name: 'Add file set' }).click();
  await page.getByLabel('File set name').fill(set);
  await typeInto(page, 'Content of application.yaml', 'port: 8080\n');
  await page.getByLabel('What changed (message)').fill('first version');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status', { name: 'save result' })).toContainText(
    `Saved ${set} as version 1`,
  );

  // a YAML error is refused with its line, and nothing is saved
  await page.getByRole('button', { name: `edit ${set}` }).click();
  await typeInto(page, 'Content of application.yaml', 'port: 1\nport: 2\n');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText(
    'application.yaml line 2',
  );

  // the edit that is saved
  await typeInto(page, 'Content of application.yaml', 'port: 9090\n');
  await page.getByLabel('What changed (message)').fill('port 9090');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('status', { name: 'save result' })).toContainText(
    `Saved ${set} as version 2`,
  );

  // its versions, and the diff of the two
  await page.getByRole('button', { name: `versions ${set}` }).click();
  const versions = page.getByRole('table', { name: 'versions' });
  await expect(versions).toContainText('port 9090');
  await expect(versions).toContainText('first version');
  await page.getByRole('button', { name: 'Show diff' }).click();
  const diff = page.getByLabel('diff of application.yaml');
  await expect(diff).toContainText('- port: 8080');
  await expect(diff).toContainText('+ port: 9090');
  await page.screenshot({ path: path.join(shots, 'config-files.png') });
  await page.getByRole('button', { name: 'Close', exact: true }).click();

  // leave the cluster as it was
  await page.getByRole('button', { name: `delete ${set}` }).click();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.getByText(set, { exact: true })).toHaveCount(0);
});
