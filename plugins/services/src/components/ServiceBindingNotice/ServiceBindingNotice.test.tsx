import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { ServiceBindingNotice } from './ServiceBindingNotice';

describe('ServiceBindingNotice', () => {
  it('says nothing for a service bound to every namespace', async () => {
    const { container } = await renderInTestApp(<ServiceBindingNotice />);
    expect(container.textContent).toBe('');
  });

  it('names the placements of a bound service', async () => {
    await renderInTestApp(
      <ServiceBindingNotice
        binding={{
          state: 'bound',
          kubernetesId: 'payments-api',
          placements: [
            { cluster: 'local-a', namespace: 'payments' },
            { cluster: '*', namespace: 'shared' },
          ],
        }}
      />,
    );
    expect(
      screen.getByText(
        'Workloads labelled backstage.io/kubernetes-id=payments-api in local-a/payments, every cluster/shared',
      ),
    ).toBeInTheDocument();
  });

  it('shows a conflict with the other claimant', async () => {
    await renderInTestApp(
      <ServiceBindingNotice
        binding={{
          state: 'conflict',
          kubernetesId: 'orders-api',
          conflictsWith: ['component:cmdb/orders'],
          message:
            "component:default/orders-api controls no workloads: component:cmdb/orders also claims kubernetes id 'orders-api' from a trusted origin.",
        }}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(
      within(alert).getByText(
        'This entity controls no workloads: another entity claims its kubernetes id',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Other claimants' })).getByText(
        'component:cmdb/orders',
      ),
    ).toBeInTheDocument();
  });

  it('says why an untrusted entity controls nothing', async () => {
    await renderInTestApp(
      <ServiceBindingNotice
        binding={{
          state: 'untrusted',
          kubernetesId: 'payments-api',
          message:
            'component:attackers/payments-api controls no workloads: it was registered from url:https://github.com/bob/x.yaml, which is not a trusted origin',
        }}
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent(
      'which is not a trusted origin',
    );
  });

  it('says which annotated placements do not count, and why', async () => {
    await renderInTestApp(
      <ServiceBindingNotice
        binding={{
          state: 'bound',
          kubernetesId: 'new-svc',
          placements: [{ cluster: 'local-a', namespace: 'payments' }],
          message:
            'component:default/new-svc controls its workloads in local-a/payments only: local-b/kube-system is outside what ops granted group:default/team-payments',
        }}
      />,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Some of its placements do not count');
    expect(alert).toHaveTextContent(
      'local-b/kube-system is outside what ops granted group:default/team-payments',
    );
    expect(alert).toHaveTextContent(
      'Workloads labelled backstage.io/kubernetes-id=new-svc in local-a/payments',
    );
  });
});
