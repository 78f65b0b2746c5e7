import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openFromSidebar, shots, signIn } from './helpers';

const CONTEXT = 'local-a';

function kubectl(...args: string[]): string {
  return execFileSync('kubectl', ['--context', CONTEXT, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/**
 * The local cloud runs no volume provisioner (kwok has no CSI driver), so a StatefulSet's claims
 * stay Pending and its pods unscheduled: the test plays the provisioner, giving each Pending claim
 * of the release a PersistentVolume bound to it (claimRef), as a static provisioner would.
 */
function provisionClaims(namespace: string, release: string): string[] {
  const claims = JSON.parse(
    kubectl('-n', namespace, 'get', 'pvc', '-o', 'json'),
  ).items as Array<{
    metadata: { name: string; labels?: Record<string, string> };
    spec: {
      accessModes?: string[];
      resources?: { requests?: { storage?: string } };
      storageClassName?: string;
    };
    status?: { phase?: string };
  }>;
  const made: string[] = [];
  for (const claim of claims) {
    const ours =
      claim.metadata.labels?.['app.kubernetes.io/instance'] === release ||
      claim.metadata.name.includes(`-${release}-`);
    if (!ours || claim.status?.phase !== 'Pending') continue;
    const name = `e2e-${namespace}-${claim.metadata.name}`.slice(0, 250);
    execFileSync('kubectl', ['--context', CONTEXT, 'apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, labels: { 'container-cloud.io/e2e': 'app-store' } },
        spec: {
          capacity: {
            storage: claim.spec.resources?.requests?.storage ?? '1Gi',
          },
          accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: claim.spec.storageClassName ?? '',
          hostPath: { path: `/tmp/app-store-e2e/${name}` },
          claimRef: { namespace, name: claim.metadata.name },
        },
      }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    made.push(name);
  }
  return made;
}

/**
 * Removes what the test may have left: the release if the page did not delete it (with the local
 * cloud's Helm), its claims (a StatefulSet keeps them) and our volumes.
 */
function cleanUp(namespace: string, release: string, volumes: string[]) {
  const helm = process.env.LOCAL_CLOUD_HELM;
  if (helm) {
    try {
      execFileSync(
        helm,
        ['--kube-context', CONTEXT, '-n', namespace, 'uninstall', release],
        { stdio: 'pipe', timeout: 60_000 },
      );
    } catch {
      // deleted from the page, as it should be
    }
  }
  try {
    const claims = kubectl('-n', namespace, 'get', 'pvc', '-o', 'name')
      .split('\n')
      .filter(line => line.includes(`-${release}-`));
    if (claims.length) {
      kubectl('-n', namespace, 'delete', '--wait=false', ...claims);
    }
  } catch {
    // nothing left
  }
  if (volumes.length) {
    try {
      kubectl('delete', 'pv', '--wait=false', ...volumes);
    } catch {
      // already gone
    }
  }
}

test('Redis is installed from its card in the App store, reaches Ready, its password is revealed, and it is deleted', async ({
  page,
}) => {
  test.setTimeout(420_000);
  const name = `e2e-redis-${Date.now().toString(36)}`;
  const namespace = 'payments';
  const volumes: string[] = [];
  try {
    await signIn(page);
    await openFromSidebar(page, 'App store');
    await expect(page).toHaveURL(/\/app-store/);

    const redis = page.getByRole('article', { name: 'redis' });
    await expect(redis).toBeVisible();
    await page.screenshot({ path: path.join(shots, 'app-store.png') });

    await redis.getByRole('button', { name: 'Install redis' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
    await dialog.getByRole('button', { name: /^Owner/ }).click();
    await page
      .getByRole('option', {
        name: 'component:default/payments-api',
        exact: true,
      })
      .click();
    await dialog.getByRole('button', { name: /^Cluster \/ namespace/ }).click();
    await page
      .getByRole('option', { name: `${CONTEXT}/${namespace}`, exact: true })
      .click();
    // the chart's own values are generated from its values.schema.json
    await expect(dialog.getByText('Chart values')).toBeVisible();
    // a dry run first: Helm renders, the apiserver checks, nothing is installed
    await dialog.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(dialog.getByRole('status')).toContainText(
      'Nothing was installed.',
      { timeout: 60_000 },
    );
    await dialog.getByRole('button', { name: 'Install', exact: true }).click();

    // the instance's page, with its progress live
    await expect(page).toHaveURL(
      new RegExp(`/app-store/instances/${CONTEXT}/${namespace}/${name}$`),
    );
    await expect(page.getByRole('heading', { name })).toBeVisible();
    const progress = page.getByLabel('Progress');
    await expect(
      progress.getByText('Helm release', { exact: true }),
    ).toBeVisible();

    // the phase's status light says ready once every step is done; where the local cloud leaves
    // the release's claims Pending (no provisioner), the test binds them meanwhile
    await expect(async () => {
      volumes.push(...provisionClaims(namespace, name));
      await expect(
        page.getByText('ready', { exact: true }).first(),
      ).toBeVisible({ timeout: 5_000 });
    }).toPass({ timeout: 240_000 });
    await expect(progress.getByText(/^done: /).nth(2)).toBeVisible();
    await expect(page.getByText('simulated').first()).toBeVisible();
    await page.screenshot({ path: path.join(shots, 'app-store-instance.png') });

    // the password, on request, once
    await page.getByRole('button', { name: 'Reveal password' }).click();
    const reveal = page.getByRole('dialog');
    await expect(reveal.getByText(/Shown once/)).toBeVisible();
    await expect(reveal.getByLabel('Password')).toHaveText(/^\S{12,}$/);
    await reveal.getByRole('button', { name: 'Close' }).click();
    await expect(reveal).toBeHidden();

    // delete, confirmed by typing the name
    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog');
    await confirm.getByLabel('Instance name').fill(name);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect(confirm).toBeHidden({ timeout: 60_000 });
    await expect(async () => {
      const releases = execFileSync(
        'kubectl',
        [
          '--context',
          CONTEXT,
          '-n',
          namespace,
          'get',
          'secrets',
          '-l',
          `owner=helm,name=${name}`,
          '-o',
          'name',
        ],
        { encoding: 'utf8' },
      );
      expect(releases.trim()).toBe('');
    }).toPass({ timeout: 120_000 });
  } finally {
    cleanUp(namespace, name, volumes);
  }
});
