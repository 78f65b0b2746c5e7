import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import type {
  AlertmanagerConfigStatus,
  ReceiverView,
} from '@internal/plugin-container-cloud-common';
import { alertsApiRef } from '../../api/AlertsClient';
import { ReceiverDialog } from './ReceiverDialog';

function target(r: ReceiverView): string {
  if (r.email) return r.email.to.join(', ');
  if (r.webhook) return r.webhook.url;
  if (r.im) return `${r.im.flavour}: ${r.im.urlHint}…`;
  return '';
}

/** Whether Alertmanager runs the receivers' configuration, in one line. */
function LoadedStatus(props: { status: AlertmanagerConfigStatus }) {
  const { status } = props;
  const label = {
    loaded: `Loaded by Alertmanager (version ${status.version})`,
    'not-loaded': `Not loaded (version ${status.version})`,
    unknown: 'Alertmanager status unknown',
  }[status.loaded];
  return (
    <div>
      <Chip
        label={label}
        color={status.loaded === 'loaded' ? 'primary' : 'default'}
        size="small"
      />
      {status.message && (
        <Typography variant="caption" component="div" color="textSecondary">
          {status.message}
        </Typography>
      )}
    </div>
  );
}

/** Ops' receivers: list, create, edit and delete, and whether Alertmanager loaded them. */
export function ReceiversCard() {
  const api = useApi(alertsApiRef);
  const alertApi = useApi(alertApiRef);
  const state = useAsyncRetry(() => api.receivers(), [api]);
  const [editing, setEditing] = useState<{ receiver?: ReceiverView }>();

  const remove = async (r: ReceiverView) => {
    // eslint-disable-next-line no-alert
    if (!window.confirm(`Delete receiver ${r.name}?`)) return;
    try {
      await api.deleteReceiver(r.name, r.version);
      state.retry();
    } catch (e) {
      alertApi.post({ message: (e as Error).message, severity: 'error' });
    }
  };

  const columns: TableColumn<ReceiverView>[] = [
    { title: 'Name', field: 'name' },
    { title: 'Kind', field: 'kind' },
    { title: 'Sends to', render: target },
    { title: 'Description', render: r => r.description ?? '' },
    {
      title: 'Changed',
      render: r =>
        `v${r.version} by ${r.updatedBy.replace(
          /^user:(default\/)?/,
          '',
        )}, ${new Date(r.updatedAt).toLocaleString()}`,
    },
    {
      title: '',
      render: r => (
        <>
          <Button
            size="small"
            onClick={() => setEditing({ receiver: r })}
            aria-label={`Edit ${r.name}`}
          >
            Edit
          </Button>
          <Button
            size="small"
            onClick={() => remove(r)}
            aria-label={`Delete ${r.name}`}
          >
            Delete
          </Button>
        </>
      ),
    },
  ];

  let content;
  if (state.loading && !state.value) content = <Progress />;
  else if (state.error) content = <ResponseErrorPanel error={state.error} />;
  else if (state.value) {
    content = (
      <>
        <LoadedStatus status={state.value.alertmanager} />
        <Table
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            toolbar: false,
          }}
          columns={columns}
          data={state.value.items}
          emptyContent={
            <div style={{ padding: 16 }}>
              No receivers yet: alerts go to the default receiver only.
            </div>
          }
        />
      </>
    );
  }

  return (
    <InfoCard
      title="Receivers"
      subheader="Where alerts are sent; a rule names its receivers"
      action={
        <Button
          color="primary"
          onClick={() => setEditing({})}
          style={{ marginTop: 8 }}
        >
          New receiver
        </Button>
      }
    >
      {content}
      {editing && (
        <ReceiverDialog
          open
          receiver={editing.receiver}
          onClose={() => setEditing(undefined)}
          onSubmit={async (name, body) => {
            const result = editing.receiver
              ? await api.updateReceiver(editing.receiver.name, {
                  ...body,
                  version: editing.receiver.version,
                })
              : await api.createReceiver({ name, ...body });
            setEditing(undefined);
            state.retry();
            if (result.alertmanager.loaded !== 'loaded') {
              alertApi.post({
                message: `Saved; Alertmanager: ${
                  result.alertmanager.message ?? result.alertmanager.loaded
                }`,
                severity: 'warning',
              });
            }
          }}
        />
      )}
    </InfoCard>
  );
}
