import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  PermissionApi,
  permissionApiRef,
} from '@backstage/plugin-permission-react';
import { AppStoreApi, appStoreApiRef } from '../../api/AppStoreClient';
import { fakeAppStoreApi } from '../../testUtils/fakeAppStoreApi';
import { AppStorePage } from './AppStorePage';

jest.setTimeout(120_000);

async function render(api: AppStoreApi, admin: boolean) {
  // the policy's answer: the admin permission as given, every other one allowed
  const permissions = {
    authorize: async (request: { permission: { name: string } }) => ({
      result:
        request.permission.name === 'container-cloud.app-store.admin' && !admin
          ? 'DENY'
          : 'ALLOW',
    }),
  } as unknown as PermissionApi;
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [appStoreApiRef, api],
        [permissionApiRef, permissions],
      ]}
    >
      <AppStorePage />
    </TestApiProvider>,
  );
}

// usePermission keeps its answers in a module-wide cache: each permission case has its own file
describe('AppStorePage for a developer', () => {
  it('shows the catalogue first, and the Admin tab only to those who hold the admin permission', async () => {
    await render(fakeAppStoreApi(), false);
    expect(
      await screen.findByRole('tab', { name: 'Catalogue' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Instances' })).toBeInTheDocument();
    expect(
      screen.queryByRole('tab', { name: 'Admin' }),
    ).not.toBeInTheDocument();
    expect(
      await screen.findByRole('article', { name: 'redis' }),
    ).toBeInTheDocument();
  });
});
