import { InfoCard, Table } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import type { InstanceDetail } from '@internal/plugin-container-cloud-common';

type Revision = InstanceDetail['history'][number];

/** The Helm release's revisions, newest first, each but the current one with Rollback. */
export function HistoryCard(props: {
  history: InstanceDetail['history'];
  busy: boolean;
  onRollback: (revision: number) => void;
}) {
  const history = [...props.history].sort((a, b) => b.revision - a.revision);
  const current = history[0]?.revision;
  return (
    <InfoCard title="Helm history">
      <Table<Revision>
        options={{
          paging: false,
          search: false,
          padding: 'dense',
          toolbar: false,
        }}
        columns={[
          { title: 'Revision', field: 'revision' },
          { title: 'Status', field: 'status' },
          { title: 'Chart', field: 'chart' },
          { title: 'App version', render: r => r.appVersion ?? '' },
          { title: 'Updated', field: 'updated' },
          { title: 'Description', field: 'description' },
          {
            title: '',
            render: r =>
              r.revision === current ? null : (
                <Button
                  size="small"
                  variant="outlined"
                  disabled={props.busy}
                  aria-label={`Roll back to revision ${r.revision}`}
                  onClick={() => props.onRollback(r.revision)}
                >
                  Rollback
                </Button>
              ),
          },
        ]}
        data={history}
        emptyContent="No revisions yet"
      />
    </InfoCard>
  );
}
