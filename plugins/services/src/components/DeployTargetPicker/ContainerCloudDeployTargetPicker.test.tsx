import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { DeployTargets } from '@internal/plugin-container-cloud-common';
import { servicesApiRef, type ServicesApi } from '../../api/ServicesClient';
import { ContainerCloudDeployTargetPicker } from './ContainerCloudDeployTargetPicker';
import { validateDeployTargets } from './field';
import type { DeployTargetValue } from './deployTargets';

// rendering MUI in jsdom is slow on a busy 2-core machine
jest.setTimeout(60_000);

const PAYMENTS = 'group:default/team-payments';
const targets: DeployTargets = {
  items: [
    { owner: PAYMENTS, cluster: 'local-a', namespace: 'payments' },
    { owner: PAYMENTS, cluster: 'local-b', namespace: 'payments' },
    // another of the caller's groups: not this owner's
    {
      owner: 'group:default/team-orders',
      cluster: 'local-a',
      namespace: 'orders',
    },
  ],
};

function fakeApi(answer: (owner?: string) => Promise<DeployTargets>) {
  return { getDeployTargets: jest.fn(answer) } as unknown as ServicesApi & {
    getDeployTargets: jest.Mock;
  };
}

/** Renders the field as the scaffolder does, the owner in the form's data under `team`. */
async function renderField(options: {
  api: ServicesApi;
  owner?: string;
  value?: DeployTargetValue[];
  rawErrors?: string[];
}) {
  const onChange = jest.fn();
  const props = {
    formData: options.value,
    onChange,
    rawErrors: options.rawErrors,
    required: true,
    disabled: false,
    schema: { title: 'Clusters and namespaces', type: 'array' },
    uiSchema: { 'ui:options': { ownerField: 'team' } },
    idSchema: { $id: 'root_placements' },
    formContext: { formData: { team: options.owner } },
  } as any;
  await renderInTestApp(
    <TestApiProvider apis={[[servicesApiRef, options.api]]}>
      <ContainerCloudDeployTargetPicker {...props} />
    </TestApiProvider>,
  );
  return onChange;
}

describe('ContainerCloudDeployTargetPicker', () => {
  it("lists the chosen owner's deploy targets, asked for that owner, and reports the ones the person ticks", async () => {
    const api = fakeApi(async () => targets);
    const onChange = await renderField({
      api,
      owner: 'team-payments', // a short ref: the group in the default namespace
      value: [{ cluster: 'local-b', namespace: 'payments' }],
    });
    const a = await screen.findByRole('checkbox', {
      name: 'local-a / payments',
    });
    const b = screen.getByRole('checkbox', { name: 'local-b / payments' });
    expect(api.getDeployTargets).toHaveBeenCalledWith(PAYMENTS);
    expect(screen.getAllByRole('checkbox')).toHaveLength(2);
    expect(a).not.toBeChecked();
    expect(b).toBeChecked();
    fireEvent.click(a);
    // in the order listed
    expect(onChange).toHaveBeenLastCalledWith([
      { cluster: 'local-a', namespace: 'payments' },
      { cluster: 'local-b', namespace: 'payments' },
    ]);
    fireEvent.click(b);
    expect(onChange).toHaveBeenLastCalledWith([]);
  });

  it('asks for the owner first, and asks the backend nothing', async () => {
    const api = fakeApi(async () => targets);
    await renderField({ api });
    expect(
      await screen.findByText(/Choose the owner first/),
    ).toBeInTheDocument();
    expect(api.getDeployTargets).not.toHaveBeenCalled();
  });

  it('shows progress while the targets load', async () => {
    await renderField({
      api: fakeApi(() => new Promise(() => {})),
      owner: PAYMENTS,
    });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the error, and loads again on retry', async () => {
    let calls = 0;
    const api = fakeApi(async () => {
      calls += 1;
      if (calls === 1) throw new Error('the services backend is down');
      return targets;
    });
    await renderField({ api, owner: PAYMENTS });
    const retry = await screen.findByRole('button', { name: 'Retry' });
    expect(
      screen.getAllByText(/the services backend is down/).length,
    ).toBeGreaterThan(0);
    fireEvent.click(retry);
    expect(
      await screen.findByRole('checkbox', { name: 'local-a / payments' }),
    ).toBeInTheDocument();
  });

  it('says what to do when the team has no clusters, with the backend’s reason', async () => {
    await renderField({
      api: fakeApi(async () => ({
        items: [],
        reason: 'group:default/team-payments has no clusters',
      })),
      owner: PAYMENTS,
    });
    expect(
      await screen.findByText(
        'Your team has no clusters: ask ops to grant it placements (containerCloud.binding.teamPlacements).',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('group:default/team-payments has no clusters'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('checkbox')).not.toBeInTheDocument();
  });

  it('shows the form’s errors on the field', async () => {
    await renderField({
      api: fakeApi(async () => targets),
      owner: PAYMENTS,
      rawErrors: ['choose at least one cluster and namespace'],
    });
    expect(
      await screen.findByText('choose at least one cluster and namespace'),
    ).toBeInTheDocument();
  });
});

describe('validateDeployTargets', () => {
  async function errorsFor(
    value: DeployTargetValue[] | undefined,
    owner?: string,
  ) {
    const errors: string[] = [];
    await validateDeployTargets(
      value,
      { addError: (m: string) => errors.push(m) } as any,
      {
        apiHolder: { get: () => fakeApi(async () => targets) },
        formData: { team: owner },
        schema: {},
        uiSchema: { 'ui:options': { ownerField: 'team' } },
      } as any,
    );
    return errors;
  }

  it("accepts the owner's targets", async () => {
    expect(
      await errorsFor(
        [
          { cluster: 'local-a', namespace: 'payments' },
          { cluster: 'local-b', namespace: 'payments' },
        ],
        PAYMENTS,
      ),
    ).toEqual([]);
  });

  it.each([
    [undefined, 'choose at least one cluster and namespace'],
    [[], 'choose at least one cluster and namespace'],
    [
      [{ cluster: 'local-a', namespace: 'orders' }],
      'local-a/orders is not a deploy target of group:default/team-payments',
    ],
  ])('refuses %j', async (value, words) => {
    expect(await errorsFor(value, PAYMENTS)).toEqual([words]);
  });

  it('refuses everything until an owner is chosen', async () => {
    expect(
      await errorsFor([{ cluster: 'local-a', namespace: 'payments' }]),
    ).toEqual(['choose the owner first']);
  });
});
