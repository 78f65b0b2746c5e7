import { screen, waitFor } from '@testing-library/react';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import {
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
  useApi,
} from '@backstage/frontend-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type { ServiceList } from '@internal/plugin-container-cloud-common';
import servicesPlugin from './plugin';
import { servicesApiRef } from './api/ServicesClient';
import { shellApiRef } from './api/ShellClient';
import { debugApiRef } from './api/DebugClient';
import { imageTagsApiRef } from './api/ImageTagsClient';
import { everyClusterApiRef } from './api/EveryClusterClient';

/** Names the client behind each of the plugin's apiRefs, as a component reaches them. */
function Clients() {
  const clients = [
    useApi(servicesApiRef),
    useApi(shellApiRef),
    useApi(debugApiRef),
    useApi(imageTagsApiRef),
    useApi(everyClusterApiRef),
  ];
  return (
    <ul aria-label="clients">
      {clients.map(client => (
        <li key={client.constructor.name}>{client.constructor.name}</li>
      ))}
    </ul>
  );
}

// the whole app shell in jsdom is slow on a busy 2-core machine
jest.setTimeout(60_000);

const list: ServiceList = {
  items: [
    {
      entityRef: 'component:default/payments-api',
      namespace: 'default',
      name: 'payments-api',
      owner: 'group:default/team-payments',
      kubernetesId: 'payments-api',
      clusters: [{ cluster: 'local-a', reachable: true, ready: 2, desired: 3 }],
      ready: 2,
      desired: 3,
    },
  ],
  totalItems: 1,
};

describe('the services plugin in the new frontend system', () => {
  it('serves the Services page at /services, reading the backend through the API it registers', async () => {
    const fetch = jest.fn(
      async (_input: RequestInfo | URL) =>
        new Response(JSON.stringify(list), {
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    renderTestApp({
      features: [servicesPlugin],
      initialRouteEntries: ['/services'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [discoveryApiRef, mockApis.discovery()],
        [fetchApiRef, { fetch }],
      ],
    });
    // the app shell may mount the page more than once while it starts: what counts is what stays
    await waitFor(() =>
      expect(
        screen.getByRole('link', { name: 'payments-api' }),
      ).toHaveAttribute(
        'href',
        '/catalog/default/component/payments-api/service',
      ),
    );
    expect(screen.getByLabelText('ready payments-api')).toHaveTextContent(
      '2/3',
    );
    expect(fetch).toHaveBeenCalledWith(
      'http://example.com/api/services/services?owner=mine&limit=20&offset=0',
      expect.objectContaining({ method: 'GET' }),
    );
  });

  it('registers a client for every API its components use', async () => {
    renderTestApp({
      features: [servicesPlugin],
      extensions: [
        PageBlueprint.make({
          name: 'clients',
          params: { path: '/clients', loader: async () => <Clients /> },
        }),
      ],
      initialRouteEntries: ['/clients'],
    });
    const names = await screen.findByRole('list', { name: 'clients' });
    expect(
      Array.from(names.querySelectorAll('li')).map(li => li.textContent),
    ).toEqual([
      'ServicesClient',
      'ShellClient',
      'DebugClient',
      'ImageTagsClient',
      'EveryClusterClient',
    ]);
  });
});
