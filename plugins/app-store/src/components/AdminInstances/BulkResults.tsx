import { Table } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import type { InstanceBulkResult } from '@internal/plugin-container-cloud-common';
import { StatusError, StatusOK } from '@backstage/core-components';

type Result = InstanceBulkResult['results'][number];

/** What a bulk action did to each instance. */
export function BulkResults(props: {
  title: string;
  result: InstanceBulkResult;
  onClose: () => void;
}) {
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="bulk-title"
    >
      <DialogTitle id="bulk-title">{props.title}</DialogTitle>
      <DialogContent>
        <Table<Result>
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            toolbar: false,
          }}
          columns={[
            {
              title: 'Instance',
              render: r => `${r.cluster}/${r.namespace}/${r.name}`,
            },
            {
              title: 'Result',
              render: r =>
                r.ok ? (
                  <StatusOK>done</StatusOK>
                ) : (
                  <StatusError>failed</StatusError>
                ),
            },
            { title: 'Message', field: 'message' },
          ]}
          data={props.result.results}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
