import { test, expect, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openFromSidebar, shots, signIn } from './helpers';

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

/** The local git server of the local cloud's generated config, with its basic-auth header. */
function localGit() {
  // the app package has no YAML parser of its own: the repository's js-yaml, in a child node
  const config = JSON.parse(
    execFileSync(
      process.execPath,
      [
        '-e',
        'process.stdout.write(JSON.stringify(require("js-yaml").load(require("fs").readFileSync(process.argv[1], "utf8"))))',
        process.env.LOCAL_CLOUD_APP_CONFIG!,
      ],
      { encoding: 'utf8', cwd: path.resolve(__dirname, '../../..') },
    ),
  );
  const codeflow = config.containerCloud.codeflow;
  const credential = codeflow.credentials.find(
    (c: any) => c.name === codeflow.git.credentials,
  );
  return {
    url: codeflow.git.url as string,
    auth: `Basic ${Buffer.from(
      `${credential.username}:${credential.password}`,
    ).toString('base64')}`,
  };
}

/** The signed-in person's Backstage token, as the app gets it from the guest provider. */
async function backstageToken(page: Page): Promise<string> {
  const res = await page.request.get('/api/auth/guest/refresh', {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  expect(res.ok()).toBe(true);
  return (await res.json()).backstageIdentity.token;
}

/**
 * What the template made in the portal, removed through its APIs as the guest (who owns it
 * through team-payments): the codeflows (their DELETE route), then the catalog entity. The
 * Location the template registered stays: unregistering a location is ops admins' in the
 * suite's policy (catalog.location.delete), and the guest is no ops admin; with the repository
 * deleted it reads nothing.
 */
async function removeFromPortal(page: Page, name: string) {
  const headers = { authorization: `Bearer ${await backstageToken(page)}` };
  const codeflows = await page.request.get(
    `/api/codeflow/services/default/${name}/codeflows`,
    { headers },
  );
  if (codeflows.ok()) {
    for (const { id } of (await codeflows.json()).items as { id: string }[]) {
      const deleted = await page.request.delete(
        `/api/codeflow/services/default/${name}/codeflows/${id}`,
        { headers },
      );
      expect(deleted.ok()).toBe(true);
    }
  }
  const entity = await page.request.get(
    `/api/catalog/entities/by-name/component/default/${name}`,
    { headers },
  );
  if (entity.ok()) {
    const { uid } = (await entity.json()).metadata;
    const deleted = await page.request.delete(
      `/api/catalog/entities/by-uid/${uid}`,
      { headers },
    );
    expect(deleted.ok()).toBe(true);
  }
}

test('Create → New Node.js service → its steps → the new entity’s Service tab with its pods and built image', async ({
  page,
}) => {
  test.setTimeout(420_000);
  const name = `e2e-sc-${Date.now().toString(36)}`;
  try {
    await signIn(page);
    await openFromSidebar(page, 'Create');
    // the template's card: the nearest box around its title that holds a Choose button
    await page
      .getByRole('heading', { name: 'New Node.js service', level: 4 })
      .locator('xpath=ancestor::div[.//button[normalize-space()="Choose"]][1]')
      .getByRole('button', { name: 'Choose' })
      .click();

    // page 1: the service
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
    const owner = page.getByRole('textbox', { name: 'Owner' });
    await owner.click();
    await owner.fill('payments');
    await page
      .getByRole('option', { name: /payments/i })
      .first()
      .click();
    const system = page.getByRole('textbox', { name: 'System' });
    await system.click();
    await system.fill('payments');
    await page
      .getByRole('option', { name: /payments/i })
      .first()
      .click();
    await page.getByRole('button', { name: 'Next' }).click();

    // page 2: where it runs — the owner's deploy targets, ticked as a person does
    for (const p of PLACEMENTS) {
      await page
        .getByRole('checkbox', { name: `${p.cluster} / ${p.namespace}` })
        .check();
    }
    await page.getByRole('button', { name: 'Next' }).click();
    // page 3: no domain (saving one is ops admins')
    await expect(
      page.getByRole('textbox', { name: 'Host name' }),
    ).toBeVisible();
    // a middleware page after it, where the template has one: none (its default)
    const next = page.getByRole('button', { name: 'Next' });
    if (await next.isVisible()) {
      await next.click();
      await expect(
        page.getByRole('radio', { name: 'No middleware' }),
      ).toBeChecked();
    }
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Create' }).click();

    // the task page: every step completes (the build and roll-out take a minute or two)
    for (const step of [
      'Publish the repository',
      'Create the service in its clusters',
      'Build and roll out',
    ]) {
      await expect(page.getByText(step)).toBeVisible();
    }
    const entityLink = page.getByRole('link', {
      name: 'The service in the catalog',
    });
    await expect(entityLink).toBeVisible({ timeout: 300_000 });
    await entityLink.click();
    await expect(page).toHaveURL(new RegExp(`/component/${name}`));

    await page.getByRole('link', { name: 'Service', exact: true }).click();
    for (const { cluster } of PLACEMENTS) {
      const region = page.getByRole('region', { name: `cluster ${cluster}` });
      await expect(region.getByLabel(`ready ${name}`)).toHaveText('1/1', {
        timeout: 90_000,
      });
      // the codeflow's built image: <registry>/codeflow/<name>
      await expect(
        region.getByText(new RegExp(`/codeflow/${name}`)).first(),
      ).toBeVisible();
    }
    await page.screenshot({
      path: path.join(shots, 'scaffolder.png'),
      fullPage: true,
    });
  } finally {
    // the codeflows first: their routes find them through the entity
    await removeFromPortal(page, name).catch(error => {
      // the test's own outcome stays the one reported; the leftover is said on stderr
      process.stderr.write(
        `could not remove ${name} from the portal: ${error}\n`,
      );
    });
    for (const { cluster, namespace } of PLACEMENTS) {
      for (const kind of ['deployment', 'service']) {
        try {
          kubectl(
            cluster,
            '-n',
            namespace,
            'delete',
            kind,
            name,
            '--ignore-not-found',
          );
        } catch {
          // cleaned up as far as it goes
        }
      }
    }
    const git = localGit();
    await fetch(`${git.url}/api/repos/${name}`, {
      method: 'DELETE',
      headers: { authorization: git.auth },
    }).catch(() => undefined);
  }
});
