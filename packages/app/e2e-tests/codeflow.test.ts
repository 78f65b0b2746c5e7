import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { shots, signIn } from './helpers';

const PLACEMENTS = [
  { cluster: 'local-a', namespace: 'payments' },
  { cluster: 'local-b', namespace: 'payments' },
];

function kubectl(context: string, ...args: string[]): string {
  return execFileSync('kubectl', ['--context', context, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** payments-api's container images in each placement, to put back after the roll-out. */
function imagesNow(): Map<string, string> {
  const images = new Map<string, string>();
  for (const { cluster, namespace } of PLACEMENTS) {
    const deployment = JSON.parse(
      kubectl(
        cluster,
        '-n',
        namespace,
        'get',
        'deployment',
        'payments-api',
        '-o',
        'json',
      ),
    ) as {
      spec: {
        template: {
          spec: { containers: Array<{ name: string; image: string }> };
        };
      };
    };
    for (const c of deployment.spec.template.spec.containers) {
      images.set(`${cluster}/${namespace}/${c.name}`, c.image);
    }
  }
  return images;
}

function restore(images: Map<string, string>) {
  for (const [key, image] of images) {
    const [cluster, namespace, container] = key.split('/');
    try {
      kubectl(
        cluster,
        '-n',
        namespace,
        'set',
        'image',
        'deployment/payments-api',
        `${container}=${image}`,
      );
    } catch {
      // the next seed puts it back
    }
  }
}

test('a codeflow is created on payments-api, run from its button with the live log, and rolls the service to the built image', async ({
  page,
}) => {
  test.setTimeout(900_000);
  const gitUrl = process.env.LOCAL_CLOUD_GIT_URL;
  expect(
    gitUrl,
    'the local cloud env (LOCAL_CLOUD_GIT_URL) is loaded',
  ).toBeTruthy();
  const name = `e2e-${Date.now().toString(36)}`;
  const before = imagesNow();
  try {
    await signIn(page);
    const table = page.getByRole('table').first();
    await table.getByRole('link', { name: 'Payments API' }).click();
    await expect(page).toHaveURL(/\/catalog\/default\/component\/payments-api/);
    await page.getByRole('link', { name: 'Codeflow', exact: true }).click();
    await expect(page).toHaveURL(/\/component\/payments-api\/codeflow$/);

    await page.getByRole('button', { name: 'Create codeflow' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/^Name/).fill(name);
    await dialog
      .getByLabel(/^Repository URL/)
      .fill(`${gitUrl}/payments-api.git`);
    await dialog.getByRole('button', { name: /^Credentials/ }).click();
    await page.getByRole('option', { name: /^local-git/ }).click();
    await dialog.getByRole('button', { name: /^Build image/ }).click();
    await page.getByRole('option', { name: /\(node-22\)$/ }).click();
    await dialog
      .getByLabel('Build script', { exact: true })
      .fill('npm ci\nnpm test\nnpm run build');
    await expect(
      dialog
        .getByRole('list', { name: 'Build script as arguments' })
        .getByRole('listitem'),
    ).toHaveCount(3);
    await dialog.getByLabel(/^Artifact path/).fill('dist');
    await dialog.getByLabel(/^Start command/).fill('node server.js');
    await dialog.getByLabel(/^Port/).fill('8080');
    await dialog
      .getByLabel('Target 1 cluster 1', { exact: true })
      .fill('local-a');
    await dialog
      .getByLabel('Target 1 namespace 1', { exact: true })
      .fill('payments');
    await dialog
      .getByRole('button', { name: 'Add cluster and namespace' })
      .click();
    await dialog
      .getByLabel('Target 1 cluster 2', { exact: true })
      .fill('local-b');
    await dialog
      .getByLabel('Target 1 namespace 2', { exact: true })
      .fill('payments');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(dialog).toBeHidden({ timeout: 30_000 });
    await expect(page.getByText(`Codeflow ${name}`)).toBeVisible();

    // the generated Dockerfile, read-only
    await page.getByRole('tab', { name: 'Dockerfile' }).click();
    await expect(
      page.getByRole('textbox', { name: 'Dockerfile' }),
    ).toContainText('ENTRYPOINT ["node", "server.js"]');
    await page.getByRole('tab', { name: 'Runs' }).click();

    // Run: the branch main, environment test
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: 'Start run' })
      .click();
    await expect(page.getByText('Run #1')).toBeVisible();
    const log = page.getByRole('log', { name: 'run log' });
    await expect(log).toContainText('[fetch]', { timeout: 120_000 });
    await expect(log).toContainText('[build]', { timeout: 300_000 });

    // the history's row of run #1 says it succeeded, once the roll-out is done
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: '#1', exact: true }) });
    await expect(row.getByText('Succeeded')).toBeVisible({ timeout: 600_000 });
    const image = (await row.getByRole('cell').nth(6).innerText())
      .split('\n')[0]
      .trim();
    expect(image).toMatch(/\/codeflow\/payments-api:/);
    await page.screenshot({
      path: path.join(shots, 'codeflow.png'),
      fullPage: true,
    });

    // the Service tab shows the new image in both clusters
    await page.getByRole('link', { name: 'Service', exact: true }).click();
    for (const { cluster } of PLACEMENTS) {
      await expect(
        page
          .getByRole('region', { name: `cluster ${cluster}` })
          .getByText(image.split('@')[0])
          .first(),
      ).toBeVisible({
        timeout: 60_000,
      });
    }

    // and the codeflow is deleted from its page
    await page.getByRole('link', { name: 'Codeflow', exact: true }).click();
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete codeflow' }).click();
    await expect(page.getByRole('link', { name, exact: true })).toHaveCount(0);
  } finally {
    restore(before);
  }
});
