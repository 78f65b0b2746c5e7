import { test, expect, Locator, Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { openFromSidebar, shots, signIn } from './helpers';

// the test scales payments-api to 3 in local-a: give the seed's 2 back, so a second run (or the
// next test that reads the seed) finds the local cloud as seeded
test.afterEach(() => {
  execFileSync(
    'kubectl',
    [
      '--context',
      'local-a',
      '--namespace',
      'payments',
      'scale',
      'deployment/payments-api',
      '--replicas=2',
    ],
    { timeout: 30_000 },
  );
});

test('the catalog lists the example services and opens a service page', async ({
  page,
}) => {
  await signIn(page);

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
  // the new container's readiness reaches the Deployment's status through kwok and the
  // controller-manager: on a loaded 2-core machine that once took more than the default 30 s
  await expect(localA.getByLabel('ready payments-api')).toHaveText('3/3', {
    timeout: 90_000,
  });
  await expect(localA.getByText('Containers (3)')).toBeVisible();
  await page.screenshot({
    path: path.join(shots, 'service-tab.png'),
    fullPage: true,
  });

  // on a 1280 px window every action of a Deployment and of a container is inside the window and
  // inside its cluster's card (#18): the most used are buttons of the row, the others in its menu
  const wideViewport = page.viewportSize()!;
  await page.setViewportSize({ width: 1280, height: 900 });
  // x + width <= 1280, and within `card` when given
  const expectInView = async (control: Locator, card?: Locator) => {
    const name =
      (await control.getAttribute('aria-label')) ??
      (await control.textContent());
    const box = (await control.boundingBox())!;
    expect(box.x, `${name} starts in the window`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${name} ends in the window`).toBeLessThanOrEqual(
      1280,
    );
    if (card) {
      const outer = (await card.boundingBox())!;
      expect(box.x, `${name} starts in the card`).toBeGreaterThanOrEqual(
        outer.x,
      );
      expect(box.x + box.width, `${name} ends in the card`).toBeLessThanOrEqual(
        outer.x + outer.width,
      );
    }
  };
  const rowWith = (button: string | RegExp) =>
    localA
      .getByRole('row')
      .filter({ has: page.getByRole('button', { name: button, exact: true }) })
      .first();
  const rows = [
    {
      row: rowWith('scale'),
      buttons: ['scale', 'restart', 'upgrade'],
      menu: ['roll back', 'edit config', 'sync from…', 'events'],
    },
    {
      row: rowWith(/^logs of payments-api-/),
      buttons: ['logs', 'shell'],
      menu: ['events', 'metrics', 'debug', 'remove from LB', 'destroy'],
    },
  ];
  await localA.screenshot({ path: path.join(shots, 'service-tab-1280.png') });
  for (const { row, buttons, menu } of rows) {
    const controls = row.getByRole('button');
    // the buttons, then the menu's button (an icon, no text)
    await expect(controls).toHaveText([...buttons, '']);
    await expect(controls.last()).toHaveAccessibleName(
      /^More actions for payments-api/,
    );
    for (const control of await controls.all()) {
      await expectInView(control, localA);
    }
    await controls.last().click();
    const menuItems = page.getByRole('menu').getByRole('menuitem');
    await expect(menuItems).toHaveText(menu);
    // the menu opens over the page, not inside the card
    for (const item of await menuItems.all()) await expectInView(item);
    await page.keyboard.press('Escape');
    await expect(page.getByRole('menu')).toHaveCount(0);
  }
  await page.setViewportSize(wideViewport);

  // the environment variables are edited in CodeMirror (fetched when the dialog opens): a text box
  // found by its label and typed into like any other; Cancel leaves the Deployment as it was
  await localA
    .getByRole('button', { name: 'More actions for payments-api', exact: true })
    .click();
  await page.getByRole('menuitem', { name: 'edit config' }).click();
  const envEditor = page.getByLabel(/^Environment variables/);
  await expect(
    page.getByRole('textbox', { name: /^Environment variables/ }),
  ).toBeVisible();
  await envEditor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('\nE2E_TYPED=yes');
  await expect(envEditor).toContainText('E2E_TYPED=yes');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(envEditor).toHaveCount(0);

  // a shell into a container of local-a: the local cloud's kwok runs it on this machine
  await localA
    .getByRole('button', { name: /^shell in payments-api-/ })
    .first()
    .click();
  await expect(
    page.getByText(/^Connected to payments-api in payments-api-.* on local-a$/),
  ).toBeVisible();
  const terminal = page.getByTestId('shell-terminal');
  await terminal.click();
  await page.keyboard.type('echo shell-$((6*7))\n');
  await expect(terminal).toContainText('shell-42');
  await page.screenshot({ path: path.join(shots, 'shell.png') });
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(terminal).toHaveCount(0);

  // a debug container from a tools image next to it, and a shell in the debug container
  await localA
    .getByRole('button', { name: /^More actions for payments-api-/ })
    .first()
    .click();
  await page.getByRole('menuitem', { name: /^debug payments-api-/ }).click();
  await page.getByRole('button', { name: 'Start debug container' }).click();
  await expect(
    page.getByText(
      /^Connected to debug-[0-9a-f]{6} in payments-api-.* on local-a$/,
    ),
  ).toBeVisible();
  const debugTerminal = page.getByTestId('shell-terminal');
  await debugTerminal.click();
  await page.keyboard.type('echo debug-$((40+2))\n');
  await expect(debugTerminal).toContainText('debug-42');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(debugTerminal).toHaveCount(0);

  // the log of a container of local-a: kwok serves every container the local cloud's sample log
  await localA
    .getByRole('button', { name: /^logs of payments-api-/ })
    .first()
    .click();
  await expect(page.getByRole('log', { name: 'log lines' })).toContainText(
    'msg="ready"',
  );
  await page.screenshot({ path: path.join(shots, 'logs.png') });
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await expect(page.getByRole('log', { name: 'log lines' })).toHaveCount(0);

  // CPU, memory and network of a container of local-b (seeded when the local cloud came up, so
  // Prometheus has scraped kwok's simulated usage of it for a while); Refresh until a rate has
  // two samples in its window
  test.setTimeout(240_000);
  await page
    .getByRole('region', { name: 'cluster local-b' })
    .getByRole('button', { name: /^More actions for payments-api-/ })
    .first()
    .click();
  await page
    .getByRole('menuitem', { name: /^metrics of payments-api-/ })
    .click();
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    for (const chart of [/^CPU \(cores\): /, /^Network received: .*B\/s/]) {
      await expect(page.getByRole('img', { name: chart })).toBeVisible({
        timeout: 5_000,
      });
    }
  }).toPass({ timeout: 120_000 });
  await page.screenshot({ path: path.join(shots, 'metrics.png') });
  await page.getByRole('button', { name: 'Close', exact: true }).click();

  // Backstage's Kubernetes tab is on every service page
  await page.getByRole('link', { name: 'Kubernetes', exact: true }).click();
  await expect(page).toHaveURL(/\/component\/payments-api\/kubernetes$/);
});

test('the Services page lists my services, then all, and opens a Service tab', async ({
  page,
}) => {
  await signIn(page);
  await openFromSidebar(page, 'Services');
  await expect(page).toHaveURL(/\/services$/);
  const table = page.getByRole('table').first();
  await expect(table.getByRole('link', { name: 'Payments API' })).toBeVisible();
  await expect(table.getByLabel('ready payments-api')).toBeVisible();
  await expect(table.getByRole('link', { name: 'Orders API' })).toHaveCount(0);
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await expect(table.getByRole('link', { name: 'Orders API' })).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'services-page.png') });
  await table.getByRole('link', { name: 'Payments API' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payments-api\/service$/,
  );
});

test('the Nginx page shows the local cluster and its test environments; a service shows its domains', async ({
  page,
}) => {
  // the backend publishes the test environments 30 s after it starts, then every 5 minutes
  test.setTimeout(180_000);
  await signIn(page);
  await openFromSidebar(page, 'Nginx');
  await expect(page).toHaveURL(/\/nginx$/);
  await expect(page.getByText('Nginx clusters')).toBeVisible();
  // the local cloud's nginx, declared as cluster `local` by its app-config overlay
  await expect(page.getByText('Domains of local')).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(
      page.getByText('payments-api.test.localhost').first(),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await expect(page.getByText('Versions of local')).toBeVisible();
  await page.screenshot({
    path: path.join(shots, 'nginx.png'),
    fullPage: true,
  });

  // the service's owners see its domains on its page: the catalog lists their services
  await openFromSidebar(page, 'Catalog');
  await page
    .getByRole('table')
    .first()
    .getByRole('link', { name: 'Payments API' })
    .click();
  await page.getByRole('link', { name: 'Domains', exact: true }).click();
  await expect(page).toHaveURL(/\/component\/payments-api\/domains$/);
  await expect(
    page.getByText('payments-api.test.localhost').first(),
  ).toBeVisible();
  await page.screenshot({ path: path.join(shots, 'domains-tab.png') });
});
