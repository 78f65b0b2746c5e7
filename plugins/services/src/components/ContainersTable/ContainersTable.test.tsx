import { useState } from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import type { ClusterServicePage } from '@internal/plugin-container-cloud-common';
import { runningPod } from '../../testUtils/fixtures';
import { ContainersTable, countsInWords } from './ContainersTable';

// Material UI tables in jsdom are slow on a busy 2-core machine
jest.setTimeout(240_000);
/** how long a table may take to render a page here */
const SLOW = { timeout: 60_000 };
/** Waits until the text is on the page (the table may draw its rows more than once). */
const shown = (text: string | RegExp) =>
  waitFor(() => expect(screen.getByText(text)).toBeInTheDocument(), SLOW);

const TOTAL = 45;
/** The cluster's containers, made anew for each answer (the table marks the rows it is given). */
const all = () =>
  Array.from({ length: TOTAL }, (_, i) =>
    runningPod({ name: `payments-api-7d9-${String(i).padStart(3, '0')}` }),
  );
const COUNTS = {
  total: TOTAL,
  ready: 42,
  pending: 1,
  failing: 2,
  terminating: 0,
  restarts: 7,
};

/** What the backend answers for a page of the cluster's containers. */
function page(offset: number, limit: number): ClusterServicePage {
  return {
    cluster: 'dev',
    health: { reachable: true, checkedAt: '' },
    deployments: [],
    revisions: [],
    pods: all().slice(offset, offset + limit),
    podCounts: COUNTS,
    podsPage: { offset, limit },
  };
}

describe('ContainersTable', () => {
  it('shows the first page from the view, and loads the next pages from the backend', async () => {
    const loadPage = jest.fn(async (offset: number, limit: number) =>
      page(offset, limit),
    );
    await renderInTestApp(
      <ContainersTable
        view={page(0, 20)}
        loadPage={loadPage}
        onPodAction={jest.fn()}
      />,
    );
    // the counts are of every container, not of the page
    expect(screen.getByText('Containers (45)')).toBeInTheDocument();
    expect(
      screen.getByText('42 ready · 1 pending · 2 failing · 7 restarts'),
    ).toBeInTheDocument();
    expect(screen.getByText('payments-api-7d9-000')).toBeInTheDocument();
    expect(screen.getByText('payments-api-7d9-019')).toBeInTheDocument();
    expect(screen.queryByText('payments-api-7d9-020')).not.toBeInTheDocument();
    expect(loadPage).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: /next page/i }));
    await shown('payments-api-7d9-020');
    expect(loadPage).toHaveBeenCalledWith(20, 20);
    expect(screen.queryByText('payments-api-7d9-000')).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: /next page/i }));
    await shown('payments-api-7d9-044');
    expect(loadPage).toHaveBeenLastCalledWith(40, 20);
    expect(screen.queryByText('payments-api-7d9-039')).not.toBeInTheDocument();
  });

  it('says so when a page cannot be loaded', async () => {
    const loadPage = jest.fn(async () => {
      throw new Error('the backend is gone');
    });
    await renderInTestApp(
      <ContainersTable
        view={page(0, 20)}
        loadPage={loadPage}
        onPodAction={jest.fn()}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: /next page/i }));
    await shown(/Could not load containers 21–40/);
    expect(screen.getAllByText(/the backend is gone/).length).toBeGreaterThan(
      0,
    );
  });

  it('pages a view without counts by itself, as before', async () => {
    await renderInTestApp(
      <ContainersTable
        view={{ ...page(0, TOTAL), podCounts: undefined, podsPage: undefined }}
        onPodAction={jest.fn()}
      />,
    );
    expect(screen.getByText('Containers (45)')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /next page/i }));
    await shown('payments-api-7d9-020');
  });

  it('words the counts, leaving out what is zero', () => {
    expect(
      countsInWords({
        total: 3,
        ready: 3,
        pending: 0,
        failing: 0,
        terminating: 0,
        restarts: 0,
      }),
    ).toBe('3 ready');
  });

  it('shows an empty cluster as such', async () => {
    await renderInTestApp(
      <ContainersTable
        view={{
          ...page(0, 20),
          pods: [],
          podCounts: { ...COUNTS, total: 0, ready: 0, pending: 0, failing: 0 },
        }}
        loadPage={jest.fn()}
        onPodAction={jest.fn()}
      />,
    );
    expect(
      screen.getByText('No container in this cluster.'),
    ).toBeInTheDocument();
  });

  it('keeps its rows mounted when the view is read again (a live update)', async () => {
    /** the Service tab around the table: each live update is a new view object and new handlers */
    function LiveTab() {
      const [view, setView] = useState(() => page(0, 20));
      // the first container restarted: the backend's next view
      const next = () => {
        const changed = page(0, 20);
        changed.pods[0].restarts = view.pods[0].restarts + 1;
        setView(changed);
      };
      return (
        <>
          <button onClick={next}>live update</button>
          <ContainersTable
            view={view}
            loadPage={async (offset, limit) => page(offset, limit)}
            onPodAction={() => {}}
          />
        </>
      );
    }
    await renderInTestApp(<LiveTab />);
    const row = screen.getByText('payments-api-7d9-000').closest('tr');
    const action = screen.getByRole('button', {
      name: 'logs of payments-api-7d9-000',
    });
    expect(row).not.toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'live update' }));
    fireEvent.click(screen.getByRole('button', { name: 'live update' }));
    // the same elements, updated in place: not a body unmounted and mounted again, which cost a
    // frame of hundreds of milliseconds per update in Chromium (docs/benchmarks.d/services-browser.md)
    expect(screen.getByText('payments-api-7d9-000').closest('tr')).toBe(row);
    expect(
      screen.getByRole('button', { name: 'logs of payments-api-7d9-000' }),
    ).toBe(action);
    // its restarts (the fourth column), updated in place
    expect(within(row!).getAllByRole('cell')[3]).toHaveTextContent('2');
  });
});
