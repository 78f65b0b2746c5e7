import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { typeInCodeEditor } from '@internal/plugin-container-cloud-react/testing';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import { NginxApi, nginxApiRef } from '../../api/NginxClient';
import { fakeNginxApi } from '../../testUtils/fakeNginxApi';
import { EntityDomainsContent } from './EntityDomainsContent';

jest.setTimeout(60_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'shop', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

function render(api: NginxApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[nginxApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityDomainsContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityDomainsContent', () => {
  it("lists the service's domains and publishes an owner's member edit", async () => {
    const api = fakeNginxApi();
    await render(api);
    expect(await screen.findByText('shop.example.com')).toBeInTheDocument();
    expect(api.domainsOfEntity).toHaveBeenCalledWith('component:default/shop');
    fireEvent.click(
      screen.getByRole('button', { name: 'edit members of canary in shop' }),
    );
    const dialog = await screen.findByRole('dialog');
    typeInCodeEditor(
      await within(dialog).findByLabelText('Members'),
      '10.0.0.2:8080 weight=3, 10.0.0.9:8080 backup',
    );
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Save and publish' }),
    );
    await waitFor(() =>
      expect(api.updateMembers).toHaveBeenCalledWith('edge', 'shop', {
        version: 4,
        upstreams: [
          {
            name: 'canary',
            members: [
              { address: '10.0.0.2', port: 8080, weight: 3 },
              { address: '10.0.0.9', port: 8080, backup: true },
            ],
          },
        ],
      }),
    );
    expect(
      await screen.findByText('Published as version 3.'),
    ).toBeInTheDocument();
  });

  it('shows a refusal in the dialog', async () => {
    const api = fakeNginxApi({
      updateMembers: jest
        .fn()
        .mockRejectedValue(
          new ContainerCloudApiError(
            "you may not edit the upstream members of domain 'shop': only the owners of component:default/shop and ops admins may",
            { status: 403 },
          ),
        ),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'edit members of stable in shop',
      }),
    );
    fireEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Save and publish',
      }),
    );
    expect(
      await screen.findByText(
        /only the owners of component:default\/shop and ops admins may/,
      ),
    ).toBeInTheDocument();
  });

  it('shows an edit that lost to someone else (409) with a reload', async () => {
    const api = fakeNginxApi({
      updateMembers: jest
        .fn()
        .mockRejectedValue(
          new ContainerCloudApiError(
            "domain 'shop' of nginx cluster 'edge' was changed by someone else: you edited version 4, it is now version 5; reload it and make your change again",
            { status: 409, current: { version: 5 } },
          ),
        ),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'edit members of stable in shop',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Save and publish' }),
    );
    expect(
      await within(dialog).findByText(/it is now version 5; reload it/),
    ).toBeInTheDocument();
    expect(api.domainsOfEntity).toHaveBeenCalledTimes(1);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Reload' }));
    await waitFor(() => expect(api.domainsOfEntity).toHaveBeenCalledTimes(2));
    expect(
      await screen.findByText(/The domain was changed by someone else/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('says when the service has no domains', async () => {
    await render(
      fakeNginxApi({ domainsOfEntity: jest.fn().mockResolvedValue([]) }),
    );
    expect(await screen.findByText('No domains')).toBeInTheDocument();
  });
});
