import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import type {
  AutoscalingDecision,
  AutoscalingSave,
  AutoscalingSettingsView,
  AutoscalingView,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AutoscalingApi, autoscalingApiRef } from '../../api/AutoscalingClient';
import { AutoscalingCard } from './AutoscalingCard';

jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

const settings: AutoscalingSettingsView = {
  enabled: true,
  deployment: 'payments-api',
  metric: 'cpu',
  target: 50,
  minReplicas: 2,
  maxReplicas: 7,
  version: 3,
  updatedBy: 'user:default/alice',
  updatedAt: '2026-12-07T10:00:00.000Z',
};

const scaled: AutoscalingDecision = {
  at: '2026-12-07T10:01:00.000Z',
  lastAt: '2026-12-07T10:01:00.000Z',
  count: 1,
  outcome: 'scaled',
  reason: '320% / 50% = 6.4 → 7',
  metric: 'cpu',
  target: 50,
  current: 4,
  recommended: 7,
  desired: 7,
  settingsVersion: 3,
  clusters: [
    {
      cluster: 'local-a',
      namespace: 'payments',
      replicas: 2,
      pods: 2,
      usage: 160,
      desired: 4,
      outcome: 'scaled',
    },
    {
      cluster: 'local-b',
      namespace: 'payments',
      replicas: 2,
      pods: 2,
      usage: 160,
      desired: 3,
      outcome: 'conflict',
    },
  ],
};

const held: AutoscalingDecision = {
  ...scaled,
  at: '2026-12-07T10:02:00.000Z',
  lastAt: '2026-12-07T10:04:00.000Z',
  count: 5,
  outcome: 'held',
  reason:
    'Prometheus at http://prometheus:9090 could not be reached (ECONNREFUSED)',
  recommended: null,
  desired: null,
  clusters: [],
};

function viewOf(over: Partial<AutoscalingView> = {}): AutoscalingView {
  return {
    entityRef: 'component:default/payments-api',
    settings,
    decisions: [held, scaled],
    deployments: ['payments-api', 'payments-worker'],
    intervalSeconds: 30,
    ...over,
  };
}

function fakeApi(views: AutoscalingView[], save?: AutoscalingApi['save']) {
  const saves: AutoscalingSave[] = [];
  let read = 0;
  const api: AutoscalingApi = {
    get: jest.fn(async () => views[Math.min(read++, views.length - 1)]),
    save: jest.fn(async (_ref, body) => {
      saves.push(body);
      if (save) return save(_ref, body);
      return { ...settings, ...body, version: body.version + 1 };
    }),
  };
  return { api, saves };
}

async function render(api: AutoscalingApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[autoscalingApiRef, api]]}>
      <EntityProvider entity={entity}>
        <AutoscalingCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const field = (label: RegExp) =>
  screen.getByLabelText(label) as HTMLInputElement;

describe('AutoscalingCard', () => {
  it('shows the settings, why the service is held, and the decisions', async () => {
    await render(fakeApi([viewOf()]).api);
    expect(await screen.findByText('Autoscaling on')).toBeInTheDocument();
    expect(field(/target per replica/i).value).toBe('50');
    expect(field(/min replicas/i).value).toBe('2');
    expect(field(/max replicas/i).value).toBe('7');
    expect(screen.getByRole('status')).toHaveTextContent(
      'Held at its current size: Prometheus at http://prometheus:9090 could not be reached (ECONNREFUSED)',
    );
    const table = screen.getByRole('table');
    expect(within(table).getByText('320% / 50% = 6.4 → 7')).toBeInTheDocument();
    expect(within(table).getByText('4 → 7')).toBeInTheDocument();
    expect(
      within(table).getByText(
        'local-a: 2 → 4, 160% over 2 pods; local-b: 2 → 3 (conflict), 160% over 2 pods',
      ),
    ).toBeInTheDocument();
    expect(within(table).getByText(/\(×5\)/)).toBeInTheDocument();
  });

  it('says how a new total is split across clusters', async () => {
    await render(fakeApi([viewOf({ split: 'free-capacity' })]).api);
    expect(
      await screen.findByText(
        /split across clusters by their free CPU \(allocatable less requested\)/,
      ),
    ).toBeInTheDocument();
  });

  it('says when nothing was saved or decided yet', async () => {
    await render(
      fakeApi([viewOf({ settings: null, decisions: [], deployments: [] })]).api,
    );
    expect(await screen.findByText('Autoscaling off')).toBeInTheDocument();
    expect(
      screen.getByText(
        /No decisions yet: the autoscaler decides once autoscaling is on/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/No Deployment of this service is running/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('shows the error when the settings cannot be loaded', async () => {
    const api: AutoscalingApi = {
      get: async () => {
        throw new ContainerCloudApiError(
          'no service component:default/payments-api in the catalog',
          {
            status: 404,
          },
        );
      },
      save: jest.fn(),
    };
    await render(api);
    expect(
      await screen.findByText(
        'Error: no service component:default/payments-api in the catalog',
      ),
    ).toBeInTheDocument();
  });

  it('puts validation errors under their fields and sends nothing', async () => {
    const { api } = fakeApi([viewOf()]);
    await render(api);
    await screen.findByText('Autoscaling on');
    fireEvent.change(field(/min replicas/i), { target: { value: '9' } });
    fireEvent.change(field(/target per replica/i), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText('maxReplicas is at least minReplicas'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('the target is a number (percent of the request)'),
    ).toBeInTheDocument();
    expect(api.save).not.toHaveBeenCalled();
  });

  it('saves with the version it was loaded at, then shows the saved settings', async () => {
    const saved = { ...settings, target: 60, version: 4 };
    const { api, saves } = fakeApi([viewOf(), viewOf({ settings: saved })]);
    await render(api);
    await screen.findByText('Autoscaling on');
    fireEvent.change(field(/target per replica/i), { target: { value: '60' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(
        screen.getByText(/Version 4, saved by user:default\/alice/),
      ).toBeInTheDocument(),
    );
    expect(saves).toEqual([
      {
        enabled: true,
        deployment: 'payments-api',
        metric: 'cpu',
        target: 60,
        minReplicas: 2,
        maxReplicas: 7,
        version: 3,
      },
    ]);
  });

  it("offers the rule metrics that add up over replicas, with the target in the metric's unit", async () => {
    const { api, saves } = fakeApi([viewOf(), viewOf()]);
    await render(api);
    await screen.findByText('Autoscaling on');
    fireEvent.mouseDown(
      screen.getByRole('button', { name: /CPU \(% of request\)/ }),
    );
    const options = within(screen.getByRole('listbox'))
      .getAllByRole('option')
      .map(o => o.textContent);
    expect(options).toEqual([
      'CPU (% of request)',
      'Memory (% of request)',
      'Network in (bytes/s per replica)',
      'Network out (bytes/s per replica)',
    ]);
    fireEvent.click(
      screen.getByRole('option', { name: 'Network in (bytes/s per replica)' }),
    );
    expect(field(/target per replica \(bytes\/s\)/i)).toBeInTheDocument();
    fireEvent.change(field(/target per replica/i), {
      target: { value: '250000' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(saves).toHaveLength(1));
    expect(saves[0]).toMatchObject({
      metric: 'network_receive_bytes',
      target: 250000,
    });
  });

  it('puts a field the backend refused under that field', async () => {
    const { api } = fakeApi([viewOf()], async () => {
      throw new ContainerCloudApiError(
        "invalid autoscaling settings: deployment: component:default/payments-api has no Deployment 'payments-worker' in any cluster it may run in",
        { status: 400 },
      );
    });
    await render(api);
    await screen.findByText('Autoscaling on');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText(/has no Deployment 'payments-worker'/),
    ).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says another save won on a 409, and loads the settings as they are now', async () => {
    const current = {
      ...settings,
      target: 80,
      version: 4,
      updatedBy: 'user:default/carol',
    };
    const { api } = fakeApi(
      [viewOf(), viewOf({ settings: current })],
      async () => {
        throw new ContainerCloudApiError(
          'the autoscaling settings of component:default/payments-api changed since you loaded them (version 3, now 4, saved by user:default/carol); reload and try again',
          { status: 409, current },
        );
      },
    );
    await render(api);
    await screen.findByText('Autoscaling on');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'changed since you loaded them',
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Load the current settings' }),
    );
    await waitFor(() => expect(field(/target per replica/i).value).toBe('80'));
    expect(
      screen.getByText(/Version 4, saved by user:default\/carol/),
    ).toBeInTheDocument();
  });
});
