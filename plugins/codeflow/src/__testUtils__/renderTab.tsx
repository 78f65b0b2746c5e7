import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { signalApiRef } from '@backstage/plugin-signals-react';
import type { Entity } from '@backstage/catalog-model';
import { codeflowApiRef } from '../api/CodeflowClient';
import { CodeflowTab } from '../components/CodeflowTab';
import {
  fakeCodeflowApi,
  fakePermissions,
  fakeSignals,
  paymentsEntity,
} from './fakeCodeflowApi';

/** The Codeflow tab of payments-api with a fake backend, permissions and signals. */
export async function renderTab(
  fake: ReturnType<typeof fakeCodeflowApi>,
  options: { denied?: string[] } = {},
) {
  const signals = fakeSignals();
  const permissions = fakePermissions(options.denied);
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [codeflowApiRef, fake.api],
        [permissionApiRef, permissions.api],
        [signalApiRef, signals.api],
      ]}
    >
      <EntityProvider entity={paymentsEntity as Entity}>
        <CodeflowTab />
      </EntityProvider>
    </TestApiProvider>,
  );
  return { signals, permissions };
}
