import { Route, Routes, useResolvedPath } from 'react-router-dom';
import {
  Content,
  Header,
  Page,
  Progress,
  TabbedLayout,
} from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import { appStoreAdminPermission } from '@internal/plugin-container-cloud-common';
import { BasePathProvider } from '../../hooks/basePath';
import { AdminInstances } from '../AdminInstances';
import { CatalogueTab } from '../CatalogueTab';
import { InstancePage } from '../InstancePage';
import { InstancesTable } from '../InstancesTable';

/** The tabs: Catalogue, Instances, and Admin for those who hold the app store's admin permission. */
function AppStoreTabs() {
  const admin = usePermission({ permission: appStoreAdminPermission });
  return (
    <Page themeId="tool">
      <Header
        title="App store"
        subtitle="MySQL, Redis, ZooKeeper, Kafka and more for your test environments"
      />
      {admin.loading ? (
        <Content>
          <Progress />
        </Content>
      ) : (
        <TabbedLayout>
          <TabbedLayout.Route path="/" title="Catalogue">
            <CatalogueTab />
          </TabbedLayout.Route>
          <TabbedLayout.Route path="/instances" title="Instances">
            <InstancesTable />
          </TabbedLayout.Route>
          {admin.allowed && (
            <TabbedLayout.Route path="/admin" title="Admin">
              <AdminInstances />
            </TabbedLayout.Route>
          )}
        </TabbedLayout>
      )}
    </Page>
  );
}

/** The App store page: its tabs, and an instance's page under instances/:cluster/:namespace/:name. */
export function AppStorePage() {
  const base = useResolvedPath('').pathname;
  return (
    <BasePathProvider path={base}>
      <Routes>
        <Route
          path="instances/:cluster/:namespace/:name"
          element={<InstancePage />}
        />
        <Route path="*" element={<AppStoreTabs />} />
      </Routes>
    </BasePathProvider>
  );
}
