import { screen } from '@testing-library/react';
import { renderTestApp } from '@backstage/frontend-test-utils';
import servicesPlugin from '@internal/plugin-services';
import nginxPlugin from '@internal/plugin-nginx';
import { navModule } from '.';

// rendering the whole app shell in jsdom is slow on a busy 2-core machine
jest.setTimeout(30_000);

describe('the sidebar', () => {
  it("links our plugins' pages", async () => {
    renderTestApp({
      features: [navModule, servicesPlugin, nginxPlugin],
      initialRouteEntries: ['/not-a-page'],
    });
    const nav = await screen.findByRole('navigation', { name: 'sidebar nav' });
    expect(
      await screen.findByRole('link', { name: 'Services' }),
    ).toHaveAttribute('href', '/services');
    expect(screen.getByRole('link', { name: 'Nginx' })).toHaveAttribute(
      'href',
      '/nginx',
    );
    expect(nav).toContainElement(
      screen.getByRole('link', { name: 'Services' }),
    );
  });
});
