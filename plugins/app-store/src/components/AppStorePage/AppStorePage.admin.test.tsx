import { fireEvent, screen } from '@testing-library/react';
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
describe('AppStorePage for an ops admin', () => {
  it("opens an instance's page from the Instances tab", async () => {
    const api = fakeAppStoreApi();
    await render(api, true);
    expect(
      await screen.findByRole('tab', { name: 'Admin' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('tab', { name: 'Instances' }));
    fireEvent.click(await screen.findByRole('link', { name: 'cache' }));
    expect(await screen.findByText('Helm release')).toBeInTheDocument();
    expect(api.instance).toHaveBeenCalledWith({
      cluster: 'local-a',
      namespace: 'payments',
      name: 'cache',
    });
    expect(
      screen.getByRole('link', { name: 'All my instances' }),
    ).toHaveAttribute('href', '/instances');
  });
});
