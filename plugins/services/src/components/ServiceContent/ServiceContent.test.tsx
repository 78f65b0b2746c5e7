import { act, screen, fireEvent, waitFor } from '@testing-library/react';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import type { ServiceView } from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { typeInCodeEditor } from '@internal/plugin-container-cloud-react/testing';
import { ServicesApi, servicesApiRef } from '../../api/ServicesClient';
import { debugApiRef } from '../../api/DebugClient';
import { everyClusterApiRef } from '../../api/EveryClusterClient';
import { imageTagsApiRef } from '../../api/ImageTagsClient';
import { shellApiRef } from '../../api/ShellClient';
import { ServiceContent } from './ServiceContent';
import { SERVICE_TAB_MARKS } from '../../hooks';
import { runningPod } from '../../testUtils/fixtures';

// rendering Material UI tables in jsdom is slow on a busy 2-core machine
jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: { 'backstage.io/kubernetes-id': 'payments-api' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

const deployment = {
  namespace: 'payments',
  name: 'payments-api',
  resourceVersion: '41',
  replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
  images: [
    { container: 'app', image: 'registry.example.com/payments/api:1.0.0' },
  ],
  revision: 2,
  problems: [],
  config: {
    containers: [
      {
        container: 'app',
        env: [{ name: 'LOG_LEVEL', value: 'info' }],
        envFrom: ['DB_PASSWORD'],
        resources: { limits: { memory: '256Mi' } },
        readinessProbe: { path: '/ready', port: 8080 },
      },
    ],
    terminationGracePeriodSeconds: 30,
  },
};

const view: ServiceView = {
  entityRef: 'component:default/payments-api',
  kubernetesId: 'payments-api',
  clusters: [
    {
      cluster: 'dev',
      health: {
        reachable: true,
        latencyMs: 3,
        nodesReady: 2,
        nodesTotal: 2,
        checkedAt: '',
      },
      deployments: [deployment],
      pods: [runningPod({ ip: '10.0.0.7', node: 'kwok-node-0' })],
      revisions: [],
      podCounts: {
        total: 1,
        ready: 1,
        pending: 0,
        failing: 0,
        terminating: 0,
        restarts: 0,
      },
      podsPage: { offset: 0, limit: 20 },
    },
    {
      cluster: 'prod',
      health: {
        reachable: false,
        error: 'the apiserver refused the connection',
        checkedAt: '',
      },
      deployments: [],
      pods: [],
      revisions: [],
      podCounts: {
        total: 0,
        ready: 0,
        pending: 0,
        failing: 0,
        terminating: 0,
        restarts: 0,
      },
      podsPage: { offset: 0, limit: 20 },
    },
  ],
};

function api(overrides: Partial<ServicesApi> = {}): ServicesApi {
  return {
    getService: jest.fn(async () => view),
    getDiagnosis: jest.fn(async () => ({
      clusters: [
        {
          cluster: 'dev',
          findings: [
            {
              pod: 'payments-api-7d9-abcde',
              container: 'app',
              problem: 'killed for running out of memory (OOMKilled)',
              advice: 'raise limits.memory',
            },
          ],
        },
      ],
    })),
    getHistory: jest.fn(async () => ({
      total: 1,
      items: [
        {
          cluster: 'dev',
          namespace: 'payments',
          pod: 'payments-api-7d9-gone1',
          ip: '10.0.0.3',
          node: 'kwok-node-1',
          images: [
            {
              container: 'app',
              image: 'registry.example.com/payments/api:0.9.0',
            },
          ],
          startedAt: '2026-11-22T08:00:00Z',
          endedAt: '2026-11-22T09:00:00Z',
          exitReason: 'OOMKilled',
          exitCode: 137,
          restarts: 0,
        },
      ],
    })),
    scale: jest.fn(),
    restart: jest.fn(),
    upgrade: jest.fn(),
    rollback: jest.fn(),
    destroyContainer: jest.fn(),
    configure: jest.fn(),
    sync: jest.fn(),
    removeFromLoadBalancing: jest.fn(),
    ...overrides,
  } as ServicesApi;
}

type SignalMessage = Parameters<Parameters<SignalApi['subscribe']>[1]>[0];

/** A signals API the test drives: the subscribers of each channel. */
function fakeSignals() {
  const subscribers = new Map<string, (message: SignalMessage) => void>();
  const signalApi: SignalApi = {
    subscribe(channel, onMessage) {
      subscribers.set(channel, onMessage as (message: SignalMessage) => void);
      return {
        unsubscribe: () => {
          subscribers.delete(channel);
        },
      };
    },
  };
  return { subscribers, api: signalApi };
}

function render(servicesApi: ServicesApi, signals = fakeSignals()) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [servicesApiRef, servicesApi],
        [signalApiRef, signals.api],
        // the tab's dialogs reach these; no test here opens them
        [shellApiRef, {}],
        [debugApiRef, {}],
        [imageTagsApiRef, {}],
        [everyClusterApiRef, {}],
      ]}
    >
      <EntityProvider entity={entity}>
        <ServiceContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('ServiceContent', () => {
  it('shows every cluster, a down one included, with its deployments and containers', async () => {
    await render(api());
    expect(await screen.findByText('Cluster dev')).toBeInTheDocument();
    expect(screen.getByLabelText('ready payments-api')).toHaveTextContent(
      '2/2',
    );
    expect(screen.getByText('payments-api-7d9-abcde')).toBeInTheDocument();
    expect(screen.getByText('10.0.0.7')).toBeInTheDocument();
    expect(
      screen.getByText('unreachable: the apiserver refused the connection'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('This service has no Deployment in prod.'),
    ).toBeInTheDocument();
    // what is wrong, and the containers that are gone
    expect(
      await screen.findByText(/killed for running out of memory/),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('payments-api-7d9-gone1'),
    ).toBeInTheDocument();
    expect(screen.getByText('OOMKilled (137)')).toBeInTheDocument();
  });

  it("opens a container's logs and a Deployment's events from the tables", async () => {
    const getLogs = jest.fn(async () => 'level=info msg="ready"\n');
    const getEvents = jest.fn(async () => ({ cluster: 'dev', items: [] }));
    await render(api({ getLogs, getEvents }));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'logs of payments-api-7d9-abcde',
      }),
    );
    expect(
      await screen.findByText('Logs of payments-api-7d9-abcde in dev'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('level=info msg="ready"'),
    ).toBeInTheDocument();
    expect(getLogs).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      expect.objectContaining({
        cluster: 'dev',
        namespace: 'payments',
        pod: 'payments-api-7d9-abcde',
        container: 'app',
      }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'More actions for payments-api',
      }),
    );
    fireEvent.click(
      screen.getByRole('menuitem', { name: 'events of payments-api' }),
    );
    expect(
      await screen.findByText('Events of Deployment payments-api in dev'),
    ).toBeInTheDocument();
    expect(getEvents).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      { cluster: 'dev', namespace: 'payments', deployment: 'payments-api' },
    );
  });

  it("opens a container's CPU, memory and network charts", async () => {
    const getMetrics = jest.fn(async () => ({
      cluster: 'dev',
      namespace: 'payments',
      pod: 'payments-api-7d9-abcde',
      start: 0,
      end: 3600,
      step: 15,
      series: [],
    }));
    await render(api({ getMetrics }));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'More actions for payments-api-7d9-abcde',
      }),
    );
    fireEvent.click(
      screen.getByRole('menuitem', {
        name: 'metrics of payments-api-7d9-abcde',
      }),
    );
    expect(
      await screen.findByText(
        'CPU, memory and network of payments-api-7d9-abcde in dev',
      ),
    ).toBeInTheDocument();
    expect(getMetrics).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      {
        cluster: 'dev',
        namespace: 'payments',
        pod: 'payments-api-7d9-abcde',
        minutes: 60,
      },
    );
  });

  describe("an alert's metrics link (?metrics=<cluster>/<namespace>/<pod>/<container>)", () => {
    const metrics = async () => ({
      cluster: 'dev',
      namespace: 'payments',
      pod: 'payments-api-7d9-abcde',
      start: 0,
      end: 3600,
      step: 15,
      series: [],
    });
    // the app's router is the browser's history: the Alerts tab's link lands in the address
    const arriveFrom = (target: string) =>
      window.history.replaceState(
        null,
        '',
        `/catalog/default/component/payments-api/service?metrics=${encodeURIComponent(
          target,
        )}`,
      );
    afterEach(() => window.history.replaceState(null, '', '/'));

    it("opens the named container's metrics dialog, once", async () => {
      arriveFrom('dev/payments/payments-api-7d9-abcde/app');
      const getMetrics = jest.fn(metrics);
      await render(api({ getMetrics }));
      expect(
        await screen.findByText(
          'CPU, memory and network of payments-api-7d9-abcde in dev',
        ),
      ).toBeInTheDocument();
      expect(screen.getByText(/Opened for container app/)).toBeInTheDocument();
      expect(getMetrics).toHaveBeenCalledWith(
        expect.objectContaining({ name: 'payments-api' }),
        {
          cluster: 'dev',
          namespace: 'payments',
          pod: 'payments-api-7d9-abcde',
          minutes: 60,
        },
      );
      // a reload does not open it again
      expect(window.location.search).toBe('');
      expect(window.location.pathname).toBe(
        '/catalog/default/component/payments-api/service',
      );
    });

    it('says so when the page does not show the named container, and opens nothing', async () => {
      arriveFrom('dev/payments/payments-api-7d9-abcde/sidecar');
      const getMetrics = jest.fn(metrics);
      await render(api({ getMetrics }));
      expect(
        await screen.findByText(
          /The metrics link names container sidecar of pod payments-api-7d9-abcde \(payments, dev\), which this page does not show/,
        ),
      ).toBeInTheDocument();
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
      expect(getMetrics).not.toHaveBeenCalled();
    });
  });

  it('charts a container of the history, gone or not', async () => {
    const getMetrics = jest.fn(async () => ({
      cluster: 'dev',
      namespace: 'payments',
      pod: 'payments-api-7d9-gone1',
      start: 0,
      end: 3600,
      step: 15,
      series: [],
    }));
    await render(api({ getMetrics }));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'metrics of payments-api-7d9-gone1 in history',
      }),
    );
    expect(
      await screen.findByText(
        'CPU, memory and network of payments-api-7d9-gone1 in dev',
      ),
    ).toBeInTheDocument();
    expect(getMetrics).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      expect.objectContaining({
        cluster: 'dev',
        namespace: 'payments',
        pod: 'payments-api-7d9-gone1',
      }),
    );
  });

  it('says so when no cluster is configured', async () => {
    await render(api({ getService: async () => ({ ...view, clusters: [] }) }));
    expect(
      await screen.findByText('No clusters configured'),
    ).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    await render(
      api({
        getService: async () => {
          throw new Error(
            'no service component:default/payments-api in the catalog',
          );
        },
      }),
    );
    const shown = await screen.findAllByText(
      /no service component:default\/payments-api in the catalog/,
    );
    expect(shown.length).toBeGreaterThan(0);
  });

  it('scales with the resourceVersion the page loaded', async () => {
    const scale = jest.fn(async () => ({ cluster: 'dev', deployment }));
    await render(api({ scale }));
    fireEvent.click(await screen.findByRole('button', { name: 'scale' }));
    fireEvent.change(screen.getByLabelText('Replicas'), {
      target: { value: '3' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Scale' }));
    await waitFor(() =>
      expect(scale).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        {
          cluster: 'dev',
          namespace: 'payments',
          deployment: 'payments-api',
          resourceVersion: '41',
          replicas: 3,
        },
      ),
    );
    expect(
      await screen.findByText('scale of payments-api in dev accepted'),
    ).toBeInTheDocument();
  });

  it('syncs from another cluster with the versions the page loaded in both', async () => {
    const sync = jest.fn(async () => ({ cluster: 'dev', deployment }));
    const inProd = { ...deployment, resourceVersion: '97' };
    const getService = async () => ({
      ...view,
      clusters: [
        view.clusters[0],
        {
          ...view.clusters[1],
          health: view.clusters[0].health,
          deployments: [inProd],
        },
      ],
    });
    await render(api({ getService, sync }));
    const [inDev] = await screen.findAllByRole('button', {
      name: 'More actions for payments-api',
    });
    fireEvent.click(inDev);
    fireEvent.click(screen.getByRole('menuitem', { name: 'sync from…' }));
    fireEvent.click(screen.getByRole('button', { name: 'Sync' }));
    await waitFor(() =>
      expect(sync).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        {
          cluster: 'dev',
          namespace: 'payments',
          deployment: 'payments-api',
          resourceVersion: '41',
          from: {
            cluster: 'prod',
            namespace: 'payments',
            deployment: 'payments-api',
            resourceVersion: '97',
          },
        },
      ),
    );
  });

  it('edits the configuration, keeping secret-backed variables out of it', async () => {
    const configure = jest.fn(async () => ({ cluster: 'dev', deployment }));
    await render(api({ configure }));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'More actions for payments-api',
      }),
    );
    fireEvent.click(screen.getByRole('menuitem', { name: 'edit config' }));
    expect(
      screen.getByText(/kept as they are .*: DB_PASSWORD/),
    ).toBeInTheDocument();
    typeInCodeEditor(
      await screen.findByLabelText(/Environment variables/),
      'LOG_LEVEL=debug\nFEATURE_X=on',
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Edit configuration of' }),
    );
    await waitFor(() =>
      expect(configure).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        expect.objectContaining({
          cluster: 'dev',
          resourceVersion: '41',
          container: 'app',
          env: [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'FEATURE_X', value: 'on' },
          ],
          readinessProbe: { path: '/ready', port: 8080 },
          livenessProbe: null,
          resources: { limits: { memory: '256Mi' } },
          terminationGracePeriodSeconds: 30,
        }),
      ),
    );
  });

  it('takes a container out of load balancing after asking', async () => {
    const removeFromLoadBalancing = jest.fn(async () => {});
    await render(api({ removeFromLoadBalancing }));
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'More actions for payments-api-7d9-abcde',
      }),
    );
    fireEvent.click(screen.getByRole('menuitem', { name: 'remove from LB' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() =>
      expect(removeFromLoadBalancing).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        {
          cluster: 'dev',
          namespace: 'payments',
          pod: 'payments-api-7d9-abcde',
        },
      ),
    );
    expect(
      await screen.findByText(/is out of load balancing and keeps running/),
    ).toBeInTheDocument();
  });

  it('shows the current state when someone else changed the Deployment first', async () => {
    const scale = jest.fn(async () => {
      throw new ContainerCloudApiError(
        'deployment payments/payments-api changed since you loaded it',
        {
          status: 409,
          current: {
            ...deployment,
            resourceVersion: '42',
            replicas: { ...deployment.replicas, desired: 5 },
          },
        },
      );
    });
    await render(api({ scale }));
    fireEvent.click(await screen.findByRole('button', { name: 'scale' }));
    fireEvent.click(screen.getByRole('button', { name: 'Scale' }));
    expect(
      await screen.findByText(/It now wants 5 replicas/),
    ).toBeInTheDocument();
    expect(screen.getByText(/nothing was changed/)).toBeInTheDocument();
  });

  it('reads the service, its diagnosis and its history again when the backend signals a change', async () => {
    const servicesApi = api();
    const signals = fakeSignals();
    await render(servicesApi, signals);
    expect(
      await screen.findByText('payments-api-7d9-gone1'),
    ).toBeInTheDocument();
    expect(servicesApi.getService).toHaveBeenCalledTimes(1);
    const signal = signals.subscribers.get(
      'container-cloud.services.payments-api',
    );
    expect(signal).toBeDefined();
    act(() => signal!({ type: 'pod', cluster: 'dev' }));
    await waitFor(() =>
      expect(servicesApi.getService).toHaveBeenCalledTimes(2),
    );
    await waitFor(() =>
      expect(servicesApi.getDiagnosis).toHaveBeenCalledTimes(2),
    );
    await waitFor(() =>
      expect(servicesApi.getHistory).toHaveBeenCalledTimes(2),
    );
  });

  it('marks when the tab mounts and, once, when its tables first show data', async () => {
    const marks: { name: string; rowShown: boolean }[] = [];
    // jsdom has no User Timing: the browser's performance.mark, recording what the page showed
    const original = Object.getOwnPropertyDescriptor(performance, 'mark');
    Object.defineProperty(performance, 'mark', {
      configurable: true,
      value: (name: string) => {
        marks.push({
          name,
          rowShown: !!screen.queryByText('payments-api-7d9-abcde'),
        });
      },
    });
    try {
      let answer: (v: ServiceView) => void = () => {};
      const servicesApi = api({
        getService: jest
          .fn()
          .mockImplementationOnce(
            () => new Promise<ServiceView>(resolve => (answer = resolve)),
          )
          .mockImplementation(async () => view),
      });
      const signals = fakeSignals();
      await render(servicesApi, signals);
      // loading: the tab has mounted, its tables are not usable yet
      await waitFor(() =>
        expect(marks.map(m => m.name)).toEqual([SERVICE_TAB_MARKS.start]),
      );
      act(() => answer(view));
      await screen.findByText('payments-api-7d9-abcde');
      await waitFor(() =>
        expect(marks).toEqual([
          { name: SERVICE_TAB_MARKS.start, rowShown: false },
          // taken after the tables' rows are in the document
          { name: SERVICE_TAB_MARKS.usable, rowShown: true },
        ]),
      );
      // a live update renders the tables again: no second usable mark
      act(() =>
        signals.subscribers.get('container-cloud.services.payments-api')!({
          type: 'pod',
          cluster: 'dev',
        }),
      );
      await waitFor(() =>
        expect(servicesApi.getService).toHaveBeenCalledTimes(2),
      );
      await waitFor(() =>
        expect(servicesApi.getHistory).toHaveBeenCalledTimes(2),
      );
      expect(marks.map(m => m.name)).toEqual([
        SERVICE_TAB_MARKS.start,
        SERVICE_TAB_MARKS.usable,
      ]);
    } finally {
      if (original) Object.defineProperty(performance, 'mark', original);
      else delete (performance as Partial<Performance>).mark;
    }
  });
});
