import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import {
  aCodeflow,
  fakeCodeflowApi,
} from '../../__testUtils__/fakeCodeflowApi';
import { renderTab } from '../../__testUtils__/renderTab';

jest.setTimeout(60_000);

const type = (label: RegExp, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } });

async function choose(label: RegExp, option: RegExp) {
  fireEvent.mouseDown(screen.getByRole('button', { name: label }));
  fireEvent.click(await screen.findByRole('option', { name: option }));
}

async function fillPaymentsApi() {
  type(/^Name/, 'build-and-deploy');
  type(/^Repository URL/, 'http://127.0.0.1:9418/payments-api.git');
  await choose(/Credentials/, /^local-git/);
  await choose(/Build image/, /Node 22/);
  type(/^Build script$/, 'npm ci\nnpm test\nnpm run build');
  type(/^Artifact path/, 'dist');
  type(/^Start command/, 'node dist/server.js');
  type(/^Target 1 cluster 1/, 'local-a');
  type(/^Target 1 namespace 1/, 'payments');
  fireEvent.click(
    screen.getByRole('button', { name: 'Add cluster and namespace' }),
  );
  type(/^Target 1 cluster 2/, 'local-b');
  type(/^Target 1 namespace 2/, 'payments');
}

describe('CodeflowDialog', () => {
  it('creates a codeflow from the form: each script line becomes an argv list', async () => {
    const fake = fakeCodeflowApi();
    await renderTab(fake);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Create codeflow' }),
    );
    await fillPaymentsApi();
    // how each line is run, before it is saved
    const preview = screen.getByRole('list', {
      name: 'Build script as arguments',
    });
    const items = within(preview).getAllByRole('listitem');
    expect(
      items.map(i =>
        within(i)
          .getAllByText(/.+/)
          .map(c => c.textContent),
      ),
    ).toEqual([
      ['npm', 'ci'],
      ['npm', 'test'],
      ['npm', 'run', 'build'],
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(fake.api.createCodeflow).toHaveBeenCalled());
    expect(fake.api.createCodeflow.mock.calls[0][1]).toEqual({
      name: 'build-and-deploy',
      repositoryUrl: 'http://127.0.0.1:9418/payments-api.git',
      credentials: 'local-git',
      ref: { kind: 'branch', pattern: 'main' },
      buildImage: 'node-22',
      buildScript: [
        ['npm', 'ci'],
        ['npm', 'test'],
        ['npm', 'run', 'build'],
      ],
      artifactPath: 'dist',
      deployPath: '/app',
      startCommand: ['node', 'dist/server.js'],
      port: 8080,
      env: [],
      targets: [
        {
          service: 'component:default/payments-api',
          environment: 'test',
          placements: [
            { cluster: 'local-a', namespace: 'payments' },
            { cluster: 'local-b', namespace: 'payments' },
          ],
        },
      ],
      triggers: { manual: true, webhook: { enabled: false, rules: [] } },
    });
    // saved: the dialog closes and the new codeflow is open
    expect(
      await screen.findByText('Codeflow build-and-deploy'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('shows a 400 next to the field it names, and keeps the form', async () => {
    const fake = fakeCodeflowApi();
    fake.api.createCodeflow.mockRejectedValue(
      new ContainerCloudApiError(
        'invalid codeflow: artifactPath: artifactPath is relative to the repository (no leading /, no .., no empty segment); targets.0.placements.1: component:default/payments-api may not run in local-b/payments: its workloads are only in local-a/payments',
        { status: 400 },
      ),
    );
    await renderTab(fake);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Create codeflow' }),
    );
    await fillPaymentsApi();
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    const artifact = screen.getByLabelText(/^Artifact path/);
    await waitFor(() =>
      expect(artifact).toHaveAttribute('aria-invalid', 'true'),
    );
    expect(artifact).toHaveAccessibleDescription(
      'artifactPath is relative to the repository (no leading /, no .., no empty segment)',
    );
    expect(
      screen.getByLabelText(/^Target 1 cluster 2/),
    ).toHaveAccessibleDescription(
      'component:default/payments-api may not run in local-b/payments: its workloads are only in local-a/payments',
    );
    expect(screen.getByLabelText(/^Target 1 cluster 1/)).not.toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(screen.getByLabelText(/^Name/)).toHaveValue('build-and-deploy');
  });

  it('refuses a line it cannot read before sending anything', async () => {
    const fake = fakeCodeflowApi();
    await renderTab(fake);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Create codeflow' }),
    );
    await fillPaymentsApi();
    type(/^Build script$/, 'npm ci\nsh -c "npm test');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(
      await screen.findByText('line 2: the " quote is not closed', {
        selector: 'p',
      }),
    ).toBeInTheDocument();
    expect(fake.api.createCodeflow).not.toHaveBeenCalled();
  });

  it('on a 409 shows who changed the codeflow and reloads their version', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()] });
    const theirs = aCodeflow({
      version: 2,
      port: 9090,
      updatedBy: 'user:default/carol',
    });
    fake.api.updateCodeflow.mockRejectedValueOnce(
      new ContainerCloudApiError('the codeflow changed since version 1', {
        status: 409,
        current: theirs,
      }),
    );
    await renderTab(fake);
    fireEvent.click(await screen.findByText('build-and-deploy'));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit' }));
    type(/^Port/, '8081');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText(/user:default\/carol changed this codeflow/),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Reload their version' }),
    );
    expect(screen.getByLabelText(/^Port/)).toHaveValue(9090);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(fake.api.updateCodeflow).toHaveBeenCalledTimes(2),
    );
    expect(fake.api.updateCodeflow.mock.calls[1][2]).toMatchObject({
      version: 2,
      port: 9090,
    });
  });
});
