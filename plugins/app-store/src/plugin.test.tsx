import { screen, waitFor } from '@testing-library/react';
import { mockApis, renderTestApp } from '@backstage/frontend-test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import appStorePlugin from './plugin';
import { charts } from './testUtils/fakeAppStoreApi';

// the whole app shell in jsdom is slow on a busy 2-core machine
jest.setTimeout(60_000);

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('the app store plugin in the new frontend system', () => {
  it('serves its page at /app-store, reading the backend through the API it registers', async () => {
    const fetch = jest.fn(async (input: RequestInfo | URL) => {
      const { pathname } = new URL(String(input));
      return pathname === '/api/app-store/charts'
        ? json(charts)
        : json({ error: { message: `no route ${pathname}` } }, 404);
    });
    renderTestApp({
      features: [appStorePlugin],
      initialRouteEntries: ['/app-store'],
      apis: [
        [discoveryApiRef, mockApis.discovery()],
        [fetchApiRef, { fetch }],
      ],
    });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Install redis' }),
      ).toBeInTheDocument(),
    );
    expect(fetch).toHaveBeenCalledWith(
      'http://example.com/api/app-store/charts',
      expect.objectContaining({ method: 'GET' }),
    );
  });
});
