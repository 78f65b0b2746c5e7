import { useState } from 'react';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import type { AuditEvent } from '@internal/plugin-container-cloud-common';
import { AuditEventDialog } from './AuditEventDialog';
import type { useAuditPages } from './useAuditPages';

const columns: TableColumn<AuditEvent>[] = [
  {
    title: 'Time',
    field: 'time',
    render: e => new Date(e.time).toLocaleString(),
  },
  { title: 'Actor', field: 'actor', render: e => e.actor ?? 'unknown' },
  {
    title: 'Action',
    field: 'eventId',
    render: e => `${e.plugin}: ${e.eventId}`,
  },
  { title: 'Entity', field: 'entityRef', render: e => e.entityRef ?? '—' },
  {
    title: 'Where',
    field: 'cluster',
    render: e => [e.cluster, e.namespace].filter(Boolean).join(' / ') || '—',
  },
  {
    title: 'Outcome',
    field: 'outcome',
    render: e => (
      <Chip
        size="small"
        label={e.outcome}
        color={e.outcome === 'failed' ? 'secondary' : 'default'}
      />
    ),
  },
];

/** A page of audit events, newest first, with paging and a detail view of each. */
export function AuditEventsTable(props: {
  title: string;
  pages: ReturnType<typeof useAuditPages>;
  emptyText: string;
}) {
  const { pages } = props;
  const [open, setOpen] = useState<AuditEvent>();
  if (pages.error) return <ResponseErrorPanel error={pages.error} />;
  if (pages.loading && !pages.value) return <Progress />;
  return (
    <>
      <Table<AuditEvent>
        title={props.title}
        columns={columns}
        data={pages.value?.items ?? []}
        isLoading={pages.loading}
        options={{ paging: false, search: false, padding: 'dense' }}
        onRowClick={(_event, row) => setOpen(row)}
        emptyContent={
          <EmptyState
            missing="data"
            title="No audit events"
            description={props.emptyText}
          />
        }
      />
      <Box display="flex" justifyContent="flex-end" alignItems="center" mt={1}>
        <Box mr={2}>Page {pages.pageNumber}</Box>
        <Button disabled={!pages.hasNewer} onClick={pages.newer}>
          Newer
        </Button>
        <Button disabled={!pages.hasOlder} onClick={pages.older}>
          Older
        </Button>
      </Box>
      {open && (
        <AuditEventDialog event={open} onClose={() => setOpen(undefined)} />
      )}
    </>
  );
}
