import { InfoCard, Table } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import type { InstanceDetail } from '@internal/plugin-container-cloud-common';
import { SimulatedChip } from '../PhaseStatus';

type Pod = InstanceDetail['pods'][number];

/** The instance's pods: phase, readiness, node, and "simulated" on kwok nodes. */
export function PodsCard(props: { pods: InstanceDetail['pods'] }) {
  return (
    <InfoCard title="Pods">
      {props.pods.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          No pods yet: Helm creates the StatefulSet, then Kubernetes its pods.
        </Typography>
      ) : (
        <Table<Pod>
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            toolbar: false,
          }}
          columns={[
            { title: 'Pod', field: 'name' },
            { title: 'Phase', field: 'phase' },
            { title: 'Ready', render: p => (p.ready ? 'yes' : 'no') },
            { title: 'Node', render: p => p.node ?? '—' },
            {
              title: '',
              render: p => (p.simulated ? <SimulatedChip /> : null),
            },
            { title: 'Message', render: p => p.message ?? '' },
          ]}
          data={props.pods}
        />
      )}
    </InfoCard>
  );
}
