import { useState } from 'react';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  HistoryEntry,
  HistoryPage,
} from '@internal/plugin-container-cloud-common';
import { ServicesApi, servicesApiRef } from '../../api/ServicesClient';
import { paymentsApi } from '../../testUtils/fixtures';
import { HistoryCard } from './HistoryCard';

// Material UI tables in jsdom are slow on a busy 2-core machine
jest.setTimeout(60_000);

const entry = (i: number): HistoryEntry => ({
  cluster: 'dev',
  namespace: 'payments',
  pod: `payments-api-7d9-${String(i).padStart(3, '0')}`,
  images: [{ container: 'app', image: 'registry.example.com/payments/api:1' }],
  startedAt: '2026-11-22T08:00:00Z',
  restarts: 0,
});

describe('HistoryCard', () => {
  it('keeps its rows on screen and mounted while a live update reads the page again', async () => {
    let answer: (() => void) | undefined;
    const getHistory = jest.fn(
      (_entity: unknown, query: { offset?: number }) =>
        // a fresh answer each time, as from the backend; the second one waits for the test
        new Promise<HistoryPage>(resolve => {
          const page = {
            total: 25,
            items: Array.from({ length: 20 }, (_, i) =>
              entry((query.offset ?? 0) + i),
            ),
          };
          if (getHistory.mock.calls.length === 2) answer = () => resolve(page);
          else resolve(page);
        }),
    );
    /** the Service tab around the card: a live update is a new refresh key */
    function LiveTab() {
      const [signal, setSignal] = useState(0);
      return (
        <>
          <button onClick={() => setSignal(signal + 1)}>live update</button>
          <HistoryCard
            entityRef={paymentsApi}
            clusters={['dev']}
            refreshKey={signal || undefined}
          />
        </>
      );
    }
    await renderInTestApp(
      <TestApiProvider
        apis={[[servicesApiRef, { getHistory } as unknown as ServicesApi]]}
      >
        <LiveTab />
      </TestApiProvider>,
    );
    const row = (await screen.findByText('payments-api-7d9-000')).closest('tr');
    expect(row).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'live update' }));
    await waitFor(() => expect(getHistory).toHaveBeenCalledTimes(2));
    // while the page is read again: the same rows, no loading state in their place
    expect(screen.getByText('payments-api-7d9-000').closest('tr')).toBe(row);
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    answer!();
    await waitFor(() =>
      expect(screen.getByText('payments-api-7d9-000').closest('tr')).toBe(row),
    );

    // another page is another read: it shows that it is loading, then the page
    fireEvent.click(screen.getByRole('button', { name: /next page/i }));
    expect(await screen.findByText('payments-api-7d9-020')).toBeInTheDocument();
    expect(getHistory).toHaveBeenLastCalledWith(
      paymentsApi,
      expect.objectContaining({ offset: 20, limit: 20 }),
    );
  });
});
