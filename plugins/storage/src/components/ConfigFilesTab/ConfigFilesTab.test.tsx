import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import type {
  ConfigFileSaveResult,
  ConfigFileSet,
  ConfigFileSetList,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { typeInCodeEditor } from '@internal/plugin-container-cloud-react/testing';
import { ConfigFilesApi, configFilesApiRef } from '../../api/ConfigFilesClient';
import { ConfigFilesTab } from './ConfigFilesTab';

jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};
const REF = { kind: 'Component', namespace: 'default', name: 'payments-api' };

const appConfig: ConfigFileSet = {
  name: 'app-config',
  secret: false,
  objectName: 'payments-api-app-config',
  currentVersion: 2,
  checksum: 'c2',
  updatedBy: 'user:default/alice',
  updatedAt: new Date().toISOString(),
  files: [
    { name: 'application.yaml', format: 'yaml', bytes: 11, checksum: 'f' },
  ],
  clusters: [
    {
      cluster: 'local-a',
      namespace: 'payments',
      version: 2,
      resourceVersion: '9',
      editedInCluster: false,
    },
    {
      cluster: 'local-b',
      namespace: 'payments',
      version: 2,
      resourceVersion: '7',
      editedInCluster: false,
    },
  ],
  mounts: [
    {
      cluster: 'local-a',
      namespace: 'payments',
      deployment: 'payments-api',
      container: 'app',
      path: '/etc/app',
      mode: 'files',
      runningVersion: 1,
      current: false,
    },
  ],
};

const listOf = (items: ConfigFileSet[]): ConfigFileSetList => ({
  items,
  targets: [{ cluster: 'local-a', namespace: 'payments' }],
  secretsEnabled: true,
});

function saveResult(set: ConfigFileSet): ConfigFileSaveResult {
  return {
    set,
    restartNeeded: [
      { cluster: 'local-a', namespace: 'payments', deployment: 'payments-api' },
    ],
    notes: [
      'Files mounted one by one (subPath) never change in a running container.',
    ],
  };
}

function fakeApi(overrides: Partial<ConfigFilesApi> = {}) {
  const api: jest.Mocked<ConfigFilesApi> = {
    list: jest.fn(async () => listOf([appConfig])),
    get: jest.fn(async () => appConfig),
    create: jest.fn(async () =>
      saveResult({ ...appConfig, name: 'extra', currentVersion: 1 }),
    ),
    save: jest.fn(async () => saveResult({ ...appConfig, currentVersion: 3 })),
    remove: jest.fn(async () => undefined),
    versions: jest.fn(async () => ({
      items: [2, 1].map(version => ({
        version,
        createdBy: 'user:default/alice',
        createdAt: new Date().toISOString(),
        message: version === 1 ? 'found in cluster local-a' : 'port 9090',
        checksum: 'c',
        files: appConfig.files,
        rollbackOf: null,
        origin: version === 1 ? ('cluster' as const) : ('saved' as const),
      })),
      nextBefore: null,
      total: 2,
    })),
    version: jest.fn(async (_e, _s, version) => ({
      version,
      createdBy: 'user:default/alice',
      createdAt: new Date().toISOString(),
      message: '',
      checksum: 'c',
      rollbackOf: null,
      origin: 'saved' as const,
      secret: false,
      files: [{ ...appConfig.files[0], content: 'port: 8080\n' }],
    })),
    diff: jest.fn(async () => ({
      from: 1,
      to: 2,
      redacted: false,
      files: [
        {
          file: 'application.yaml',
          lines: [
            { op: '-' as const, text: 'port: 8080' },
            { op: '+' as const, text: 'port: 9090' },
          ],
        },
      ],
    })),
    rollback: jest.fn(async () =>
      saveResult({ ...appConfig, currentVersion: 3 }),
    ),
    mount: jest.fn(async () => ({ set: appConfig, deployments: [] })),
    unmount: jest.fn(async () => ({ set: appConfig, deployments: [] })),
    restart: jest.fn(async () => ({ set: appConfig, deployments: [] })),
    ...overrides,
  } as jest.Mocked<ConfigFilesApi>;
  return api;
}

async function renderTab(api: ConfigFilesApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[configFilesApiRef, api]]}>
      <EntityProvider entity={entity}>
        <ConfigFilesTab />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('ConfigFilesTab', () => {
  it('shows an empty state with a way to add the first file set', async () => {
    await renderTab(fakeApi({ list: jest.fn(async () => listOf([])) }));
    expect(await screen.findByText('No config files yet')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Add file set' }),
    ).toBeInTheDocument();
  });

  it('shows the backend’s words when the list cannot be loaded', async () => {
    await renderTab(
      fakeApi({
        list: jest.fn(async () => {
          throw new ContainerCloudApiError('the catalog is down', {
            status: 503,
          });
        }),
      }),
    );
    expect(
      (await screen.findAllByText(/the catalog is down/)).length,
    ).toBeGreaterThan(0);
  });

  it('lists file sets with their clusters and which version the containers run', async () => {
    await renderTab(fakeApi());
    expect(await screen.findByText('app-config')).toBeInTheDocument();
    expect(screen.getByText('local-a: v2, local-b: v2')).toBeInTheDocument();
    expect(
      screen.getByText('1 container at /etc/app; 1 run an older version'),
    ).toBeInTheDocument();
  });

  it('creates a set from the editor and offers a restart for subPath mounts', async () => {
    const api = fakeApi();
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Add file set' }),
    );
    fireEvent.change(screen.getByLabelText(/File set name/), {
      target: { value: 'extra' },
    });
    typeInCodeEditor(
      await screen.findByLabelText('Content of application.yaml'),
      'port: 8080\n',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.create).toHaveBeenCalledWith(REF, {
        name: 'extra',
        secret: false,
        files: [{ name: 'application.yaml', content: 'port: 8080\n' }],
        message: '',
      }),
    );
    const notice = await screen.findByRole('status', { name: 'save result' });
    expect(within(notice).getByText(/subPath/)).toBeInTheDocument();
    fireEvent.click(
      within(notice).getByRole('button', { name: 'Rolling restart' }),
    );
    await waitFor(() => expect(api.restart).toHaveBeenCalledWith(REF, 'extra'));
  });

  it('edits the loaded version and, on a 409, says so and offers the current version', async () => {
    const api = fakeApi({
      save: jest.fn(async () => {
        throw new ContainerCloudApiError(
          'the file set changed since it was loaded: the current version is 3',
          { status: 409, current: { ...appConfig, currentVersion: 3 } },
        );
      }),
    });
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'edit app-config' }),
    );
    const editor = await screen.findByLabelText('Content of application.yaml');
    await waitFor(() =>
      expect(api.version).toHaveBeenCalledWith(REF, 'app-config', 2, {
        reveal: false,
      }),
    );
    typeInCodeEditor(editor, 'port: 9090\n');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.save).toHaveBeenCalledWith(REF, 'app-config', {
        baseVersion: 2,
        files: [{ name: 'application.yaml', content: 'port: 9090\n' }],
        message: '',
      }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'the current version is 3',
    );
    expect(
      screen.getByRole('button', { name: /Reload version 3/ }),
    ).toBeInTheDocument();
  });

  it('saves over an edit made in a cluster only when told to', async () => {
    const edited = {
      ...appConfig,
      clusters: [{ ...appConfig.clusters[0], editedInCluster: true }],
    };
    const save = jest
      .fn()
      .mockRejectedValueOnce(
        new ContainerCloudApiError(
          'the ConfigMap payments-api-app-config was edited in cluster local-a (payments) since the portal wrote it; nothing was saved',
          { status: 409, current: edited },
        ),
      )
      .mockResolvedValueOnce(saveResult({ ...appConfig, currentVersion: 3 }));
    const api = fakeApi({ save });
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'edit app-config' }),
    );
    await screen.findByLabelText('Content of application.yaml');
    await waitFor(() => expect(api.version).toHaveBeenCalled());
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'edited in cluster local-a',
    );
    expect(screen.queryByRole('button', { name: /Reload version/ })).toBeNull();
    fireEvent.click(
      screen.getByRole('button', {
        name: 'Overwrite the edits made in local-a and save',
      }),
    );
    await waitFor(() =>
      expect(save).toHaveBeenLastCalledWith(REF, 'app-config', {
        baseVersion: 2,
        files: [{ name: 'application.yaml', content: 'port: 8080\n' }],
        message: '',
        overwriteClusterEdits: true,
      }),
    );
    expect(save).toHaveBeenCalledTimes(2);
  });

  it('keeps a secret’s hidden text unless it is replaced', async () => {
    const secretSet = { ...appConfig, name: 'creds', secret: true };
    const api = fakeApi({
      list: jest.fn(async () => listOf([secretSet])),
      get: jest.fn(async () => secretSet),
      version: jest.fn(async (_e, _s, version) => ({
        version,
        createdBy: 'user:default/alice',
        createdAt: new Date().toISOString(),
        message: '',
        checksum: 'c',
        rollbackOf: null,
        origin: 'saved' as const,
        secret: true,
        files: [{ ...appConfig.files[0], name: 'db.properties' }],
      })),
    });
    await renderTab(api);
    fireEvent.click(await screen.findByRole('button', { name: 'edit creds' }));
    expect(
      await screen.findByText(/its text is not shown/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.save).toHaveBeenCalledWith(REF, 'creds', {
        baseVersion: 2,
        files: [{ name: 'db.properties', content: undefined }],
        message: '',
      }),
    );
  });

  it('pages versions, diffs two and rolls back to one', async () => {
    const api = fakeApi();
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'versions app-config' }),
    );
    expect(await screen.findByText(/found in the cluster/)).toBeInTheDocument();
    expect(api.versions).toHaveBeenCalledWith(REF, 'app-config', {
      before: undefined,
      limit: 20,
    });
    fireEvent.click(screen.getByRole('button', { name: 'Show diff' }));
    const diff = await screen.findByLabelText('diff of application.yaml');
    expect(diff).toHaveTextContent('- port: 8080');
    expect(diff).toHaveTextContent('+ port: 9090');
    fireEvent.click(
      screen.getByRole('button', { name: 'Roll back to version 1' }),
    );
    await waitFor(() =>
      expect(api.rollback).toHaveBeenCalledWith(REF, 'app-config', {
        version: 1,
        baseVersion: 2,
      }),
    );
  });

  it('mounts a set by subPath and shows each container’s version', async () => {
    const api = fakeApi();
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'mounts app-config' }),
    );
    expect(
      await screen.findByText('version 1 (current is 2)'),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/Mount path/), {
      target: { value: '/etc/files' },
    });
    fireEvent.click(screen.getByLabelText(/subPath/));
    fireEvent.click(screen.getByRole('button', { name: 'Mount' }));
    await waitFor(() =>
      expect(api.mount).toHaveBeenCalledWith(REF, 'app-config', {
        path: '/etc/files',
        mode: 'files',
      }),
    );
  });

  it('restarts the Deployments whose subPath mounts run an older version', async () => {
    const api = fakeApi();
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'mounts app-config' }),
    );
    fireEvent.click(
      await screen.findByRole('button', { name: /^Rolling restart/ }),
    );
    await waitFor(() =>
      expect(api.restart).toHaveBeenCalledWith(REF, 'app-config'),
    );
  });

  it('adds uploaded files to the set being created', async () => {
    const api = fakeApi();
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Add file set' }),
    );
    fireEvent.change(screen.getByLabelText(/File set name/), {
      target: { value: 'uploaded' },
    });
    const upload = new File(['<a/>\n'], 'logback.xml', { type: 'text/xml' });
    fireEvent.change(screen.getByLabelText('Upload files'), {
      target: { files: [upload] },
    });
    expect(
      await screen.findByRole('tab', { name: 'logback.xml' }),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('tab', { name: 'application.yaml' }));
    fireEvent.click(
      screen.getByRole('button', { name: 'Remove application.yaml' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.create).toHaveBeenCalledWith(REF, {
        name: 'uploaded',
        secret: false,
        files: [{ name: 'logback.xml', content: '<a/>\n' }],
        message: '',
      }),
    );
  });

  it('shows why a mounted set cannot be deleted', async () => {
    const api = fakeApi({
      remove: jest.fn(async () => {
        throw new ContainerCloudApiError(
          "file set 'app-config' is mounted by Deployment local-a/payments/payments-api: unmount it first",
          { status: 409 },
        );
      }),
    });
    await renderTab(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'delete app-config' }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'mounted by Deployment local-a/payments/payments-api',
    );
  });
});
