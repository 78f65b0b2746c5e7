import { test, expect } from '@playwright/test';
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

    // page 2: where it runs
    for (const [i, p] of PLACEMENTS.entries()) {
      // the list starts with one placement (minItems 1); the + button adds the next
      if (i > 0)
        await page.getByRole('button', { name: /add/i }).last().click();
      await page
        .getByRole('textbox', { name: 'Cluster' })
        .nth(i)
        .fill(p.cluster);
      await page
        .getByRole('textbox', { name: 'Namespace' })
        .nth(i)
        .fill(p.namespace);
    }
    await page.getByRole('button', { name: 'Next' }).click();
    // page 3: no domain (saving one is ops admins')
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
