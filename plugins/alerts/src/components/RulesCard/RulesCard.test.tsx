import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import type {
  AlertMetric,
  AlertRule,
  AlertRuleSet,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { fieldErrors, RulesApi, rulesApiRef } from '../../api/RulesClient';
import { RulesCard } from './RulesCard';

jest.setTimeout(120_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { type: 'service', owner: 'group:default/team-payments' },
};

const rule: AlertRule = {
  id: 'r-0a1b2c3d',
  name: 'High CPU',
  metric: 'cpu_cores',
  comparison: '>',
  threshold: 0.5,
  for: '1m',
  window: '5m',
  severity: 'critical',
  container: 'app',
  labels: {},
  receivers: ['oncall'],
  summary: 'too much CPU',
  description: '',
  enabled: true,
};

function ruleSet(overrides: Partial<AlertRuleSet> = {}): AlertRuleSet {
  return {
    entityRef: 'component:default/payments-api',
    kubernetesId: 'payments-api',
    version: 3,
    updatedBy: 'user:default/alice',
    updatedAt: new Date().toISOString(),
    rules: [rule],
    targets: [{ cluster: 'local-a', namespace: 'payments' }],
    containers: ['app', 'sidecar'],
    delivery: [
      {
        prometheus: 'local',
        clusters: ['local-a'],
        state: 'loaded',
        version: 3,
        deliveredVersion: 3,
        loadedVersion: 3,
        alertingRules: 1,
        message: 'loaded version 3',
        at: new Date().toISOString(),
      },
    ],
    ...overrides,
  };
}

const metrics: AlertMetric[] = [
  {
    id: 'cpu_cores',
    title: 'CPU (cores)',
    unit: 'cores',
    description: 'CPU per container',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: ['container_cpu_usage_seconds_total'],
    availability: [{ prometheus: 'local', available: true, missing: [] }],
  },
];

function apiWith(overrides: Partial<RulesApi>): RulesApi {
  return {
    ruleSet: jest.fn(async () => ruleSet()),
    delivery: jest.fn(async () => ruleSet().delivery),
    metrics: jest.fn(async () => metrics),
    createRule: jest.fn(),
    updateRule: jest.fn(),
    deleteRule: jest.fn(),
    versions: jest.fn(async () => []),
    version: jest.fn(),
    diff: jest.fn(),
    rollback: jest.fn(),
    allRules: jest.fn(),
    ...overrides,
  } as RulesApi;
}

function renderCard(api: RulesApi) {
  return renderInTestApp(
    <TestApiProvider apis={[[rulesApiRef, api]]}>
      <EntityProvider entity={entity}>
        <RulesCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('RulesCard', () => {
  it('lists the rules and shows which version each Prometheus loaded', async () => {
    await renderCard(apiWith({}));
    expect(await screen.findByText('High CPU')).toBeInTheDocument();
    expect(screen.getByText('CPU (cores) > 0.5 for 1m')).toBeInTheDocument();
    expect(screen.getByText('local: loaded v3')).toBeInTheDocument();
  });

  it('says so when there is no rule', async () => {
    await renderCard(
      apiWith({
        ruleSet: async () => ruleSet({ version: 0, rules: [], delivery: [] }),
      }),
    );
    expect(await screen.findByText('No alert rules yet')).toBeInTheDocument();
  });

  it('shows the error when the rules cannot be read', async () => {
    await renderCard(
      apiWith({
        ruleSet: async () => {
          throw new ContainerCloudApiError('the catalog is down', {
            status: 503,
          });
        },
      }),
    );
    expect(
      await screen.findByText('Error: the catalog is down'),
    ).toBeInTheDocument();
  });

  it('creates a rule and shows a refusal under the field it names', async () => {
    const createRule = jest
      .fn()
      .mockRejectedValueOnce(
        new ContainerCloudApiError(
          'invalid rule: rule.threshold: the threshold is a number',
          { status: 400 },
        ),
      )
      .mockResolvedValueOnce(
        ruleSet({
          version: 4,
          rules: [rule, { ...rule, id: 'r-1', name: 'Memory' }],
        }),
      );
    await renderCard(apiWith({ createRule }));
    fireEvent.click(await screen.findByRole('button', { name: 'Add rule' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/^Name/), {
      target: { value: 'Memory' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Threshold/), {
      target: { value: 'lots' },
    });
    fireEvent.change(within(dialog).getByLabelText(/^Summary/), {
      target: { value: 'memory is high' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(
      await within(dialog).findByText('the threshold is a number'),
    ).toBeInTheDocument();
    expect(createRule).toHaveBeenLastCalledWith(
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
      3,
      expect.objectContaining({ name: 'Memory', threshold: 'lots' }),
    );
    fireEvent.change(within(dialog).getByLabelText(/^Threshold/), {
      target: { value: '100' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(createRule).toHaveBeenLastCalledWith(
      expect.anything(),
      3,
      expect.objectContaining({ threshold: 100 }),
    );
    expect(await screen.findByText('Memory')).toBeInTheDocument();
  });

  it('shows the current rules when an edit lost to another one (409)', async () => {
    const deleteRule = jest.fn().mockRejectedValue(
      new ContainerCloudApiError('the rules changed since they were loaded', {
        status: 409,
        current: ruleSet({ version: 5, rules: [] }),
      }),
    );
    await renderCard(apiWith({ deleteRule }));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(
      await screen.findByText(/the rules changed since they were loaded/),
    ).toBeInTheDocument();
    expect(screen.getByText('No alert rules yet')).toBeInTheDocument();
  });
});

describe('RulesCard versions', () => {
  it('lists the versions, shows a diff and rolls back', async () => {
    const rollback = jest.fn(async () => ruleSet({ version: 4 }));
    const diff = jest.fn(async () => ({
      from: 2,
      to: 3,
      files: [
        {
          file: 'rules.yaml',
          lines: [
            { op: '-' as const, text: '  threshold: 0.4' },
            { op: '+' as const, text: '  threshold: 0.5' },
          ],
        },
      ],
    }));
    const versions = jest.fn(async () => [
      {
        version: 3,
        author: 'user:default/alice',
        createdAt: new Date().toISOString(),
        message: 'change rule',
        ruleCount: 1,
      },
      {
        version: 2,
        author: 'user:default/carol',
        createdAt: new Date().toISOString(),
        message: 'add rule',
        ruleCount: 1,
      },
    ]);
    await renderCard(apiWith({ rollback, diff, versions }));
    fireEvent.click(await screen.findByRole('button', { name: 'Versions' }));
    const dialog = await screen.findByRole('dialog');
    expect(await within(dialog).findByText('add rule')).toBeInTheDocument();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Diff' }));
    expect(
      await within(dialog).findByText(/threshold: 0\.4/),
    ).toBeInTheDocument();
    expect(diff).toHaveBeenCalledWith(expect.anything(), 2, 3);
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Roll back to v2' }),
    );
    await waitFor(() =>
      expect(rollback).toHaveBeenCalledWith(expect.anything(), 2, 3),
    );
    expect(await screen.findByText(/^Version 4/)).toBeInTheDocument();
  });
});

describe('fieldErrors', () => {
  it('reads the backend’s 400 field by field', () => {
    expect(
      fieldErrors(
        'invalid rule: rule.threshold: the threshold is a number; rule.labels.team: a label value may not hold quotes; rule.for: bad',
      ),
    ).toEqual({
      threshold: 'the threshold is a number',
      labels: 'a label value may not hold quotes',
      for: 'bad',
    });
    expect(fieldErrors('something else')).toEqual({ '': 'something else' });
  });
});
