import { screen, waitFor } from '@testing-library/react';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import nginxPlugin from './plugin';
import { shopDomain } from './testUtils/fakeNginxApi';

// the whole app shell in jsdom is slow on a busy 2-core machine
jest.setTimeout(60_000);

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

/** The nginx backend's answers, by route: what the admin page reads first. */
function nginxBackend(url: string): Response {
  const { pathname } = new URL(url);
  switch (pathname) {
    case '/api/nginx/clusters':
      return json({
        items: [
          {
            name: 'edge',
            environment: 'production',
            currentVersion: 2,
            nodes: [
              {
                name: 'edge-1',
                confDir: '/etc/nginx/conf.d',
                lastDelivery: { node: 'edge-1', ok: true, message: 'ok' },
              },
            ],
          },
        ],
      });
    case '/api/nginx/domains':
      return json({ items: [shopDomain] });
    case '/api/nginx/versions':
      return json({ items: [] });
    default:
      return json({ error: { message: `no route ${pathname}` } }, 404);
  }
}

describe('the nginx plugin in the new frontend system', () => {
  it('serves its page at /nginx, reading the backend through the API it registers', async () => {
    const fetch = jest.fn(async (input: RequestInfo | URL) =>
      nginxBackend(String(input)),
    );
    renderTestApp({
      features: [nginxPlugin],
      initialRouteEntries: ['/nginx'],
      apis: [
        [discoveryApiRef, mockApis.discovery()],
        [fetchApiRef, { fetch }],
      ],
    });
    // the app shell may mount the page more than once while it starts: what counts is what stays
    await waitFor(() =>
      expect(
        screen.getByText('edge-1: runs the current version'),
      ).toBeInTheDocument(),
    );
    await waitFor(() =>
      expect(screen.getByText('shop.example.com')).toBeInTheDocument(),
    );
    expect(fetch).toHaveBeenCalledWith(
      'http://example.com/api/nginx/domains?cluster=edge',
      expect.objectContaining({ method: 'GET' }),
    );
  });
});
