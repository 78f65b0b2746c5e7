import { Button } from '@material-ui/core';
import {
  Progress,
  ResponseErrorPanel,
  StatusOK,
  StatusWarning,
  Table,
  TableColumn,
} from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { EventView } from '@internal/plugin-container-cloud-common';
import type { EventsQuery } from '../../api/ServicesClient';
import { useServiceEvents } from '../../hooks';
import { age } from '@internal/plugin-container-cloud-react';
import { ViewDialog } from '../ViewDialog';

const columns: TableColumn<EventView>[] = [
  {
    title: 'Type',
    render: e =>
      e.type === 'Warning' ? (
        <StatusWarning>Warning</StatusWarning>
      ) : (
        <StatusOK>{e.type}</StatusOK>
      ),
  },
  { title: 'Reason', field: 'reason' },
  { title: 'Object', render: e => `${e.object.kind}/${e.object.name}` },
  { title: 'Message', field: 'message' },
  { title: 'Count', field: 'count', type: 'numeric' },
  { title: 'Age', render: e => age(e.lastSeen) },
];

/**
 * The Kubernetes events of one pod or one Deployment, newest first. A new `live` value (the
 * service's last signal: the backend signals new events too) reads them again.
 */
export function EventsDialog(props: {
  entityRef: CompoundEntityRef;
  query: EventsQuery;
  live?: unknown;
  onClose(): void;
}) {
  const { entityRef, query, live, onClose } = props;
  const { value, loading, error, retry } = useServiceEvents(
    entityRef,
    query,
    live,
  );
  const subject = query.pod
    ? `container ${query.pod}`
    : `Deployment ${query.deployment}`;
  return (
    <ViewDialog
      title={`Events of ${subject} in ${query.cluster}`}
      maxWidth="lg"
      onClose={onClose}
      actions={<Button onClick={retry}>Refresh</Button>}
    >
      {loading && !value && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && (
        <Table
          options={{
            paging: value.items.length > 20,
            pageSize: 20,
            search: false,
            padding: 'dense',
            toolbar: false,
          }}
          columns={columns}
          data={value.items}
          emptyContent={
            <div style={{ padding: 16 }}>
              Kubernetes has no events about {subject} (they are kept for an
              hour).
            </div>
          }
        />
      )}
    </ViewDialog>
  );
}
