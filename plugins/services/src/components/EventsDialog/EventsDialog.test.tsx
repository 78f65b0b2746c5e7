import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ServicesApi, servicesApiRef } from '../../api/ServicesClient';
import { EventsDialog } from './EventsDialog';
import { paymentsApi as entityRef } from '../../testUtils/fixtures';

jest.setTimeout(30_000);

const query = {
  cluster: 'local-a',
  namespace: 'payments',
  pod: 'payments-api-7d9-abcde',
};

function render(api: Partial<ServicesApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[servicesApiRef, api as ServicesApi]]}>
      <EventsDialog entityRef={entityRef} query={query} onClose={jest.fn()} />
    </TestApiProvider>,
  );
}

describe('EventsDialog', () => {
  it("lists the pod's events with type, reason, message and count", async () => {
    const getEvents = jest.fn(async () => ({
      cluster: 'local-a',
      items: [
        {
          type: 'Warning',
          reason: 'FailedScheduling',
          message: '0/2 nodes are available: 2 Insufficient cpu.',
          count: 4,
          lastSeen: new Date().toISOString(),
          object: { kind: 'Pod', name: 'payments-api-7d9-abcde' },
        },
      ],
    }));
    await render({ getEvents });
    expect(await screen.findByText('FailedScheduling')).toBeInTheDocument();
    expect(
      screen.getByText('0/2 nodes are available: 2 Insufficient cpu.'),
    ).toBeInTheDocument();
    expect(screen.getByText('4')).toBeInTheDocument();
    expect(screen.getByText('Warning')).toBeInTheDocument();
    expect(getEvents).toHaveBeenCalledWith(entityRef, query);
  });

  it('reads the events again when the service signals a change', async () => {
    const event = (reason: string) => ({
      type: 'Warning',
      reason,
      message: `about ${reason}`,
      count: 1,
      lastSeen: new Date().toISOString(),
      object: { kind: 'Pod', name: 'payments-api-7d9-abcde' },
    });
    const getEvents = jest
      .fn()
      .mockResolvedValueOnce({ cluster: 'local-a', items: [event('Pulled')] })
      .mockResolvedValue({
        cluster: 'local-a',
        items: [event('Unhealthy'), event('Pulled')],
      });
    const dialog = (live: unknown) => (
      <TestApiProvider apis={[[servicesApiRef, { getEvents } as any]]}>
        <EventsDialog
          entityRef={entityRef}
          query={query}
          live={live}
          onClose={jest.fn()}
        />
      </TestApiProvider>
    );
    const { rerender } = await renderInTestApp(dialog({ n: 1 }));
    expect(await screen.findByText('Pulled')).toBeInTheDocument();
    expect(screen.queryByText('Unhealthy')).not.toBeInTheDocument();
    rerender(dialog({ n: 2 }));
    expect(await screen.findByText('Unhealthy')).toBeInTheDocument();
    expect(getEvents).toHaveBeenCalledTimes(2);
  });

  it('says so when Kubernetes has no events', async () => {
    await render({
      getEvents: async () => ({ cluster: 'local-a', items: [] }),
    });
    expect(
      await screen.findByText(/Kubernetes has no events about container/),
    ).toBeInTheDocument();
  });

  it('shows the error', async () => {
    await render({
      getEvents: async () => {
        throw new Error('cluster local-a could not list events: timeout');
      },
    });
    // the error panel shows the message (as its title and in its details)
    expect(
      (await screen.findAllByText(/could not list events: timeout/)).length,
    ).toBeGreaterThan(0);
  });
});
