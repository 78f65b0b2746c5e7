import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { alertsSignalChannel } from '@internal/plugin-container-cloud-common';
import type { Entity } from '@backstage/catalog-model';
import type {
  AlertList,
  SilenceList,
} from '@internal/plugin-container-cloud-common';
import { AlertsApi, alertsApiRef } from '../../api/AlertsClient';
import { FiringAlertsCard } from './FiringAlertsCard';

jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-payments' },
};

const firing: AlertList = {
  total: 2,
  sources: [
    { source: 'alertmanager', status: 'ok' },
    { source: 'prometheus:local', status: 'ok', clusters: ['local-a'] },
  ],
  items: [
    {
      id: 'f1',
      name: 'PaymentsCpuHigh',
      state: 'firing',
      severity: 'critical',
      entityRef: 'component:default/payments-api',
      rule: 'cpu-high',
      cluster: 'local-a',
      namespace: 'payments',
      pod: 'payments-api-7d9f-abcde',
      container: 'app',
      summary: 'CPU above 80% of its limit',
      startsAt: new Date(Date.now() - 5 * 60_000).toISOString(),
      value: '0.93',
      labels: {},
      silencedBy: [],
      metricsLink: {
        cluster: 'local-a',
        namespace: 'payments',
        pod: 'payments-api-7d9f-abcde',
        container: 'app',
      },
    },
    {
      id: 'p1',
      name: 'PaymentsRestarts',
      state: 'pending',
      severity: 'warning',
      labels: {},
      silencedBy: [],
    },
  ],
};

const noSilences: SilenceList = {
  items: [],
  source: { source: 'alertmanager', status: 'ok' },
};

function fakeApi(overrides: Partial<AlertsApi> = {}): AlertsApi {
  return {
    entityAlerts: jest.fn(async () => firing),
    silences: jest.fn(async () => noSilences),
    createSilence: jest.fn(async () => ({} as any)),
    expireSilence: jest.fn(async () => ({} as any)),
    ...overrides,
  } as unknown as AlertsApi;
}

/** A signals API the test drives: the subscriber of each channel. */
function fakeSignals() {
  const subscribers = new Map<string, (message: any) => void>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      subscribers.set(channel, onMessage as (message: any) => void);
      return { unsubscribe: () => subscribers.delete(channel) };
    },
  };
  return { subscribers, api };
}

async function render(api: AlertsApi, signals = fakeSignals()) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [alertsApiRef, api],
        [signalApiRef, signals.api],
      ]}
    >
      <EntityProvider entity={entity}>
        <FiringAlertsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('FiringAlertsCard', () => {
  it('lists firing and pending alerts with their container, cluster, value and a link to the metrics', async () => {
    await render(fakeApi());
    expect(await screen.findByText('PaymentsCpuHigh')).toBeInTheDocument();
    expect(screen.getByText('CPU above 80% of its limit')).toBeInTheDocument();
    expect(screen.getByText('PaymentsRestarts')).toBeInTheDocument();
    expect(screen.getByText('0.93')).toBeInTheDocument();
    expect(screen.getByText('pending')).toBeInTheDocument();
    const link = screen.getByRole('link', {
      name: 'Metrics of payments-api-7d9f-abcde / app',
    });
    expect(link.getAttribute('href')).toContain(
      `metrics=${encodeURIComponent(
        'local-a/payments/payments-api-7d9f-abcde/app',
      )}`,
    );
    expect(screen.getByText('No silences.')).toBeInTheDocument();
  });

  it('says the alerts are unknown when a source did not answer, not that there are none', async () => {
    await render(
      fakeApi({
        entityAlerts: jest.fn(async () => ({
          total: 0,
          items: [],
          sources: [
            {
              source: 'alertmanager',
              status: 'unreachable' as const,
              message: 'Alertmanager at http://am did not answer',
            },
          ],
        })),
      }),
    );
    expect(
      await screen.findByText(/Alerts unknown: alertmanager did not answer/),
    ).toBeInTheDocument();
    expect(screen.queryByText('No alerts are firing or pending.')).toBeNull();
    expect(screen.getByText(/the others are unknown/)).toBeInTheDocument();
  });

  it('shows the error of a failed load', async () => {
    await render(
      fakeApi({
        entityAlerts: jest.fn(async () => {
          throw new Error('the alerts backend is down');
        }),
      }),
    );
    expect(
      (await screen.findAllByText(/the alerts backend is down/)).length,
    ).toBeGreaterThan(0);
  });

  it('silences one alert with a reason and a duration, and expires a silence', async () => {
    const silence = {
      id: 's1',
      state: 'active' as const,
      matchers: [
        {
          name: 'cc_entity',
          value: 'component:default/payments-api',
          isRegex: false,
          isEqual: true,
        },
        { name: 'cc_rule', value: 'cpu-high', isRegex: false, isEqual: true },
      ],
      reason: 'deploying the fix',
      createdBy: 'user:default/alice',
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    let silences = noSilences;
    const api = fakeApi({
      silences: jest.fn(async () => silences),
      createSilence: jest.fn(async () => {
        silences = { ...noSilences, items: [silence] };
        return silence;
      }),
      expireSilence: jest.fn(async () => ({
        ...silence,
        state: 'expired' as const,
      })),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Silence PaymentsCpuHigh' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/cc_rule="cpu-high"/)).toBeInTheDocument();
    const submit = within(dialog).getByRole('button', { name: 'Silence' });
    expect(submit).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText(/Reason/), {
      target: { value: 'deploying the fix' },
    });
    fireEvent.click(submit);
    await waitFor(() =>
      expect(api.createSilence).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        {
          reason: 'deploying the fix',
          durationMinutes: 60,
          matchers: [
            { name: 'cc_rule', value: 'cpu-high' },
            { name: 'container', value: 'app' },
            { name: 'pod', value: 'payments-api-7d9f-abcde' },
          ],
        },
      ),
    );
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Expire silence deploying the fix',
      }),
    );
    await waitFor(() =>
      expect(api.expireSilence).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'payments-api' },
        's1',
      ),
    );
  });

  it('hides expired silences until asked, so the active ones stay in sight', async () => {
    const base = {
      matchers: [
        {
          name: 'cc_entity',
          value: 'component:default/payments-api',
          isRegex: false,
          isEqual: true,
        },
      ],
      createdBy: 'user:default/alice',
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    const api = fakeApi({
      silences: jest.fn(async () => ({
        ...noSilences,
        items: [
          { ...base, id: 'a', state: 'active' as const, reason: 'now' },
          { ...base, id: 'b', state: 'expired' as const, reason: 'old one' },
          { ...base, id: 'c', state: 'expired' as const, reason: 'old two' },
        ],
      })),
    });
    await render(api);
    expect(await screen.findByText('now')).toBeInTheDocument();
    expect(screen.queryByText('old one')).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Show 2 expired' }));
    expect(await screen.findByText('old one')).toBeInTheDocument();
    expect(screen.getByText('old two')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Hide expired' }));
    await waitFor(() =>
      expect(screen.queryByText('old one')).not.toBeInTheDocument(),
    );
  });

  it("reads the alerts again when the backend signals that the service's alerts changed", async () => {
    let items = firing.items.slice(1);
    const api = fakeApi({
      entityAlerts: jest.fn(async () => ({ ...firing, items })),
    });
    const signals = fakeSignals();
    await render(api, signals);
    expect(await screen.findByText('PaymentsRestarts')).toBeInTheDocument();
    expect(screen.queryByText('PaymentsCpuHigh')).toBeNull();
    items = firing.items;
    const subscriber = signals.subscribers.get(
      alertsSignalChannel('component:default/payments-api'),
    );
    expect(subscriber).toBeDefined();
    act(() => subscriber!({ entityRef: 'component:default/payments-api' }));
    expect(await screen.findByText('PaymentsCpuHigh')).toBeInTheDocument();
    expect(api.entityAlerts).toHaveBeenCalledTimes(2);
  });
});
