import { useEffect, useMemo, useRef, useState } from 'react';
import { Box, Chip } from '@material-ui/core';
import {
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusPending,
  Table,
  TableColumn,
} from '@backstage/core-components';
import type {
  ClusterServicePage,
  ClusterServiceView,
  PodCounts,
  PodView,
} from '@internal/plugin-container-cloud-common';
import { age } from '@internal/plugin-container-cloud-react';
import useAsync from 'react-use/esm/useAsync';
import { PodActionKind, PodActions } from '../PodActions';
import { useLatest, withRowIds } from '../../lib/tableRows';

/** The containers a page of the table shows, and the page the Service tab loads first. */
export const CONTAINERS_PAGE_SIZE = 20;

/** A cluster's view as the table reads it: the counts and page are there when the backend pages. */
export type ContainersView = ClusterServiceView &
  Partial<Pick<ClusterServicePage, 'podCounts' | 'podsPage'>>;

/**
 * What an empty table shows. One element for every render: Backstage's Table makes its body
 * component anew whenever `emptyContent` is a different object, which unmounts and mounts every
 * row again (each live update did that to every cluster's table).
 */
const NO_CONTAINERS = <Box p={2}>No container in this cluster.</Box>;

/** Loads a page of one cluster's containers (from `offset`, at most `limit`). */
export type LoadContainers = (
  offset: number,
  limit: number,
) => Promise<ContainersView>;

function PodStatus({ pod }: { pod: PodView }) {
  const reason = pod.containers.find(c => c.reason)?.reason;
  const label = pod.terminating ? 'Terminating' : reason ?? pod.phase;
  if (pod.terminating || pod.phase === 'Pending')
    return <StatusPending>{label}</StatusPending>;
  if (pod.ready) return <StatusOK>{label}</StatusOK>;
  return <StatusError>{label}</StatusError>;
}

function podColumns(
  onPodAction: (pod: PodView, kind: PodActionKind) => void,
): TableColumn<PodView>[] {
  return [
    {
      title: 'Container',
      render: pod => (
        <>
          {pod.name}
          {pod.removedFromLoadBalancing && (
            <Chip
              size="small"
              label="out of load balancing"
              style={{ marginLeft: 8 }}
            />
          )}
        </>
      ),
    },
    { title: 'Status', render: pod => <PodStatus pod={pod} /> },
    {
      title: 'Ready',
      render: pod =>
        `${pod.containers.filter(c => c.ready).length}/${
          pod.containers.length
        }`,
    },
    { title: 'Restarts', field: 'restarts', type: 'numeric' },
    { title: 'IP', field: 'ip' },
    { title: 'Node', field: 'node' },
    { title: 'Age', render: pod => age(pod.startedAt) },
    {
      title: 'Actions',
      // the table shares its width equally among the columns without one: room for two buttons
      // and the menu's
      width: '200px',
      render: pod => (
        <PodActions pod={pod} onAction={kind => onPodAction(pod, kind)} />
      ),
    },
  ];
}

/** The counts in words, for the table's title: every container, not the page shown. */
export function countsInWords(counts: PodCounts): string {
  return [
    `${counts.ready} ready`,
    counts.pending ? `${counts.pending} pending` : '',
    counts.failing ? `${counts.failing} failing` : '',
    counts.terminating ? `${counts.terminating} terminating` : '',
    counts.restarts ? `${counts.restarts} restarts` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * One cluster's containers, a page at a time. With `loadPage`, pages past the first come from
 * the backend (a service may have thousands of containers; the view holds the first page and the
 * counts of all); without it, the view's containers are paged here.
 */
export function ContainersTable(props: {
  view: ContainersView;
  loadPage?: LoadContainers;
  onPodAction(pod: PodView, kind: PodActionKind): void;
}) {
  const { view, loadPage } = props;
  // columns made once: the table keeps its rows mounted across renders (lib/tableRows)
  const onPodAction = useLatest(props.onPodAction);
  const columns = useMemo(() => podColumns(onPodAction), [onPodAction]);
  const [page, setPage] = useState(0);
  const [pageSize, setPageSize] = useState(CONTAINERS_PAGE_SIZE);
  const total = view.podCounts?.total ?? view.pods.length;
  const offset = page * pageSize;
  // what the view holds already: its own page, when it covers the one asked for
  const held = view.podsPage ?? { offset: 0, limit: view.pods.length };
  const inView =
    !loadPage ||
    (offset >= held.offset &&
      (offset + pageSize <= held.offset + held.limit ||
        held.offset + view.pods.length >= total));
  // the latest loader, whoever made it: a new function on every render is no reason to load
  const loader = useRef(loadPage);
  loader.current = loadPage;
  // a page past the view's read again whenever the view changes (the client answers from its
  // copy on a 304); a page the view holds reads nothing, so a new view is no reason to run again
  const loaded = useAsync(
    async () =>
      inView || !loader.current ? undefined : loader.current(offset, pageSize),
    [inView, offset, pageSize, inView ? undefined : view],
  );
  // the service shrank under the page shown: back to its last page
  useEffect(() => {
    if (page > 0 && offset >= total) {
      setPage(Math.max(0, Math.ceil(total / pageSize) - 1));
    }
  }, [page, offset, total, pageSize]);

  const shownPods = inView
    ? view.pods.slice(offset - held.offset, offset - held.offset + pageSize)
    : loaded.value?.pods;
  // rows with ids: a live update changes them in place (lib/tableRows)
  const rows = withRowIds(
    shownPods ?? [],
    pod => `${pod.namespace}/${pod.name}`,
  );
  const title = `Containers (${total})`;
  const subtitle =
    view.podCounts && total > 0 ? countsInWords(view.podCounts) : undefined;
  if (loaded.error) {
    return (
      <Box>
        <ResponseErrorPanel
          title={`Could not load containers ${offset + 1}–${offset + pageSize}`}
          error={loaded.error}
        />
      </Box>
    );
  }
  return (
    <Table
      title={title}
      subtitle={subtitle}
      isLoading={!inView && loaded.loading}
      options={{
        paging: total > CONTAINERS_PAGE_SIZE,
        pageSize,
        pageSizeOptions: [CONTAINERS_PAGE_SIZE, 50, 100],
        padding: 'dense',
        search: false,
        sorting: false,
        emptyRowsWhenPaging: false,
      }}
      columns={columns}
      data={rows}
      page={page}
      totalCount={total}
      onPageChange={(next, size) => {
        setPage(next);
        if (size && size !== pageSize) setPageSize(size);
      }}
      onRowsPerPageChange={size => {
        setPageSize(size);
        setPage(0);
      }}
      emptyContent={NO_CONTAINERS}
    />
  );
}
