import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { NginxApi, nginxApiRef } from '../../api/NginxClient';
import { fakeNginxApi } from '../../testUtils/fakeNginxApi';
import { NginxAdminPage } from './NginxAdminPage';

// Material UI tables in jsdom are slow on a busy 2-core machine
jest.setTimeout(60_000);

function render(api: NginxApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[nginxApiRef, api]]}>
      <NginxAdminPage />
    </TestApiProvider>,
  );
}

async function choose(label: string, option: RegExp) {
  fireEvent.mouseDown(screen.getByLabelText(label));
  fireEvent.click(within(await screen.findByRole('listbox')).getByText(option));
}

describe('NginxAdminPage', () => {
  it('shows clusters with their nodes and current version, domains and versions', async () => {
    const api = fakeNginxApi();
    await render(api);
    expect(
      await screen.findByText('edge-1: runs the current version'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('edge-2: failed: reload failed: exit 1'),
    ).toBeInTheDocument();
    expect(await screen.findByText('shop.example.com')).toBeInTheDocument();
    expect(
      screen.getByText(
        'stable: 10.0.0.1:8080 weight=5, k8s:local-a/shop/shop-api:http',
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('canary 10%')).toBeInTheDocument();
    expect(api.listDomains).toHaveBeenCalledWith('edge');
    expect(api.listVersions).toHaveBeenCalledWith('edge');
  });

  it('diffs two chosen versions', async () => {
    const api = fakeNginxApi();
    await render(api);
    await screen.findByText('canary 10%');
    await choose('Diff from', /^1: first/);
    await choose('to', /^2: canary 10%/);
    fireEvent.click(screen.getByRole('button', { name: 'Show diff' }));
    const diff = await screen.findByLabelText('diff of shop.conf');
    expect(diff).toHaveTextContent('- 5% shop__canary;');
    expect(diff).toHaveTextContent('+ 10% shop__canary;');
    expect(api.diff).toHaveBeenCalledWith('edge', 1, 2);
  });

  it('rolls back after confirmation and reloads the history', async () => {
    const api = fakeNginxApi();
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'roll back to version 1' }),
    );
    fireEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Roll back',
      }),
    );
    await waitFor(() => expect(api.rollback).toHaveBeenCalledWith('edge', 1));
    expect(
      await screen.findByText('Published version 3 to every node.'),
    ).toBeInTheDocument();
    await waitFor(() => expect(api.listVersions).toHaveBeenCalledTimes(2));
  });

  it('publishes with a message, and shows an nginx -t failure tied to its field', async () => {
    const api = fakeNginxApi({
      publish: jest
        .fn()
        .mockRejectedValue(
          new ContainerCloudApiError(
            `nginx -t failed for domain 'shop' at locations[1]: [emerg] duplicate location "/" in conf.d/shop.conf:30`,
            { status: 400 },
          ),
        ),
    });
    await render(api);
    await screen.findByText('canary 10%');
    fireEvent.change(screen.getByLabelText('Publish message'), {
      target: { value: 'more canary' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Publish edge' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Nothing was published. locations: nginx -t: [emerg] duplicate location "/" in conf.d/shop.conf:30',
    );
    expect(api.publish).toHaveBeenCalledWith('edge', 'more canary');
  });

  it('says when no cluster is configured', async () => {
    await render(
      fakeNginxApi({ listClusters: jest.fn().mockResolvedValue([]) }),
    );
    expect(await screen.findByText('No nginx clusters')).toBeInTheDocument();
  });

  it('shows an error when the clusters cannot be read', async () => {
    await render(
      fakeNginxApi({
        listClusters: jest.fn().mockRejectedValue(new Error('backend down')),
      }),
    );
    expect((await screen.findAllByText(/backend down/)).length).toBeGreaterThan(
      0,
    );
  });

  it('says when a cluster has no domains and was never published', async () => {
    await render(
      fakeNginxApi({
        listDomains: jest.fn().mockResolvedValue([]),
        listVersions: jest.fn().mockResolvedValue([]),
      }),
    );
    expect(await screen.findByText('No domains on edge')).toBeInTheDocument();
    expect(await screen.findByText('Never published')).toBeInTheDocument();
  });
});
