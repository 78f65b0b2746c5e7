import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { AlertRuleList } from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { RulesApi, rulesApiRef } from '../../api/RulesClient';
import { AllRulesTable } from './AllRulesTable';

jest.setTimeout(120_000);

const page: AlertRuleList = {
  total: 30,
  items: [
    {
      entityRef: 'component:default/payments-api',
      owner: 'group:default/team-payments',
      clusters: ['local-a', 'local-b'],
      version: 4,
      rule: {
        id: 'r-1',
        name: 'High CPU',
        metric: 'cpu_cores',
        comparison: '>',
        threshold: 0.5,
        for: '1m',
        window: '5m',
        severity: 'critical',
        labels: {},
        receivers: [],
        summary: 's',
        description: '',
        enabled: true,
      },
    },
  ],
};

function renderTable(allRules: RulesApi['allRules']) {
  return renderInTestApp(
    <TestApiProvider apis={[[rulesApiRef, { allRules } as RulesApi]]}>
      <AllRulesTable />
    </TestApiProvider>,
  );
}

describe('AllRulesTable', () => {
  it('lists every service’s rules and pages and filters them in the backend', async () => {
    const allRules = jest.fn(async () => page);
    await renderTable(allRules);
    expect(await screen.findByText('High CPU')).toBeInTheDocument();
    expect(screen.getByText('local-a, local-b')).toBeInTheDocument();
    expect(screen.getByText('1–1 of 30')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() =>
      expect(allRules).toHaveBeenLastCalledWith(
        expect.objectContaining({ offset: 25, limit: 25 }),
      ),
    );
    fireEvent.mouseDown(screen.getByLabelText('Severity'));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByText('critical'),
    );
    await waitFor(() =>
      expect(allRules).toHaveBeenLastCalledWith(
        expect.objectContaining({ severity: 'critical', offset: 0 }),
      ),
    );
  });

  it('says so when no rule matches', async () => {
    await renderTable(async () => ({ total: 0, items: [] }));
    expect(await screen.findByText('No alert rules')).toBeInTheDocument();
  });

  it('shows a refusal (only ops admins may list every rule)', async () => {
    await renderTable(async () => {
      throw new ContainerCloudApiError(
        'you may not list every service’s alert rules: only ops admins may',
        { status: 403 },
      );
    });
    expect(
      await screen.findByText(
        'Error: you may not list every service’s alert rules: only ops admins may',
      ),
    ).toBeInTheDocument();
  });
});
