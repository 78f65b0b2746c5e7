import { fireEvent, screen, waitFor } from '@testing-library/react';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { typeInCodeEditor } from '@internal/plugin-container-cloud-react/testing';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { nginxApiRef } from '../../api/NginxClient';
import {
  fakeNginxApi,
  shopDomain,
  shopDomainView,
} from '../../testUtils/fakeNginxApi';
import { DomainEditor } from './DomainEditor';

jest.setTimeout(60_000);

describe('DomainEditor', () => {
  it('saves the domain it was given, changed, as structured fields', async () => {
    const api = fakeNginxApi();
    const onSaved = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[nginxApiRef, api]]}>
        <DomainEditor
          cluster="edge"
          domain={shopDomainView}
          onClose={jest.fn()}
          onSaved={onSaved}
        />
      </TestApiProvider>,
    );
    fireEvent.change(screen.getByLabelText('Canary share (%)'), {
      target: { value: '25' },
    });
    fireEvent.change(screen.getByLabelText('Canary header'), {
      target: { value: 'X-Canary' },
    });
    fireEvent.change(screen.getByLabelText('Header value'), {
      target: { value: 'always' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(api.saveDomain).toHaveBeenCalledWith(
      {
        ...shopDomain,
        grayRelease: {
          stable: 'stable',
          canary: 'canary',
          canaryPercent: 25,
          header: { name: 'X-Canary', value: 'always' },
        },
      },
      4,
    );
  });

  it('shows a save that lost to someone else (409) and reloads their version', async () => {
    const theirs = {
      ...shopDomainView,
      serverNames: ['theirs.example.com'],
      version: 5,
    };
    const api = fakeNginxApi({
      saveDomain: jest
        .fn()
        .mockRejectedValueOnce(
          new ContainerCloudApiError(
            "domain 'shop' of nginx cluster 'edge' was changed by someone else: you edited version 4, it is now version 5; reload it and make your change again",
            { status: 409, current: theirs },
          ),
        )
        .mockImplementation(async (domain, version) => ({
          domain: { ...domain, version: version + 1 },
          text: '',
        })),
    });
    const onSaved = jest.fn();
    await renderInTestApp(
      <TestApiProvider apis={[[nginxApiRef, api]]}>
        <DomainEditor
          cluster="edge"
          domain={shopDomainView}
          onClose={jest.fn()}
          onSaved={onSaved}
        />
      </TestApiProvider>,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    expect(
      await screen.findByText(/it is now version 5; reload it/),
    ).toBeInTheDocument();
    expect(onSaved).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Reload version 5' }));
    expect(screen.getByLabelText('Server names')).toHaveValue(
      'theirs.example.com',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    // the second save builds on their version
    expect(api.saveDomain).toHaveBeenLastCalledWith(
      expect.objectContaining({ serverNames: ['theirs.example.com'] }),
      5,
    );
  });

  it("shows the backend's refusal under the field it names", async () => {
    const api = fakeNginxApi({
      saveDomain: jest
        .fn()
        .mockRejectedValue(
          new ContainerCloudApiError(
            "invalid domain: serverNames.0: a server name must be a lowercase RFC 1123 hostname, optionally starting with '*.'; locations.0.upstream: no upstream named 'nope'",
            { status: 400 },
          ),
        ),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[nginxApiRef, api]]}>
        <DomainEditor cluster="edge" onClose={jest.fn()} onSaved={jest.fn()} />
      </TestApiProvider>,
    );
    fireEvent.change(screen.getByLabelText('Name'), {
      target: { value: 'shop' },
    });
    fireEvent.change(screen.getByLabelText('Server names'), {
      target: { value: 'Shop;evil' },
    });
    typeInCodeEditor(
      await screen.findByLabelText('Upstreams'),
      'app: 10.0.0.1:80',
    );
    typeInCodeEditor(await screen.findByLabelText('Locations'), '/ nope');
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    expect(
      await screen.findByText(
        "serverNames.0: a server name must be a lowercase RFC 1123 hostname, optionally starting with '*.'",
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText("locations.0.upstream: no upstream named 'nope'"),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Server names')).toHaveAttribute(
      'aria-invalid',
      'true',
    );
  });

  it('says what it cannot read before asking the backend', async () => {
    const api = fakeNginxApi();
    await renderInTestApp(
      <TestApiProvider apis={[[nginxApiRef, api]]}>
        <DomainEditor cluster="edge" onClose={jest.fn()} onSaved={jest.fn()} />
      </TestApiProvider>,
    );
    typeInCodeEditor(
      await screen.findByLabelText('Upstreams'),
      'app: 10.0.0.1',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save draft' }));
    expect(
      await screen.findByText("'10.0.0.1' is not address:port"),
    ).toBeInTheDocument();
    expect(api.saveDomain).not.toHaveBeenCalled();
  });
});
